package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code max_dedicated_connections}: past it a stateful command gets a clear error at once, nothing hangs; the
 * leases in use show on /metrics as {@code rproxy_server_dedicated_connections}, and they are given back.
 */
class DedicatedLimitIT {
    @Test
    void pastTheBoundTheCommandIsRefusedAtOnceAndTheGaugeCountsLeases() throws Exception {
        int metricsPort = FreePorts.pick();
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.start("[metrics]\nlisten = \"127.0.0.1:" + metricsPort + "\"\n"
                     + RunningProxy.poolToml(RunningProxy.POOL, FreePorts.pick(),
                             "timeout = 2000\nmax_dedicated_connections = 2",
                             List.of("\"" + redis.address() + ":1 redis1\"")));
             RawClient first = new RawClient(proxy.port());
             RawClient second = new RawClient(proxy.port());
             RawClient third = new RawClient(proxy.port())) {
            first.pipelineFramesAsync(List.of(RespCommand.of("BLPOP", "q", "0").frame()));
            assertEquals(Reply.OK, second.call("WATCH", "w"));
            await().atMost(Duration.ofSeconds(20)).until(() -> gauge(metricsPort) == 2);
            long started = System.nanoTime();
            assertEquals(Reply.error("ERR rproxy: redis1 (" + redis.address() + ") has all its 2 dedicated"
                    + " connections in use (max_dedicated_connections)"), third.call("BLPOP", "q", "0"));
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "at once");
            assertEquals(Reply.simple("PONG"), third.call("PING"), "the client may go on");
            assertEquals(Reply.OK, second.call("UNWATCH"));
            await().atMost(Duration.ofSeconds(20)).until(() -> gauge(metricsPort) == 1);
            assertEquals(Reply.OK, third.call("MULTI"));
            assertEquals(Reply.simple("QUEUED"), third.call("LPUSH", "q", "x"));
            assertEquals(Reply.array(List.of(Reply.integer(1))), third.call("EXEC"));
            await().atMost(Duration.ofSeconds(20)).until(() -> gauge(metricsPort) == 0);
        }
    }

    @Test
    void aTransactionIsBoundedByTheQueryBufferLimit() {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("client_query_buffer_limit = \"1kb\"", redis);
             RawClient client = new RawClient(proxy.port())) {
            String value = "x".repeat(600);
            assertEquals(Reply.OK, client.call("MULTI"));
            assertEquals(Reply.simple("QUEUED"), client.call("SET", "k", value));
            assertEquals(Reply.error("ERR rproxy: the transaction's queued commands passed client_query_buffer_limit"
                    + " (1024 bytes)"), client.call("SET", "k", value));
            assertEquals(Reply.error("EXECABORT Transaction discarded because of previous errors."),
                    client.call("EXEC"));
            assertEquals(Reply.NULL_BULK, client.call("GET", "k"));
        }
    }

    private static long gauge(int metricsPort) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body().lines().filter(l -> l.startsWith("rproxy_server_dedicated_connections{"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
