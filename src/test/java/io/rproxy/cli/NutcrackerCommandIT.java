package io.rproxy.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The jar driven as an init script written for nutcracker drives it: {@code rproxy nutcracker -t -c FILE},
 * {@code rproxy nutcracker -c FILE -s PORT -a ADDR -o LOG -p PID -v N}, SIGHUP (reload and a reopened log, after
 * logrotate moved it), and {@code run} / {@code check} / {@code convert} on the same nutcracker.yml.
 */
class NutcrackerCommandIT {
    @Test
    void nutcrackersOptionsRunTheYamlFileAndSighupReloadsItAndReopensTheLog() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Path dir = Files.createTempDirectory(Harness.dir(), "nutcracker-cli-");
            int port = FreePorts.pick();
            int statsPort = FreePorts.pick();
            Path yaml = dir.resolve("nutcracker.yml");
            Files.writeString(yaml, pool(port, redis, 100));
            Path log = dir.resolve("nutcracker.log");
            Path pid = dir.resolve("nutcracker.pid");

            JarProcess test = JarProcess.run("nutcracker", "-t", "-c", yaml.toString(), "-d");
            assertEquals(0, test.exit(), test.stderr());
            assertTrue(test.stderr().contains("syntax is ok"), test.stderr());

            try (JarProcess proxy = JarProcess.start("nutcracker", "-c", yaml.toString(), "-s",
                    Integer.toString(statsPort), "-a", "127.0.0.1", "--admin-listen", "127.0.0.1:" + FreePorts.pick(),
                    "-o", log.toString(), "-p", pid.toString(), "-v", "6", "-i", "10000", "-m", "16384",
                    "--carrier-threads", "1")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", port));
                assertTrue(stats(statsPort).contains("\"service\""), "twemproxy's stats port on -a:-s");
                assertEquals(Long.toString(proxy.process().pid()), Files.readString(pid).strip());
                assertTrue(Files.readString(log).contains("running with " + yaml), "the log went to -o");

                // logrotate moves the log, then sends SIGHUP (Debian's postrotate does, through the init script).
                Files.move(log, dir.resolve("nutcracker.log.1"));
                Files.writeString(yaml, pool(port, redis, 250));
                proxy.signal("HUP");
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(log)
                        && Files.readString(log).contains("SIGHUP: reloaded"));
                assertTrue(Harness.answersPing("127.0.0.1", port));
                assertTrue(stats(statsPort).contains("\"service\""), "a YAML reload keeps the stats port");

                proxy.signal("TERM");
                assertTrue(proxy.process().waitFor(30, TimeUnit.SECONDS), "stopped after SIGTERM");
            }
        }
    }

    @Test
    void runCheckAndConvertTakeTheSameYamlFile() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Path dir = Files.createTempDirectory(Harness.dir(), "nutcracker-cli-");
            int port = FreePorts.pick();
            Path yaml = dir.resolve("nutcracker.yml");
            Files.writeString(yaml, pool(port, redis, 100));

            JarProcess check = JarProcess.run("check", yaml.toString());
            assertEquals(0, check.exit(), check.stderr());

            JarProcess converted = JarProcess.run("convert", yaml.toString());
            assertEquals(0, converted.exit(), converted.stderr());
            Path toml = dir.resolve("rproxy.toml");
            Files.writeString(toml, converted.stdout());
            assertTrue(converted.stdout().contains("timeout = 100"), converted.stdout());
            JarProcess checkToml = JarProcess.run("check", toml.toString());
            assertEquals(0, checkToml.exit(), checkToml.stderr());

            Path odd = dir.resolve("nutcracker.conf");
            Files.writeString(odd, "pool:\n  listen: 127.0.0.1:" + port + "\n  redis: true\n  timeout: abc\n"
                    + "  servers:\n    - " + redis.address() + ":1\n");
            JarProcess bad = JarProcess.run("check", "--format", "yaml", odd.toString());
            assertEquals(1, bad.exit());
            assertTrue(bad.stderr().contains(odd + ":4: pool.timeout: expected an integer, got 'abc'"), bad.stderr());

            try (JarProcess proxy = JarProcess.start("run", "--carrier-threads", "1", yaml.toString())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", port));
                proxy.signal("TERM");
                assertTrue(proxy.process().waitFor(30, TimeUnit.SECONDS));
            }
        }
    }

    private static String pool(int port, RedisServer redis, int timeout) {
        return "pool:\n  listen: 127.0.0.1:" + port + "\n  redis: true\n  hash: fnv1a_64\n  distribution: ketama\n"
                + "  timeout: " + timeout + "\n  client_connections: 50\n  servers:\n    - " + redis.address()
                + ":1 one\n";
    }

    private static String stats(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
