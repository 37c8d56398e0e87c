package io.rproxy.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.admin.RespClient;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespLimits;
import io.rproxy.resp.RespReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Nothing on the admin side stops the data path, even with the one carrier thread that {@code --carrier-threads 1}
 * leaves (a busy-waiting virtual thread there holds the only carrier, and nothing else runs again). These run the
 * jar in a process of their own, because the carrier count is a setting of the whole JVM.
 */
class AdminNeverStallsIT {
    private static final int RELOADS = 100;

    @Test
    void statusPolledWhileReloadsRemoveAndReAddAPoolStallsNothing() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            int adminPort = FreePorts.pick();
            int kept = FreePorts.pick();
            int removed = FreePorts.pick();
            String one = admin(adminPort) + pool("kept", kept, redis);
            Path small = write(one);
            Path full = write(one + pool("removed", removed, redis));
            try (JarProcess proxy = JarProcess.start("run", "--carrier-threads", "1", full.toString())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", removed));
                AtomicBoolean polling = new AtomicBoolean(true);
                AtomicInteger statuses = new AtomicInteger();
                Thread poller = Thread.ofPlatform().name("status-poller").start(() -> poll(adminPort, polling,
                        statuses));
                int answered = 0;
                try (RespClient admin = new RespClient(adminPort)) {
                    for (int i = 0; i < RELOADS; i++) {
                        Path next = i % 2 == 0 ? small : full;
                        String reply = admin.line("RELOAD", next.toString());
                        assertTrue(reply.startsWith("+OK reloaded " + next), reply);
                        answered++;
                    }
                } catch (UncheckedIOException e) {
                    // A RELOAD that gets no answer in 10 s: the proxy is stuck; the assertion below says how far.
                } finally {
                    polling.set(false);
                    poller.join(Duration.ofSeconds(15));
                }
                System.out.println("RELOADs answered: " + answered + " of " + RELOADS + "; STATUS answered while "
                        + "they ran: " + statuses.get());
                assertEquals(RELOADS, answered, "RELOADs answered while STATUS was polled");
                assertTrue(statuses.get() > 0, "STATUS was answered meanwhile");
                assertTrue(Harness.answersPing("127.0.0.1", kept), "the kept pool answers PING after");
                assertTrue(Harness.answersPing("127.0.0.1", removed), "the re-added pool answers PING after");
            }
        }
    }

    /** STATUS again and again until told to stop or the proxy stops answering. */
    private static void poll(int adminPort, AtomicBoolean polling, AtomicInteger statuses) {
        try (RespClient admin = new RespClient(adminPort)) {
            while (polling.get()) {
                admin.text("STATUS");
                statuses.incrementAndGet();
            }
        } catch (UncheckedIOException e) {
            // no answer in 10 s: counted by what did answer
        }
    }

    @Test
    void aLoadOfWhatIsNotARegularFileOrTooLargeIsRefusedAtOnceAndNothingStalls() throws Exception {
        Path dir = Files.createTempDirectory(Harness.dir(), "not-a-file-");
        Path fifo = mkfifo(dir.resolve("config.fifo"));
        Path large = dir.resolve("large.toml");
        Files.writeString(large, ("#" + "x".repeat(1023) + "\n").repeat(5 * 1024)); // 5 MiB of comments
        try (RedisServer redis = RedisServer.start()) {
            int adminPort = FreePorts.pick();
            int pool = FreePorts.pick();
            Path config = write(admin(adminPort) + pool("web", pool, redis));
            try (JarProcess proxy = JarProcess.start("run", "--carrier-threads", "1", config.toString())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", pool));
                assertRefusedAtOnce(adminPort, pool, fifo, "is not a regular file");
                assertRefusedAtOnce(adminPort, pool, Path.of("/dev/zero"), "is not a regular file");
                assertRefusedAtOnce(adminPort, pool, dir, "is a directory");
                assertRefusedAtOnce(adminPort, pool, large, "is larger than");
                assertTrue(Harness.answersPing("127.0.0.1", pool));
            }
        }
    }

    /**
     * Sends {@code LOAD file} and, before reading its answer, checks that the pool answers PING and the admin port
     * PING and CANCEL on another connection; then that the LOAD was refused, at once, for {@code reason}.
     */
    private static void assertRefusedAtOnce(int adminPort, int pool, Path file, String reason) throws IOException {
        try (Socket loading = new Socket()) {
            loading.connect(new InetSocketAddress("127.0.0.1", adminPort), 5000);
            loading.setSoTimeout(5000);
            long begin = System.nanoTime();
            loading.getOutputStream().write(RespCommand.of("LOAD", file.toString()).frame());
            loading.getOutputStream().flush();
            assertTrue(Harness.answersPing("127.0.0.1", pool), "the pool answers PING during LOAD " + file);
            try (RespClient admin = new RespClient(adminPort)) {
                assertEquals("+PONG", admin.line("PING"), "admin PING during LOAD " + file);
                assertEquals("-ERR no configuration is staged; there is nothing to cancel", admin.line("CANCEL"));
            }
            Reply reply = new RespReader(loading.getInputStream(), RespLimits.DEFAULT).readReply();
            long millis = (System.nanoTime() - begin) / 1_000_000;
            String line = new String(reply.bytes(), StandardCharsets.UTF_8).strip();
            System.out.println("LOAD " + file + ": " + line + " (" + millis + " ms)");
            assertTrue(line.startsWith("-ERR " + file + ": " + reason), line);
            assertTrue(millis < 3000, "refused in " + millis + " ms");
        }
    }

    @Test
    void sigtermDuringALoadOfAFifoStopsTheProxy() throws Exception {
        Path fifo = mkfifo(Files.createTempDirectory(Harness.dir(), "fifo-").resolve("config.fifo"));
        try (RedisServer redis = RedisServer.start()) {
            int adminPort = FreePorts.pick();
            int pool = FreePorts.pick();
            Path config = write(admin(adminPort) + pool("web", pool, redis));
            try (JarProcess proxy = JarProcess.start("run", "--carrier-threads", "1", config.toString());
                 Socket loading = new Socket()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", pool));
                loading.connect(new InetSocketAddress("127.0.0.1", adminPort), 5000);
                loading.getOutputStream().write(RespCommand.of("LOAD", fifo.toString()).frame());
                loading.getOutputStream().flush();
                System.out.println("LOAD of a FIFO, before SIGTERM: " + answerWithin(loading, Duration.ofSeconds(2)));
                long begin = System.nanoTime();
                proxy.process().destroy(); // SIGTERM
                boolean stopped = proxy.process().waitFor(30, TimeUnit.SECONDS);
                System.out.println("SIGTERM during LOAD of a FIFO: " + (stopped ? "stopped in "
                        + (System.nanoTime() - begin) / 1_000_000 + " ms" : "still running after 30 s"));
                assertTrue(stopped, "stopped after SIGTERM; log:\n" + proxy.stderr());
            }
        }
    }

    @Test
    void sighupWhenTheConfigurationFileIsNowAFifoIsRefusedAndSigtermStillStops() throws Exception {
        Path dir = Files.createTempDirectory(Harness.dir(), "hup-");
        try (RedisServer redis = RedisServer.start()) {
            int adminPort = FreePorts.pick();
            int pool = FreePorts.pick();
            Path config = dir.resolve("rproxy.toml");
            Files.writeString(config, admin(adminPort) + pool("web", pool, redis));
            try (JarProcess proxy = JarProcess.start("run", "--carrier-threads", "1", config.toString())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", pool));
                await().atMost(Duration.ofSeconds(10)).until(() -> proxy.stderr().contains(" running with "));
                Files.delete(config);
                mkfifo(config);
                proxy.signal("HUP");
                await().atMost(Duration.ofSeconds(10)).until(() -> proxy.stderr().contains("SIGHUP: the reload of "
                        + config + " failed; the active configuration is unchanged: " + config
                        + ": is not a regular file"));
                assertTrue(Harness.answersPing("127.0.0.1", pool), "the pool answers PING after");
                proxy.process().destroy(); // SIGTERM
                assertTrue(proxy.process().waitFor(30, TimeUnit.SECONDS), "stopped after SIGTERM");
            }
        }
    }

    /**
     * The reply on {@code socket} if it comes within {@code timeout}; else says so (the LOAD is then still blocked:
     * the state the SIGTERM must cope with).
     */
    private static String answerWithin(Socket socket, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            Reply reply = new RespReader(socket.getInputStream(), RespLimits.DEFAULT).readReply();
            return new String(reply.bytes(), StandardCharsets.UTF_8).strip();
        } catch (SocketTimeoutException e) {
            return "no answer in " + timeout.toMillis() + " ms";
        }
    }

    private static Path mkfifo(Path path) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo " + path);
        return path;
    }

    private static String admin(int port) {
        return "[admin]\nlisten = \"127.0.0.1:" + port + "\"\n\n";
    }

    private static String pool(String name, int port, RedisServer redis) {
        return "[pools." + name + "]\nlisten = \"127.0.0.1:" + port + "\"\nservers = [\"" + redis.address() + ":1 "
                + name + "1\"]\n\n";
    }

    private static Path write(String toml) throws IOException {
        Path file = Files.createTempFile(Harness.dir(), "stall-", ".toml");
        Files.writeString(file, toml);
        return file;
    }
}
