package io.rproxy.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.Version;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * The built jar as {@code bin/rproxy} runs it: check, version, run, a clean stop on SIGTERM, the reload commands
 * and a reload on SIGHUP.
 */
class CommandLineIT {
    @Test
    void versionPrintsTheBuildVersion() throws Exception {
        JarProcess result = JarProcess.run("version");
        assertEquals(0, result.exit());
        assertEquals("rproxy " + Version.current(), result.stdout().strip());
        assertTrue(Version.current().matches("\\d+\\.\\d+\\.\\d+.*"), Version.current());
    }

    @Test
    void checkReportsEveryProblemWithFileLineAndKey() throws Exception {
        Path config = write("""
                [pools.a]
                listen = "127.0.0.1:7001"
                hash = "fnv"
                distribution = "ketama"
                servers = ["127.0.0.1:6379:0"]
                bogus = 1
                """);
        JarProcess result = JarProcess.run("check", config.toString());
        assertEquals(1, result.exit());
        assertTrue(result.stderr().contains(config + ":3: pools.a.hash: unknown hash 'fnv'"), result.stderr());
        assertTrue(result.stderr().contains(config + ":5: pools.a.servers"), result.stderr());
        assertTrue(result.stderr().contains(config + ":6: pools.a.bogus"), result.stderr());

        JarProcess missing = JarProcess.run("check", "/nonexistent/rproxy.toml");
        assertEquals(1, missing.exit());
        assertTrue(missing.stderr().contains("/nonexistent/rproxy.toml"), missing.stderr());
    }

