package io.rproxy.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import redis.clients.jedis.Jedis;

/**
 * A real Redis server on a free loopback port, for integration tests: started, crashed, frozen and restarted
 * on demand. Without persistence: a restart comes back empty.
 *
 * <p>It runs {@code redis-server --dir <dir> --port P --bind 127.0.0.1 --set-proc-title no --daemonize no
 * --appendonly no --save ""} plus the caller's arguments, where {@code <dir>} is a fresh folder under
 * {@link Harness#dir()} holding its log ({@code redis.log}). Without a redis-server binary it falls back to a
 * redis:7.0 container when a Docker engine is available, and otherwise fails saying what to install. Every
 * server is tracked by {@link ProcessRegistry#global()}, so none outlives the test JVM. Meant for one test
 * thread at a time.
 */
public final class RedisServer implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final int port;
    private final Path dir;
    private final RedisRunner runner;
    /** Whether the port speaks TLS only (then readiness is an accepted connection, not a plain PING). */
    private final boolean tls;

    private RedisServer(int port, Path dir, RedisRunner runner, boolean tls) {
        this.port = port;
        this.dir = dir;
        this.runner = runner;
        this.tls = tls;
    }

    /**
     * Starts a server and returns once it answers PING.
     *
     * @param extraArgs more redis-server arguments, e.g. {@code "--enable-debug-command", "yes"}
     */
    public static RedisServer start(String... extraArgs) {
        return start(false, port -> List.of(extraArgs));
    }

    /**
     * Starts a server that speaks TLS only, on its port ({@code --port 0 --tls-port P}), with these PEM files
     * ({@code --tls-cert-file}, {@code --tls-key-file}, {@code --tls-ca-cert-file}), and returns once the port
     * accepts connections. redis-server then asks clients for a certificate signed by {@code caCert} unless
     * {@code extraArgs} say {@code --tls-auth-clients no}. Needs a local redis-server built with TLS (Debian's is).
     * {@link #jedis()} does not speak TLS: connect with TLS yourself.
     */
    public static RedisServer startTls(Path cert, Path key, Path caCert, String... extraArgs) {
        return start(true, port -> {
            List<String> args = new java.util.ArrayList<>(List.of("--port", "0", "--tls-port", Integer.toString(port),
                    "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
                    "--tls-ca-cert-file", caCert.toString()));
            args.addAll(List.of(extraArgs));
            return args;
        });
    }

    private static RedisServer start(boolean tls, java.util.function.IntFunction<List<String>> extraArgs) {
        Optional<Path> binary = Harness.findBinary("redis-server");
        if (binary.isEmpty()) {
            if (tls) {
                throw new HarnessException("a TLS redis-server needs a local redis-server binary (apt-get install"
                        + " redis-server)");
            }
            Harness.requireRedis();
        }
        return FreePorts.startOnFreePort("redis-server", port -> {
            Path dir = Harness.newWorkDir("redis-" + port + "-");
            RedisRunner runner = binary.isPresent()
                    ? new LocalRedis(binary.get(), port, dir, extraArgs.apply(port))
                    : new DockerRedis(port, extraArgs.apply(port));
            RedisServer server = new RedisServer(port, dir, runner, tls);
            try {
                server.launchAndAwait();
                return server;
            } catch (HarnessException e) {
                runner.close();
                throw runner.lostPortRace() ? new FreePorts.PortTaken(e) : e;
            }
        });
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as proxy configurations spell a server. */
    public String address() {
        return HOST + ":" + port;
    }

    /** The folder with this server's files; its path is in the server's command line. */
    public Path dir() {
        return dir;
    }

    /** The operating-system pid, when the server is a local process. */
    public OptionalLong pid() {
        return runner.pid();
    }

    public boolean isAlive() {
        return runner.isAlive();
    }

    /** Shuts the server down cleanly (SIGTERM, resuming it first if paused) and waits for it to be gone. */
    public void stop() {
        runner.stop(STOP_GRACE);
    }

    /** Crashes the server (SIGKILL) and waits for it to be gone: open connections see a reset or EOF. */
    public void kill() {
        runner.signal("KILL");
    }

    /**
     * Freezes the server (SIGSTOP): its socket still accepts connections into the backlog, but nothing is read
     * or answered, which is what a hung or overloaded server looks like to a proxy.
     */
    public void pause() {
        runner.signal("STOP");
    }

    /** Lets a paused server run again (SIGCONT); it then answers everything that queued up. */
    public void resume() {
        runner.signal("CONT");
    }

    /** Starts the server again on the same port (stopping it first if it runs) and waits for PING. */
    public void restart() {
        stop();
        launchAndAwait();
    }

    /**
     * Starts a server that was stopped or killed again on its port and waits for PING, so that a test can choose
     * how long the server stays away ({@link #restart()} brings it back at once). A no-op when it runs.
     */
    public void startAgain() {
        if (!runner.isAlive()) {
            launchAndAwait();
        }
    }

    /** A new client connection; the caller closes it. */
    public Jedis jedis() {
        return new Jedis(HOST, port);
    }

    /** A new client connection with the given connect and read timeout; the caller closes it. */
    public Jedis jedis(Duration timeout) {
        return new Jedis(HOST, port, (int) timeout.toMillis());
    }

    public void flushAll() {
        try (Jedis jedis = jedis()) {
            jedis.flushAll();
        }
    }

    /** The end of the server's log. */
    public String log() {
        return runner.log();
    }

    /** Stops the server and releases everything it holds. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            runner.close();
        }
    }

    @Override
    public String toString() {
        return "redis-server " + address() + " (" + dir + ")";
    }

    private void launchAndAwait() {
        runner.launch();
        Harness.awaitReady("redis-server on " + address(), STARTUP, () -> !runner.isAlive(),
                () -> tls ? runner.log().contains("Ready to accept connections") && Harness.accepts(HOST, port)
                        : Harness.answersPing(HOST, port), runner::log);
    }
}
