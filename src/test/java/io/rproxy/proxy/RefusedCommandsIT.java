package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refused commands are counted per command name on /metrics and in STATUS, inside MULTI too. */
class RefusedCommandsIT {
    @Test
    void refusalsAreCountedByCommandName() throws Exception {
        int metricsPort = FreePorts.pick();
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.start("[metrics]\nlisten = \"127.0.0.1:" + metricsPort + "\"\n"
                     + RunningProxy.poolToml(RunningProxy.POOL, FreePorts.pick(), "",
                             List.of("\"" + redis.address() + ":1 redis1\"")));
             RawClient client = new RawClient(proxy.port());
             io.rproxy.admin.RespClient admin = new io.rproxy.admin.RespClient(proxy.adminPort())) {
            for (int i = 0; i < 3; i++) {
                assertEquals(Reply.error("ERR command 'swapdb' is not supported by rproxy"),
                        client.call("SWAPDB", "0", "1"));
            }
            assertEquals(Reply.OK, client.call("MULTI"));
            assertEquals(Reply.error("ERR command 'client|pause' is not supported by rproxy"),
                    client.call("CLIENT", "PAUSE", "x"));
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("rproxy_pool_refused_commands_total{pool=\"test\",command=\"swapdb\"} 3\n"),
                    metrics);
            assertTrue(metrics.contains(
                    "rproxy_pool_refused_commands_total{pool=\"test\",command=\"client|pause\"} 1\n"));
            String status = admin.text("STATUS");
            assertTrue(status.contains("\"refused_commands\":{\"client|pause\":1,\"swapdb\":3}"),
                    status);
        }
    }
}
