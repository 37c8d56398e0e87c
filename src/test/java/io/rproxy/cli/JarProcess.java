package io.rproxy.cli;

import io.rproxy.harness.Harness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The built jar run as {@code bin/rproxy} runs it, in a process of its own: what a test needs when the JVM's
 * settings matter (one carrier thread) or signals do. Output goes to files: {@code Process.destroy()} closes the
 * pipes, and a full pipe would stall the proxy. {@link #close} kills what is still running.
 */
final class JarProcess implements AutoCloseable {
    private final Process process;
    private final Path stderr;

    private JarProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    static JarProcess start(String... args) {
        String jar = Objects.requireNonNull(System.getProperty("rproxy.jar"),
                "system property rproxy.jar is set by failsafe after `package`: run this class with mvn verify");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-jar", jar));
        command.addAll(List.of(args));
        try {
            Path stdout = Files.createTempFile(Harness.dir(), "jar-", ".out");
            Path stderr = Files.createTempFile(Harness.dir(), "jar-", ".err");
            Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile()).start();
            return new JarProcess(process, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Process process() {
        return process;
    }

    /** What the proxy logged so far. */
    String log() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
