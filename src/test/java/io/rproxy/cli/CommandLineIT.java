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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * The built jar as {@code bin/rproxy} runs it: check, version, run, a clean stop on SIGTERM, the reload commands
 * and a reload on SIGHUP.
 */
class CommandLineIT {
    private final List<Process> started = new ArrayList<>();
    private final Map<Process, Path> stdoutOf = new HashMap<>();
    private final Map<Process, Path> stderrOf = new HashMap<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void versionPrintsTheBuildVersion() throws Exception {
        Result result = rproxy("version");
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
        Result result = rproxy("check", config.toString());
        assertEquals(1, result.exit());
        assertTrue(result.stderr().contains(config + ":3: pools.a.hash: unknown hash 'fnv'"), result.stderr());
        assertTrue(result.stderr().contains(config + ":5: pools.a.servers"), result.stderr());
        assertTrue(result.stderr().contains(config + ":6: pools.a.bogus"), result.stderr());

        Result missing = rproxy("check", "/nonexistent/rproxy.toml");
        assertEquals(1, missing.exit());
        assertTrue(missing.stderr().contains("/nonexistent/rproxy.toml"), missing.stderr());
    }

    @Test
    void runServesUntilSigtermThenAnswersWhatWasSentAndStops() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            int port = FreePorts.pick();
            Path config = write(RunningProxy.poolToml("cli", port, "",
                    List.of("\"" + redis.address() + ":1 redis1\"")));
            Process proxy = start("run", "--carrier-threads", "1", config.toString());
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
            proxy.destroy(); // SIGTERM
            assertTrue(proxy.waitFor(30, TimeUnit.SECONDS), "stopped after SIGTERM");
            assertFalse(Harness.accepts("127.0.0.1", port), "listener closed");
            String log = Files.readString(stderrOf.get(proxy));
            assertTrue(log.contains("stopped"), log);
            assertTrue(log.contains("; 1 carrier thread(s)"), log);
        }
    }

    @Test
    void aNegativeCarrierThreadCountIsRefusedBeforeAnythingStarts() throws Exception {
        Result result = rproxy("run", "--carrier-threads", "-1", "/nonexistent/rproxy.toml");
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
            Result result = rproxy("run", config.toString());
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
            Result status = rproxy("status", "--admin", admin);
            assertEquals(0, status.exit(), status.stderr());
            assertTrue(status.stdout().contains("pool web  listen 127.0.0.1:" + proxy.port("web")), status.stdout());
            assertTrue(status.stdout().contains("pool jobs  listen 127.0.0.1:" + proxy.port("jobs")), status.stdout());
            assertTrue(status.stdout().contains("jobs1"), status.stdout());

            Result version = rproxy("version", "--admin", admin);
            assertEquals(0, version.exit(), version.stderr());
            assertEquals("rproxy " + Version.current() + "\nrunning: rproxy " + Version.current(),
                    version.stdout().strip());
        }
    }

    @Test
    void statusOfAProxyThatIsNotThereIsOneLineAndExitCodeTwo() throws Exception {
        int nothing = FreePorts.pick();
        Result result = rproxy("status", "--admin", "127.0.0.1:" + nothing);
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
            Process proxy = start("run", config.toString());
            await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", port));
            String admin = "--config=" + config;

            Result refused = rproxy("load", "/nonexistent/next.toml", admin);
            assertEquals(1, refused.exit());
            assertEquals("rproxy: rproxy at " + adminAddress(first) + " answered: ERR /nonexistent/next.toml: no such "
                    + "file (looked for /nonexistent/next.toml)", refused.stderr().strip());
            int added = FreePorts.pick();
            Path next = write(first + "\n[pools.added]\nlisten = \"127.0.0.1:" + added + "\"\n"
                    + "servers = [\"" + redis.address() + ":1 redis1\"]\n");
            Result load = rproxy("load", next.toString(), admin);
            assertEquals(0, load.exit(), load.stderr());
            assertTrue(load.stdout().startsWith("OK staged " + next), load.stdout());
            Result cancel = rproxy("cancel", admin);
            assertEquals(0, cancel.exit(), cancel.stderr());
            Result commit = rproxy("commit", admin);
            assertEquals(1, commit.exit());
            assertTrue(commit.stderr().strip().endsWith("ERR no configuration is staged; LOAD one first"),
                    commit.stderr());
            Result reload = rproxy("reload", next.toString(), admin);
            assertEquals(0, reload.exit(), reload.stderr());
            await().atMost(Duration.ofSeconds(10)).until(() -> Harness.answersPing("127.0.0.1", added));

            // SIGHUP reloads the file the proxy was started with: here, one pool again, on a third port.
            int hup = FreePorts.pick();
            Files.writeString(config, first + "\n[pools.hup]\nlisten = \"127.0.0.1:" + hup + "\"\n"
                    + "servers = [\"" + redis.address() + ":1 redis1\"]\n");
            hangUp(proxy);
            await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", hup));
            await().atMost(Duration.ofSeconds(10)).until(() -> !Harness.accepts("127.0.0.1", added));
            await().atMost(Duration.ofSeconds(10)).until(() -> log(proxy).contains("SIGHUP: reloaded " + config));

            Files.writeString(config, "[pools.broken\n");
            hangUp(proxy);
            await().atMost(Duration.ofSeconds(30)).until(() -> log(proxy).contains(
                    "SIGHUP: the reload of " + config + " failed; the active configuration is unchanged"));
            assertTrue(Harness.answersPing("127.0.0.1", hup), "the active configuration still serves");
            assertTrue(Harness.answersPing("127.0.0.1", port));

            proxy.destroy();
            assertTrue(proxy.waitFor(30, TimeUnit.SECONDS), "stopped after SIGTERM");
        }
    }

    private static String adminAddress(String toml) {
        int start = toml.indexOf("listen = \"") + "listen = \"".length();
        return toml.substring(start, toml.indexOf('"', start));
    }

    private static void hangUp(Process process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }

    private String log(Process process) throws IOException {
        return Files.readString(stderrOf.get(process));
    }

    private Path write(String toml) throws IOException {
        Path file = Files.createTempFile(Harness.dir(), "cli-", ".toml");
        Files.writeString(file, toml);
        return file;
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    private Result rproxy(String... args) throws Exception {
        Process process = start(args);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Result(process.exitValue(), Files.readString(stdoutOf.get(process)),
                Files.readString(stderrOf.get(process)));
    }

    /** Output goes to files: Process.destroy() closes the pipes, and a full pipe would stall the proxy. */
    private Process start(String... args) throws IOException {
        String jar = Objects.requireNonNull(System.getProperty("rproxy.jar"),
                "system property rproxy.jar is set by failsafe after `package`: run this class with mvn verify");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-jar", jar));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(Harness.dir(), "cli-", ".out");
        Path stderr = Files.createTempFile(Harness.dir(), "cli-", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        started.add(process);
        stdoutOf.put(process, stdout);
        stderrOf.put(process, stderr);
        return process;
    }
}
