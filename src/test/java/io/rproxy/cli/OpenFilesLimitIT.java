package io.rproxy.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.admin.RespClient;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The built jar under a low open-files limit, filled up by idle clients: the listeners must pause instead of
 * spinning on "Too many open files" (a scrape of /metrics waiting to be accepted included), log the failures a few
 * times rather than thousands, count them in STATUS and /metrics, keep serving the clients they have, and accept
 * again soon after descriptors are freed.
 */
class OpenFilesLimitIT {
    /** The JVM takes about 20 descriptors at start, so this leaves room for about a hundred clients. */
    private static final int LIMIT = 128;
    /** Linux reports utime and stime in clock ticks of 1/100 s (USER_HZ), whatever the kernel's HZ. */
    private static final double TICKS_PER_SECOND = 100;
    /** A scrape as Prometheus sends it, less its optional headers. */
    private static final byte[] SCRAPE = ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Accept: text/plain;version=0.0.4\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private final List<Socket> idle = new ArrayList<>();
    private JarProcess proxy;

    @AfterEach
    void stop() throws Exception {
        closeIdle();
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void atTheLimitTheListenerPausesLogsACountAndRecovers() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            int port = FreePorts.pick();
            int adminPort = FreePorts.pick();
            int metricsPort = FreePorts.pick();
            Path config = Files.createTempFile(Harness.dir(), "fdlimit-", ".toml");
            Files.writeString(config, "[admin]\nlisten = \"127.0.0.1:" + adminPort + "\"\n\n"
                    + "[metrics]\nlisten = \"127.0.0.1:" + metricsPort + "\"\n\n"
                    + "[pools.p]\nlisten = \"127.0.0.1:" + port + "\"\n"
                    + "servers = [\"" + redis.address() + ":1 r1\"]\n");
            // bash sets the limit (soft and hard) and execs java, so the process's pid is the JVM's.
            proxy = JarProcess.startWrapped(List.of("bash", "-c", "ulimit -n " + LIMIT + " && exec \"$@\"", "rproxy"),
                    "run", "--carrier-threads", "1", config.toString());
            await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", port));
            // The listeners serve before the start-up lines are written.
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.stderr()
                    .contains("the open-files limit " + LIMIT + " is low"));
            assertTrue(proxy.stderr().contains("; open-files limit " + LIMIT), proxy.stderr());

            try (RespClient existing = new RespClient(port); RespClient admin = new RespClient(adminPort)) {
                assertEquals("+OK", existing.line("SET", "fd", "kept")); // its backend connection is open now
                fillUp(port);
                await().atMost(Duration.ofSeconds(30)).until(() -> proxy.stderr()
                        .contains("Too many open files"));
                // The admin and metrics listeners fail to accept these too; the scrape waits with its request sent.
                try (Socket queuedAdmin = connect(adminPort); Socket queuedScrape = connect(metricsPort)) {
                    queuedScrape.getOutputStream().write(SCRAPE);
                    double cpu = cpuShareOverSeconds(3);
                    String share = Math.round(cpu * 100) + "% of one core";
                    System.out.println("CPU at the limit, a scrape waiting: " + share);
                    assertTrue(cpu < 0.30, "CPU at the limit: " + share);

                    assertEquals("kept", existing.text("GET", "fd"), "an existing client is still served");
                    Map<String, Object> status = JsonReader.parseObject(admin.text("STATUS"));
                    assertEquals((long) LIMIT, status.get("open_files_limit"));
                    assertTrue(acceptErrors(status) > 0, status.toString());

                    closeIdle();
                    queuedScrape.setSoTimeout(10_000);
                    String answer = new String(queuedScrape.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(answer.startsWith("HTTP/1.1 200 "), "the waiting scrape is answered once "
                            + "descriptors are free: " + answer.lines().findFirst().orElse(""));
                }
            }
            long lines = proxy.stderr().lines()
                    .filter(l -> l.contains("Too many open files")).count();
            assertTrue(lines >= 1 && lines <= 20, lines + " log lines about failed accepts");

            await().atMost(Duration.ofSeconds(5)).until(() -> Harness.answersPing("127.0.0.1", port));
            String metrics = metrics(metricsPort);
            assertTrue(metrics.contains("\nprocess_max_fds " + LIMIT + "\n"), metrics);
            Matcher failed = Pattern.compile("\nrproxy_pool_accept_errors_total\\{pool=\"p\"} (\\d+)\n")
                    .matcher(metrics);
            assertTrue(failed.find() && Long.parseLong(failed.group(1)) > 0, metrics);
        }
    }

    /** Opens idle clients past the limit: the ones the proxy cannot accept wait in the listen queue. */
    private void fillUp(int port) throws IOException {
        for (int i = 0; i < LIMIT + 32; i++) {
            idle.add(connect(port));
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return socket;
    }

    private void closeIdle() throws IOException {
        for (Socket socket : idle) {
            socket.close();
        }
        idle.clear();
    }

    /**
     * The proxy's CPU time (user + system, from /proc/PID/stat) over a window of wall-clock time, as a share of
     * one core. The sleep is the measuring window, not a wait for something to happen.
     */
    private double cpuShareOverSeconds(int seconds) throws Exception {
        long before = cpuTicks();
        long start = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(seconds));
        long ticks = cpuTicks() - before;
        double elapsed = (System.nanoTime() - start) / 1e9;
        return ticks / TICKS_PER_SECOND / elapsed;
    }

    private long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + proxy.process().pid() + "/stat"));
        // Fields after the command name in parentheses (which may hold spaces): state is the first, utime the 12th.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    @SuppressWarnings("unchecked")
    private static long acceptErrors(Map<String, Object> status) {
        Map<String, Object> active = (Map<String, Object>) status.get("active");
        Map<String, Object> pool = (Map<String, Object>) ((Map<String, Object>) active.get("pools")).get("p");
        return (Long) pool.get("accept_errors");
    }

    private static String metrics(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }
}
