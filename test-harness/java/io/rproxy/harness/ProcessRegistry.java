package io.rproxy.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process (and container) the harness started and has not yet seen end.
 *
 * <p>{@link #close()} ends them all with SIGKILL: harness servers keep no data worth a clean shutdown, and
 * SIGKILL also ends a process that a test left paused with SIGSTOP. The {@link #global() global} registry,
 * which {@link RedisServer} and {@link Nutcracker} use, is also closed by a JVM shutdown hook, so a failing or
 * aborted test run leaves nothing behind. (Only a JVM killed with SIGKILL skips the hook; test-harness/test
 * sweeps up after that.) Any thread may call any method.
 */
public final class ProcessRegistry implements AutoCloseable {
    private static final ProcessRegistry GLOBAL = new ProcessRegistry();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(GLOBAL::close, "harness-process-reaper"));
    }

    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private final Set<AutoCloseable> others = ConcurrentHashMap.newKeySet();

    /** A registry of its own, for a test that wants to end a group of processes at once. */
    public ProcessRegistry() {}

    /** The registry that every harness server is tracked in. */
    public static ProcessRegistry global() {
        return GLOBAL;
    }

    /**
     * Starts {@code builder}'s command with its output appended to {@code log}, and tracks the process.
     */
    public Process start(ProcessBuilder builder, Path log) {
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            Process process = builder.start();
            processes.add(process);
            process.onExit().thenRun(() -> processes.remove(process));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", builder.command()), e);
        }
    }

    /** Tracks something that is not a local process (a container); {@link #close()} closes it. */
    public void track(AutoCloseable resource) {
        others.add(resource);
    }

    /** Stops tracking a resource its owner has closed. */
    public void untrack(AutoCloseable resource) {
        others.remove(resource);
    }

    /** The processes still running. */
    public List<Process> processes() {
        return processes.stream().filter(Process::isAlive).toList();
    }

    /** Kills every tracked process (and waits for it to be gone) and closes every tracked resource. */
    @Override
    public void close() {
        List<Process> victims = new ArrayList<>(processes);
        victims.forEach(Process::destroyForcibly);
        for (Process process : victims) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        processes.removeAll(victims);
        List<AutoCloseable> resources = new ArrayList<>(others);
        others.removeAll(resources);
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("harness: closing " + resource + " failed: " + e);
            }
        }
    }
}
