package io.rproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rproxy.harness.Harness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The built jar run as {@code bin/rproxy} runs it, in a process of its own: what a test needs when the JVM's
 * settings matter (one carrier thread, an open-files limit), signals do, or the command line itself is under test.
 * Output goes to files: {@code Process.destroy()} closes the pipes, and a full pipe would stall the proxy.
 * {@link #close} kills what is still running; the test thread runs all of it.
 */
final class JarProcess implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private JarProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** {@code java -jar rproxy.jar args...}. */
    static JarProcess start(String... args) {
        return startWrapped(List.of(), args);
    }

    /**
     * {@code wrapper... java -jar rproxy.jar args...}: for a wrapper that sets something up and then execs the
     * rest of its arguments (e.g. {@code bash -c 'ulimit -n 128 && exec "$@"' rproxy}), so the pid is the JVM's.
     */
    static JarProcess startWrapped(List<String> wrapper, String... args) {
        String jar = Objects.requireNonNull(System.getProperty("rproxy.jar"),
                "system property rproxy.jar is set by failsafe after `package`: run this class with mvn verify");
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", jar));
        command.addAll(List.of(args));
        try {
            Path stdout = Files.createTempFile(Harness.dir(), "jar-", ".out");
            Path stderr = Files.createTempFile(Harness.dir(), "jar-", ".err");
            Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile()).start();
            return new JarProcess(process, stdout, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs a command to its end: fails the test, after killing the process, unless it exits within 60 s. Nothing is
     * left to close.
     */
    static JarProcess run(String... args) throws InterruptedException {
        JarProcess jar = start(args);
        if (!jar.process.waitFor(60, TimeUnit.SECONDS)) {
            jar.close();
            fail("still running after 60 s: " + String.join(" ", args));
        }
        return jar;
    }

    Process process() {
        return process;
    }

    /** The exit code of a process that has exited. */
    int exit() {
        return process.exitValue();
    }

    /** What the process wrote to stdout so far. */
    String stdout() {
        return read(stdout);
    }

    /** What the process wrote to stderr so far: a running proxy's log. */
    String stderr() {
        return read(stderr);
    }

    /** {@code kill -NAME pid}, which must succeed. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill -" + name + " finished");
        assertEquals(0, kill.exitValue(), "kill -" + name);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills what is still running and waits for it to be gone, so no test leaves a process behind. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
