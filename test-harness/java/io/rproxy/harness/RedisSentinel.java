package io.rproxy.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * One real Redis Sentinel on a free loopback port: {@code redis-server <dir>/sentinel.conf --sentinel} (what the
 * Debian package's {@code redis-sentinel} runs), its configuration file written in a fresh folder under
 * {@link Harness#dir()} (whose path is in its command line, so {@code test-harness/test} finds leftovers), its log
 * beside it. Tracked by {@link ProcessRegistry#global()}. Meant for one test thread at a time.
 */
public final class RedisSentinel implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP = Duration.ofSeconds(15);

    private final int port;
    private final Path dir;
    private final Path log;
    private final List<String> command;
    private Process process;

    private RedisSentinel(int port, Path dir, Path binary) {
        this.port = port;
        this.dir = dir;
        this.log = dir.resolve("sentinel.log");
        this.command = List.of(binary.toString(), dir.resolve("sentinel.conf").toString(), "--sentinel");
    }

    /**
     * Starts a sentinel whose configuration is {@code monitors} (lines such as
     * {@code sentinel monitor m1 127.0.0.1 7001 2}) and returns once it answers PING.
     */
    public static RedisSentinel start(List<String> monitors) {
        Path binary = Harness.requireTool("redis-server", "redis-server");
        return FreePorts.startOnFreePort("redis-sentinel", port -> {
            RedisSentinel sentinel = new RedisSentinel(port, Harness.newWorkDir("redis-sentinel-" + port + "-"), binary);
            sentinel.writeConfig(monitors);
            try {
                sentinel.launch();
                return sentinel;
            } catch (HarnessException e) {
                sentinel.close();
                if (Harness.tail(sentinel.log, 4000).contains("Address already in use")) {
                    throw new FreePorts.PortTaken(e);
                }
                throw e;
            }
        });
    }

    private void writeConfig(List<String> monitors) {
        StringBuilder conf = new StringBuilder()
                .append("port ").append(port).append('\n')
                .append("bind ").append(HOST).append('\n')
                .append("dir ").append(dir).append('\n')
                .append("set-proc-title no\n"); // keeps the harness folder in the process's command line
        monitors.forEach(line -> conf.append(line).append('\n'));
        try {
            Files.writeString(dir.resolve("sentinel.conf"), conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        process = ProcessRegistry.global().start(new ProcessBuilder(command).directory(dir.toFile()), log);
        Harness.awaitReady("redis-sentinel on " + address(), STARTUP, () -> !process.isAlive(),
                () -> Harness.answersPing(HOST, port), () -> Harness.tail(log, 4000));
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return HOST + ":" + port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** A new client connection; the caller closes it. */
    public Jedis jedis() {
        return new Jedis(HOST, port, 5000);
    }

    /** Crashes the sentinel (SIGKILL) and waits for it to be gone. */
    public void kill() {
        if (isAlive()) {
            process.destroyForcibly();
            await();
        }
    }

    /** The end of its log. */
    public String log() {
        return Harness.tail(log, 4000);
    }

    @Override
    public void close() {
        kill();
    }

    private void await() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new HarnessException("redis-sentinel " + address() + " did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted waiting for redis-sentinel " + address(), e);
        }
    }

    @Override
    public String toString() {
        return "redis-sentinel " + address() + " (" + dir + ")";
    }
}
