package io.rproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.Version;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code rproxy status} and {@code rproxy version --admin}, run in-process through picocli. */
class StatusCommandIT {
    private static RedisServer redis;
    private static RunningProxy proxy;
    private static String toml;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        toml = "[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\npassword = \"pw\"\n\n"
                + "[pools.carts]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n"
                + "servers = [\"" + redis.address() + ":1 cart-store\"]\n\n"
                + "[pools.sessions]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\ntimeout = 250\n"
                + "servers = [\"" + redis.address() + ":2 session-store\"]\n";
        proxy = RunningProxy.start(toml);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        redis.close();
    }

    record Run(int exit, String out, String err) {
    }

    static Run rproxy(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String admin() {
        return "127.0.0.1:" + proxy.adminPort();
    }

    @Test
    void statusPrintsEveryPoolAndServer() {
        try (var client = proxy.jedis()) {
            client.set("status:k", "v");
        }
        Run run = rproxy("status", "--admin", admin(), "--password", "pw");

        assertEquals(0, run.exit(), run.err());
        String out = run.out();
        assertTrue(out.startsWith("rproxy " + Version.current() + ", up "), out);
        assertTrue(out.contains("staged config: none"), out);
        assertTrue(out.contains("pool carts  listen 127.0.0.1:" + proxy.port("carts")), out);
        assertTrue(out.contains("pool sessions  listen 127.0.0.1:" + proxy.port("sessions")), out);
        assertTrue(out.contains("timeout 250 ms"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+cart-store\\s+" + redis.address() + "\\s+1\\s+up\\s+1\\s+1\\s.*")),
                out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+session-store\\s+" + redis.address() + "\\s+2\\s+up\\s.*")),
                out);
    }

    @Test
    void statusJsonIsTheDocumentAndConfigSuppliesAddressAndPassword() throws Exception {
        Path config = Files.createTempFile(Harness.dir(), "status-", ".toml");
        Files.writeString(config, toml);

        Run run = rproxy("status", "--config", config.toString(), "--json");

        assertEquals(0, run.exit(), run.err());
        Map<String, Object> status = JsonReader.parseObject(run.out().strip());
        assertEquals(Version.current(), status.get("version"));
        assertEquals(java.util.Set.of("carts", "sessions"),
                ((Map<?, ?>) ((Map<?, ?>) status.get("active")).get("pools")).keySet());
    }

    @Test
    void versionAsksTheRunningProxyWhenToldWhere() {
        Run local = rproxy("version");
        assertEquals(0, local.exit());
        assertEquals("rproxy " + Version.current(), local.out().strip());

        Run remote = rproxy("version", "--admin", admin(), "--password", "pw");
        assertEquals(0, remote.exit(), remote.err());
        assertEquals("rproxy " + Version.current() + "\nrunning: rproxy " + Version.current(), remote.out().strip());
    }

    @Test
    void aProxyThatDoesNotAnswerIsOneLineAndExitCodeTwo() {
        int nothing = FreePorts.pick();
        Run run = rproxy("status", "--admin", "127.0.0.1:" + nothing);

        assertEquals(2, run.exit());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("rproxy: cannot reach the rproxy admin port at 127.0.0.1:" + nothing), run.err());
        assertEquals("", run.out());
    }

    @Test
    void aWrongPasswordIsExitCodeOne() {
        Run run = rproxy("status", "--admin", admin(), "--password", "nope");
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("WRONGPASS"), run.err());
        Run none = rproxy("status", "--admin", admin());
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("NOAUTH"), none.err());
    }
}
