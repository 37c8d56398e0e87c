package io.rproxy.proxy;

import java.util.concurrent.atomic.LongAdder;

/**
 * Request latencies of one pool in fixed buckets, as Prometheus histograms count them. Recording is a short scan
 * of the bounds and one {@link LongAdder} increment, so client threads never contend; the admin thread reads a
 * {@link Snapshot} at any time (a snapshot taken during recording may be off by the requests in progress).
 */
public final class LatencyHistogram {
    /** Upper bounds of the buckets in seconds, from 100 µs (a pipelined GET) to 10 s (a stalled server). */
    public static final double[] BOUNDS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];

    static {
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
        }
    }

    /** One per bound, plus the last for everything above the largest bound (+Inf). */
    private final LongAdder[] buckets = new LongAdder[BOUNDS_SECONDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Records one request that took {@code nanos}. */
    public void record(long nanos) {
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(Math.max(0, nanos));
    }

    public Snapshot snapshot() {
        long[] cumulative = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulative[i] = running;
        }
        return new Snapshot(cumulative, sumNanos.sum() / 1e9);
    }

    /**
     * @param cumulative for each bound of {@link #BOUNDS_SECONDS}, how many requests took at most that long; the
     *                   last element counts every request (the +Inf bucket)
     */
    public record Snapshot(long[] cumulative, double sumSeconds) {
        public long count() {
            return cumulative[cumulative.length - 1];
        }
    }
}
