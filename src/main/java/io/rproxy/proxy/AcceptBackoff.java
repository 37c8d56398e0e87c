package io.rproxy.proxy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * What a listener does when {@code accept} fails. At the open-files limit (EMFILE, ENFILE) the connection stays
 * in the kernel's queue and the next accept fails at once, so a loop that only logs spins a core and floods the
 * log. Instead the listener thread pauses, 10 ms doubling to 1 s while the failures last, back to none at the
 * next accept; and the failures are logged at most once per 10 s, with their count, plus the accept that ends a
 * run of failures that was logged: two lines per 10 s at most, however the failures come and go.
 *
 * <p>Run by the one listener thread that owns it, except {@link #stop}, which any thread may call to end a pause.
 */
public final class AcceptBackoff {
    static final long FIRST_PAUSE_NANOS = Duration.ofMillis(10).toNanos();
    static final long LONGEST_PAUSE_NANOS = Duration.ofSeconds(1).toNanos();
    static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

    private final String who;
    private final Logger log;
    private final LongSupplier nanoTime;
    private final Pause pause;
    /** Counted down by {@link #stop}: a paused listener wakes at once instead of sleeping up to a second. */
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The pause after the next failure's; 0 while accepts succeed. */
    private long pauseNanos;
    /** Failures not yet in a log line. */
    private long unreported;
    private long lastReportNanos;
    private String lastFailure;
    /** Whether the failures since the last accept were logged (then so is the next accept). */
    private boolean runLogged;

    /** Waits {@code nanos} or until {@link #stop}; a seam for tests, which pass a clock that the pause moves. */
    @FunctionalInterface
    interface Pause {
        void await(long nanos) throws InterruptedException;
    }

    /**
     * @param who names the listener in its log lines: {@code pool 'p'}, {@code admin}
     * @param log the listener's logger, so that the lines say which class logs them
     */
    public AcceptBackoff(String who, Logger log) {
        this(who, log, System::nanoTime, null);
    }

    AcceptBackoff(String who, Logger log, LongSupplier nanoTime, Pause pause) {
        this.who = who;
        this.log = log;
        this.nanoTime = nanoTime;
        this.pause = pause != null ? pause : nanos -> stopped.await(nanos, TimeUnit.NANOSECONDS);
        // The first failure is logged at once; later ones wait for the interval.
        this.lastReportNanos = nanoTime.getAsLong() - LOG_INTERVAL_NANOS;
    }

    /**
     * An accept succeeded: the next failure pauses briefly again. When this run of failures was logged, its end
     * is too. Cheap when nothing failed.
     */
    public void accepted() {
        if (pauseNanos != 0) {
            pauseNanos = 0;
            if (runLogged) {
                runLogged = false;
                long now = nanoTime.getAsLong();
                log.info("{}: accepting again{}", who, unreported == 0 ? "" : "; " + countSinceReport(now));
                lastReportNanos = now;
                unreported = 0;
            }
        }
    }

    /**
     * An accept failed with {@code e} (the caller has checked that the listener is not closing): logs if the
     * interval has passed, then parks this thread for the current pause and doubles it.
     *
     * @throws InterruptedException when the listener thread is interrupted while paused
     */
    public void failed(IOException e) throws InterruptedException {
        long now = nanoTime.getAsLong();
        unreported++;
        lastFailure = e.getMessage();
        if (now - lastReportNanos >= LOG_INTERVAL_NANOS) {
            if (pauseNanos == 0 && unreported == 1) {
                log.warn("{}: accept failed: {}; pausing accepts (10 ms, doubling to 1 s) while they fail, and "
                        + "logging their count every 10 s", who, lastFailure);
            } else {
                log.warn("{}: {}", who, countSinceReport(now));
            }
            lastReportNanos = now;
            unreported = 0;
            runLogged = true;
        }
        pause();
    }

    /**
     * Parks this thread for the current pause and doubles it, without counting or logging: for a failure the
     * caller has logged itself (one that is not an accept's, such as a bug in setting up a connection), so that
     * a failure that repeats cannot spin the listener either.
     *
     * @throws InterruptedException when the listener thread is interrupted while paused
     */
    public void pause() throws InterruptedException {
        pauseNanos = pauseNanos == 0 ? FIRST_PAUSE_NANOS : Math.min(2 * pauseNanos, LONGEST_PAUSE_NANOS);
        pause.await(pauseNanos);
    }

    /** Ends a pause now and every later one: the listener is closing. */
    public void stop() {
        stopped.countDown();
    }

    private String countSinceReport(long now) {
        long seconds = Math.round((now - lastReportNanos) / 1e9);
        return unreported + (unreported == 1 ? " accept" : " accepts") + " failed in the last " + seconds + " s: "
                + lastFailure;
    }
}