    @Test
    void runServesUntilSigtermThenAnswersWhatWasSentAndStops() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            int port = FreePorts.pick();
            Path config = write(RunningProxy.poolToml("cli", port, "",
                    List.of("\"" + redis.address() + ":1 redis1\"")));
            try (JarProcess proxy = JarProcess.start("run", "--carrier-threads", "1", config.toString())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", port));

                try (Jedis client = new Jedis("127.0.0.1", port, 10_000)) {
                    assertEquals("OK", client.set("cli", "works"));
                    Pipeline pipeline = client.pipelined();
                    List<Response<Long>> replies = new ArrayList<>();
                    for (int i = 0; i < 2000; i++) {
                        replies.add(pipeline.incr("counter"));
                    }
                    pipeline.sync();
                    assertEquals(2000, replies.get(1999).get());
                }
                proxy.process().destroy(); // SIGTERM
                assertTrue(proxy.process().waitFor(30, TimeUnit.SECONDS), "stopped after SIGTERM");
                assertFalse(Harness.accepts("127.0.0.1", port), "listener closed");
                String log = proxy.stderr();
                assertTrue(log.contains("stopped"), log);
                assertTrue(log.contains("; 1 carrier thread(s)"), log);
            }
        }
    }

    @Test
    void aNegativeCarrierThreadCountIsRefusedBeforeAnythingStarts() throws Exception {
        JarProcess result = JarProcess.run("run", "--carrier-threads", "-1", "/nonexistent/rproxy.toml");
        assertEquals(2, result.exit());
        assertTrue(result.stderr().contains("carrier threads must be 1 or more"), result.stderr());
    }

    @Test
    void aTakenPortFailsTheStartWithNothingBound() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int free = FreePorts.pick();
            Path config = write("[pools.first]\nlisten = \"127.0.0.1:" + free + "\"\n"
                    + "servers = [\"127.0.0.1:6379:1\"]\n\n"
                    + "[pools.second]\nlisten = \"127.0.0.1:" + taken.getLocalPort() + "\"\n"
                    + "servers = [\"127.0.0.1:6379:1\"]\n");
            JarProcess result = JarProcess.run("run", config.toString());
            assertEquals(1, result.exit());
            assertTrue(result.stderr().contains("127.0.0.1:" + taken.getLocalPort()), result.stderr());
            assertTrue(FreePorts.isFree(free), "the first pool's port was released");
        }
    }

    @Test
    void statusAndVersionAskARunningProxyOverItsAdminPort() throws Exception {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.start(RunningProxy.poolToml("web", FreePorts.pick(), "",
                     List.of("\"" + redis.address() + ":1 web1\""))
                     + "\n[pools.jobs]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n"
                     + "servers = [\"" + redis.address() + ":1 jobs1\"]\n")) {
            String admin = "127.0.0.1:" + proxy.adminPort();
            JarProcess status = JarProcess.run("status", "--admin", admin);
            assertEquals(0, status.exit(), status.stderr());
            assertTrue(status.stdout().contains("pool web  listen 127.0.0.1:" + proxy.port("web")), status.stdout());
            assertTrue(status.stdout().contains("pool jobs  listen 127.0.0.1:" + proxy.port("jobs")), status.stdout());
            assertTrue(status.stdout().contains("jobs1"), status.stdout());

            JarProcess version = JarProcess.run("version", "--admin", admin);
            assertEquals(0, version.exit(), version.stderr());
            assertEquals("rproxy " + Version.current() + "\nrunning: rproxy " + Version.current(),
                    version.stdout().strip());
        }
    }

    @Test
    void statusOfAProxyThatIsNotThereIsOneLineAndExitCodeTwo() throws Exception {
        int nothing = FreePorts.pick();
        JarProcess result = JarProcess.run("status", "--admin", "127.0.0.1:" + nothing);
        assertEquals(2, result.exit());
        assertEquals("rproxy: cannot reach the rproxy admin port at 127.0.0.1:" + nothing + ": Connection refused",
                result.stderr().strip());
    }

    @Test
    void reloadCommandsAndSighupReloadTheRunningProxy() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            int port = FreePorts.pick();
            String first = RunningProxy.poolToml("cli", port, "", List.of("\"" + redis.address() + ":1 redis1\""));
            Path config = write(first);
            try (JarProcess proxy = JarProcess.start("run", config.toString())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", port));
                String admin = "--config=" + config;

                JarProcess refused = JarProcess.run("load", "/nonexistent/next.toml", admin);
                assertEquals(1, refused.exit());
                assertEquals("rproxy: rproxy at " + adminAddress(first) + " answered: ERR /nonexistent/next.toml: no "
                        + "such file (looked for /nonexistent/next.toml)", refused.stderr().strip());
                int added = FreePorts.pick();
                Path next = write(first + "\n[pools.added]\nlisten = \"127.0.0.1:" + added + "\"\n"
                        + "servers = [\"" + redis.address() + ":1 redis1\"]\n");
                JarProcess load = JarProcess.run("load", next.toString(), admin);
                assertEquals(0, load.exit(), load.stderr());
                assertTrue(load.stdout().startsWith("OK staged " + next), load.stdout());
                JarProcess cancel = JarProcess.run("cancel", admin);
                assertEquals(0, cancel.exit(), cancel.stderr());
                JarProcess commit = JarProcess.run("commit", admin);
                assertEquals(1, commit.exit());
                assertTrue(commit.stderr().strip().endsWith("ERR no configuration is staged; LOAD one first"),
                        commit.stderr());
                JarProcess reload = JarProcess.run("reload", next.toString(), admin);
                assertEquals(0, reload.exit(), reload.stderr());
                await().atMost(Duration.ofSeconds(10)).until(() -> Harness.answersPing("127.0.0.1", added));

                // SIGHUP reloads the file the proxy was started with: here, one pool again, on a third port.
                int hup = FreePorts.pick();
                Files.writeString(config, first + "\n[pools.hup]\nlisten = \"127.0.0.1:" + hup + "\"\n"
                        + "servers = [\"" + redis.address() + ":1 redis1\"]\n");
                proxy.signal("HUP");
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", hup));
                await().atMost(Duration.ofSeconds(10)).until(() -> !Harness.accepts("127.0.0.1", added));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> proxy.stderr().contains("SIGHUP: reloaded " + config));

                Files.writeString(config, "[pools.broken\n");
                proxy.signal("HUP");
                await().atMost(Duration.ofSeconds(30)).until(() -> proxy.stderr().contains(
                        "SIGHUP: the reload of " + config + " failed; the active configuration is unchanged"));
                assertTrue(Harness.answersPing("127.0.0.1", hup), "the active configuration still serves");
                assertTrue(Harness.answersPing("127.0.0.1", port));

                proxy.process().destroy();
                assertTrue(proxy.process().waitFor(30, TimeUnit.SECONDS), "stopped after SIGTERM");
            }
        }
    }

    private static String adminAddress(String toml) {
        int start = toml.indexOf("listen = \"") + "listen = \"".length();
        return toml.substring(start, toml.indexOf('"', start));
    }

    private Path write(String toml) throws IOException {
        Path file = Files.createTempFile(Harness.dir(), "cli-", ".toml");
        Files.writeString(file, toml);
        return file;
    }
}
