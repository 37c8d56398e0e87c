package io.rproxy.harness;


import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Entry points shared by the harness classes and the integration tests: where the harness keeps its files,
 * where the external tools are, and whether a Redis-speaking port answers.
 *
 * <p>Missing tools are errors, never skips: a test that needs {@code redis-server} fails with a message that
 * says what to install.
 */
public final class Harness {
    /** Binaries are searched on PATH first, then here: Debian puts nutcracker in /usr/sbin, not on a user's PATH. */
    private static final List<String> EXTRA_BIN_DIRS = List.of("/usr/local/bin", "/usr/bin", "/usr/local/sbin",
            "/usr/sbin", "/opt/homebrew/bin");
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

    private Harness() {}

    /**
     * The folder under which every harness process keeps its files ({@code rproxy.harness.dir}, set by the
     * build to {@code target/harness}). Its path is in the command line of every process the harness starts,
     * which is how {@code test-harness/test} finds leftovers.
     */
    public static Path dir() {
        Path dir = Paths.get(System.getProperty("rproxy.harness.dir", "target/harness")).toAbsolutePath().normalize();
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create harness dir " + dir, e);
        }
    }

    /** A fresh folder under {@link #dir()} whose name starts with {@code prefix}. */
    static Path newWorkDir(String prefix) {
        try {
            return Files.createTempDirectory(dir(), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work dir under " + dir(), e);
        }
    }

    /**
     * The executable {@code name} on PATH or in the usual bin folders; or, when the system property
     * {@code rproxy.harness.path} is set (a PATH-style list, e.g. to try another Redis build), only there.
     */
    public static Optional<Path> findBinary(String name) {
        return searchPath().stream()
                .map(d -> Paths.get(d, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static List<String> searchPath() {
        Set<String> dirs = new LinkedHashSet<>();
        String override = System.getProperty("rproxy.harness.path");
        if (override != null) {
            dirs.addAll(List.of(override.split(java.io.File.pathSeparator)));
        } else {
            String path = System.getenv("PATH");
            if (path != null) {
                dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
            }
            dirs.addAll(EXTRA_BIN_DIRS);
        }
        dirs.remove("");
        return List.copyOf(dirs);
    }

    /** The executable {@code name}, or a {@link HarnessException} saying which Debian package brings it. */
    public static Path requireTool(String name, String debianPackage) {
        return findBinary(name).orElseThrow(() -> new HarnessException(
                name + " not found in " + searchPath() + "; install it, e.g. `apt-get install -y "
                        + debianPackage + "` (or run test-harness/test, which installs what the tests need)"));
    }

    /**
     * Fails unless {@link RedisServer#start} can work: a {@code redis-server} binary, or else a Docker engine
     * for the Testcontainers fallback.
     */
    public static void requireRedis() {
        if (findBinary("redis-server").isEmpty() && !DockerRedis.isAvailable()) {
            throw new HarnessException("redis-server not found in " + searchPath()
                    + ", and no Docker engine for the redis:7.0 fallback; install it, e.g. "
                    + "`apt-get install -y redis-server` (or run test-harness/test, which installs what the tests need)");
        }
    }

    /** The {@code nutcracker} (twemproxy) binary, or a clear failure. */
    public static Path requireNutcracker() {
        return requireTool("nutcracker", "nutcracker");
    }

    /** The {@code redis-cli} binary (package redis-tools), or a clear failure. */
    public static Path requireRedisCli() {
        return requireTool("redis-cli", "redis-tools");
    }

    /**
     * Whether {@code host:port} accepts a connection and answers PING as a ready server does: {@code +PONG}, or
     * {@code -NOAUTH} from one that wants a password.
     */
    public static boolean answersPing(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write(PING);
            socket.getOutputStream().flush();
            String line = readLine(socket.getInputStream());
            return line.equals("+PONG") || line.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether anything accepts TCP connections on {@code host:port}. */
    public static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends {@code signal} (e.g. "STOP", "CONT", "KILL") to a process through {@code kill(1)}. */
    static void signal(long pid, String signal) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal, Long.toString(pid)));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new HarnessException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", command) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /**
     * Polls until {@code ready} holds, failing early once {@code exited} holds and failing at the deadline;
     * both failures carry {@code diagnostics} (the server's log).
     */
    static void awaitReady(String what, Duration timeout, BooleanSupplier exited, BooleanSupplier ready,
            Supplier<String> diagnostics) {
        try {
            Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(POLL_INTERVAL).until(() -> {
                if (ready.getAsBoolean()) {
                    return true;
                }
                if (exited.getAsBoolean()) {
                    throw new HarnessException(what + " exited during startup; its log:\n" + diagnostics.get());
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new HarnessException(what + " not ready after " + timeout + "; its log:\n" + diagnostics.get());
        }
    }

    /** The last {@code maxChars} characters of a log file, or a note saying why there are none. */
    static String tail(Path file, int maxChars) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() <= maxChars ? text : "..." + text.substring(text.length() - maxChars);
        } catch (IOException e) {
            return "(no log at " + file + ": " + e + ")";
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != -1 && b != '\n' && line.length() < 512; b = in.read()) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
