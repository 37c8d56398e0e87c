package io.rproxy.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.RproxyException;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.harness.ScriptedBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A LOAD whose preconnect waits on a server that never answers its AUTH (a handshake bounded only by the pool's
 * timeout, per connection) holds no lock that stop or the other admin commands need.
 */
class SlowStageIT {
    private static final int CONNECTIONS = 4;
    private static final int TIMEOUT_MS = 1500;

    @Test
    void stopDuringASlowPreconnectIsPromptAndReleasesWhatTheLoadBound() throws Exception {
        try (RedisServer redis = RedisServer.start();
             ScriptedBackend silent = ScriptedBackend.start(command -> ScriptedBackend.Step.stall())) {
            int adminPort = FreePorts.pick();
            String running = ReloadFixture.admin(adminPort) + ReloadFixture.pool("web", FreePorts.pick(), "", redis);
            int slowPort = FreePorts.pick();
            Path next = ReloadFixture.write(running + "[pools.slow]\nlisten = \"127.0.0.1:" + slowPort + "\"\n"
                    + "servers = [\"" + silent.address() + ":1 silent\"]\nredis_auth = \"secret\"\n"
                    + "preconnect = true\nserver_connections = " + CONNECTIONS + "\ntimeout = " + TIMEOUT_MS + "\n");
            RunningProxy proxy = RunningProxy.start(running);
            try {
                AtomicReference<String> outcome = new AtomicReference<>();
                Thread loader = Thread.ofVirtual().name("test-load").start(() -> {
                    try {
                        outcome.set(proxy.rproxy().load(next));
                    } catch (RproxyException e) {
                        outcome.set("refused: " + e.getMessage());
                    }
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> silent.accepted() >= 1);
                long cancelBegin = System.nanoTime();
                try (RespClient admin = new RespClient(adminPort)) {
                    assertEquals("-ERR no configuration is staged; there is nothing to cancel",
                            admin.line("CANCEL"), "CANCEL answers while a LOAD preconnects");
                }
                long cancelMillis = (System.nanoTime() - cancelBegin) / 1_000_000;
                System.out.println("CANCEL during a LOAD's preconnect: " + cancelMillis + " ms");
                assertTrue(cancelMillis < TIMEOUT_MS, "CANCEL took " + cancelMillis + " ms");
                long begin = System.nanoTime();
                proxy.rproxy().stop(Duration.ZERO);
                long millis = (System.nanoTime() - begin) / 1_000_000;
                loader.join(Duration.ofSeconds(30));
                System.out.println("stop during a LOAD's preconnect (" + CONNECTIONS + " x " + TIMEOUT_MS
                        + " ms of AUTH): " + millis + " ms; the LOAD: " + outcome.get());
                assertTrue(millis < TIMEOUT_MS, "stop took " + millis + " ms");
                assertEquals("refused: rproxy is stopping", outcome.get());
                await().atMost(Duration.ofSeconds(10)).until(() -> FreePorts.isFree(slowPort));
                assertTrue(!Harness.accepts("127.0.0.1", adminPort), "the admin port is closed");
            } finally {
                proxy.close();
            }
        }
    }
}
