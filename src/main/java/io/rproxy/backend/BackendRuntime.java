package io.rproxy.backend;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every backend server of a proxy shares: the {@code deadline-timer} thread that times requests out, the
 * {@code supervisor} thread that schedules the probes of ejected and unreachable servers (each probe runs on its
 * server's own probe thread), the clock status times are read from, and how connection threads are made.
 */
public final class BackendRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackendRuntime.class);
    private final Clock clock;
    private final DeadlineTimer deadlines = new DeadlineTimer();
    private final AtomicInteger liveThreads = new AtomicInteger();
    /**
     * One thread: its work is rare and must never pile up threads. Server probes only start here and run on their
     * server's own probe thread, so a probe that takes the whole connect timeout makes no other server's late; a
     * cluster's slot-map refresh still runs here.
     */
    private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().daemon().name("supervisor").unstarted(task));

    public BackendRuntime(Clock clock) {
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    DeadlineTimer deadlines() {
        return deadlines;
    }

    /**
     * Runs {@code task} on the supervisor thread after {@code delay}; a task that may block for long delays every
     * other, so it should start such work on a thread of its own. A task that throws is logged and the supervisor
     * carries on: a scheduled executor would otherwise keep the exception in a future nobody reads.
     */
    public void supervise(Runnable task, Duration delay) {
        try {
            supervisor.schedule(() -> runLogged(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("supervisor is closed; task dropped");
        }
    }

    private static void runLogged(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) { // the supervisor's catch ladder: its other tasks must still run
            log.error("supervisor task {} failed", task, t);
        }
    }

    /**
     * A started-later thread for one connection's writer or reader: virtual, measured against platform threads
     * (redis-benchmark, 50 clients, two servers): at pipeline 1 about 46k against 32k requests/s, because a
     * virtual reader hands a reply to a client thread on the same carriers instead of waking another OS thread;
     * at pipeline 16 as fast or faster. The JDK's default poller mode and carrier count measured best too.
     */
    BackendThreads threads() {
        return (name, task) -> Thread.ofVirtual().name(name).unstarted(() -> {
            liveThreads.incrementAndGet();
            try {
                task.run();
            } finally {
                liveThreads.decrementAndGet();
            }
        });
    }

    /** Connection threads running now: virtual threads appear in no thread list, so they are counted here. */
    public int liveThreads() {
        return liveThreads.get();
    }

    /** Makes the threads of backend connections (platform or virtual is a measured choice, made here). */
    interface BackendThreads {
        Thread newThread(String name, Runnable task);
    }

    @Override
    public void close() {
        supervisor.shutdownNow();
        deadlines.close();
    }
}
