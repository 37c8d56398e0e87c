package io.rproxy.cli;

import static io.rproxy.cli.StatusCommandIT.rproxy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.cli.StatusCommandIT.Run;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** {@code rproxy load, commit, cancel, reload}, run in-process through picocli: exit codes and one-line errors. */
class ReloadCommandsIT {
    private static RedisServer redis;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    private static String config(int adminPort, int... poolPorts) {
        StringBuilder toml = new StringBuilder("[admin]\nlisten = \"127.0.0.1:" + adminPort + "\"\n")
                .append("password = \"pw\"\n");
        for (int i = 0; i < poolPorts.length; i++) {
            toml.append("\n[pools.p").append(i).append("]\nlisten = \"127.0.0.1:").append(poolPorts[i])
                    .append("\"\nservers = [\"").append(redis.address()).append(":1\"]\n");
        }
        return toml.toString();
    }

    private static Path write(String toml) throws Exception {
        Path file = Files.createTempFile(Harness.dir(), "reload-cli-", ".toml");
        Files.writeString(file, toml);
        return file;
    }

    @Test
    void loadStatusCommitCancelAndReload() throws Exception {
        int adminPort = FreePorts.pick();
        int first = FreePorts.pick();
        int second = FreePorts.pick();
        Path active = write(config(adminPort, first));
        Path next = write(config(adminPort, first, second));
        try (RunningProxy proxy = RunningProxy.start(Files.readString(active))) {
            String admin = "127.0.0.1:" + adminPort;
            Run load = rproxy("load", next.toString(), "--admin", admin, "--password", "pw");
            assertEquals(0, load.exit(), load.err());
            assertTrue(load.out().startsWith("OK staged " + next.toAbsolutePath()), load.out());

            Run status = rproxy("status", "--config", active.toString());
            assertEquals(0, status.exit(), status.err());
            assertTrue(status.out().contains("staged config: " + next.toAbsolutePath()), status.out());
            assertTrue(status.out().contains("pools p0, p1"), status.out());

            Run again = rproxy("load", next.toString(), "--config", active.toString());
            assertEquals(1, again.exit());
            assertOneLine(again, "a configuration is staged already");

            Run cancel = rproxy("cancel", "--config", active.toString());
            assertEquals(0, cancel.exit(), cancel.err());
            assertTrue(cancel.out().startsWith("OK cancelled"), cancel.out());
            Run nothing = rproxy("commit", "--config", active.toString());
            assertEquals(1, nothing.exit());
            assertOneLine(nothing, "no configuration is staged; LOAD one first");

            assertEquals(0, rproxy("load", next.toString(), "--config", active.toString()).exit());
            Run commit = rproxy("commit", "--config", active.toString());
            assertEquals(0, commit.exit(), commit.err());
            assertTrue(commit.out().startsWith("OK committed " + next.toAbsolutePath()), commit.out());
            try (Jedis client = new Jedis("127.0.0.1", second, 10_000)) {
                assertEquals("OK", client.set("cli-reload", "v"));
            }

            Run reload = rproxy("reload", active.toString(), "--config", active.toString());
            assertEquals(0, reload.exit(), reload.err());
            assertTrue(reload.out().startsWith("OK reloaded " + active.toAbsolutePath()), reload.out());
            assertTrue(FreePorts.isFree(second) || !Harness.accepts("127.0.0.1", second), "p1 was removed");
        }
    }

    @Test
    void aBadFileIsExitCodeOneWithTheReasonOnOneLine() throws Exception {
        int adminPort = FreePorts.pick();
        int first = FreePorts.pick();
        try (RunningProxy proxy = RunningProxy.start(config(adminPort, first))) {
            String admin = "127.0.0.1:" + adminPort;
            Path bad = write(config(adminPort, first) + "bogus = 1\nalso_bogus = 2\n");
            for (String command : new String[] {"load", "reload"}) {
                Run run = rproxy(command, bad.toString(), "--admin", admin, "--password", "pw");
                assertEquals(1, run.exit(), command);
                assertOneLine(run, bad.toAbsolutePath() + ":");
                assertTrue(run.err().contains("bogus") && run.err().contains("also_bogus"), run.err());
            }
            Run missing = rproxy("reload", "/nonexistent/x.toml", "--admin", admin, "--password", "pw");
            assertEquals(1, missing.exit());
            assertOneLine(missing, "/nonexistent/x.toml: no such file");
            Run cancel = rproxy("cancel", "--admin", admin, "--password", "pw");
            assertEquals(1, cancel.exit());
            assertOneLine(cancel, "no configuration is staged");
        }
    }

    @Test
    void aProxyThatDoesNotAnswerIsExitCodeTwo() {
        int nothing = FreePorts.pick();
        for (String[] args : new String[][] {{"load", "x.toml"}, {"commit"}, {"cancel"}, {"reload", "x.toml"}}) {
            String[] withAdmin = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--admin", "127.0.0.1:" + nothing)).toArray(String[]::new);
            Run run = rproxy(withAdmin);
            assertEquals(2, run.exit(), args[0]);
            assertOneLine(run, "cannot reach the rproxy admin port at 127.0.0.1:" + nothing);
        }
    }

    private static void assertOneLine(Run run, String expected) {
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("rproxy: "), run.err());
        assertTrue(run.err().contains(expected), run.err());
        assertEquals("", run.out());
    }
}
