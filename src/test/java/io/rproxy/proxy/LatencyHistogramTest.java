package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Fixed buckets: a bound is inclusive (Prometheus's le), the sum is in seconds, buckets come out cumulative. */
class LatencyHistogramTest {

    @Test
    void countsEachRequestInTheFirstBucketItFitsAndReportsCumulatively() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(50_000);          // 50 µs  -> le 0.0001
        histogram.record(100_000);         // 100 µs -> le 0.0001 (inclusive)
        histogram.record(100_001);         //        -> le 0.00025
        histogram.record(3_000_000);       // 3 ms   -> le 0.005
        histogram.record(60_000_000_000L); // 60 s   -> +Inf only

        LatencyHistogram.Snapshot s = histogram.snapshot();

        long[] expected = new long[LatencyHistogram.BOUNDS_SECONDS.length + 1];
        int le5ms = 5;
        assertEquals(0.005, LatencyHistogram.BOUNDS_SECONDS[le5ms]);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = i == 0 ? 2 : i < le5ms ? 3 : i < expected.length - 1 ? 4 : 5;
        }
        assertArrayEquals(expected, s.cumulative());
        assertEquals(5, s.count());
        assertEquals(60.003250001, s.sumSeconds(), 1e-9);
    }

    @Test
    void anEmptyHistogramIsAllZeros() {
        LatencyHistogram.Snapshot s = new LatencyHistogram().snapshot();
        assertEquals(0, s.count());
        assertEquals(0.0, s.sumSeconds());
    }
}
