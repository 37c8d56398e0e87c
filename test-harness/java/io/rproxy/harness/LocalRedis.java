package io.rproxy.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** A redis-server child process, its files in one folder under the harness dir (named by {@code --dir}). */
final class LocalRedis implements RedisRunner {
    private final List<String> command;
    private final Path dir;
    private final Path log;
    private Process process;
    private boolean paused;

    LocalRedis(Path binary, int port, Path dir, List<String> extraArgs) {
        this.dir = dir;
        this.log = dir.resolve("redis.log");
        // --dir is the marker test-harness/test sweeps leftovers by: --set-proc-title no keeps it in the process
        // title, and it comes before the empty argument of --save, where ProcessHandle.Info stops reading.
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--dir", dir.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--set-proc-title", "no",
                "--daemonize", "no", "--appendonly", "no", "--save", ""));
        cmd.addAll(extraArgs);
        this.command = List.copyOf(cmd);
    }

    @Override
    public void launch() {
        process = ProcessRegistry.global().start(new ProcessBuilder(command).directory(dir.toFile()), log);
    }

    @Override
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void signal(String signal) {
        if (!isAlive()) {
            throw new HarnessException("redis-server in " + dir + " is not running");
        }
        Harness.signal(process.pid(), signal);
        paused = signal.equals("STOP");
        if (signal.equals("KILL")) {
            await(Duration.ofSeconds(10));
        }
    }

    @Override
    public void stop(Duration grace) {
        if (!isAlive()) {
            return;
        }
        if (paused) {
            // SIGTERM would stay pending on a process stopped with SIGSTOP.
            signal("CONT");
        }
        process.destroy();
        if (!await(grace)) {
            process.destroyForcibly();
            await(Duration.ofSeconds(10));
        }
    }

    @Override
    public boolean lostPortRace() {
        return Harness.tail(log, 4000).contains("Address already in use");
    }

    @Override
    public String log() {
        return Harness.tail(log, 4000);
    }

    @Override
    public OptionalLong pid() {
        return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
    }

    @Override
    public void close() {
        if (isAlive()) {
            process.destroyForcibly();
            await(Duration.ofSeconds(10));
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }

    private boolean await(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted while waiting for redis-server in " + dir + " to exit", e);
        }
    }
}
