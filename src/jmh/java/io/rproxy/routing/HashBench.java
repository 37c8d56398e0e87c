package io.rproxy.routing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Each of twemproxy's hash functions over a redis-benchmark key ({@code key:000000012345}, 16 bytes). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HashBench {
    @Param({"one_at_a_time", "md5", "crc16", "crc32", "crc32a", "fnv1_64", "fnv1a_64", "fnv1_32", "fnv1a_32",
            "hsieh", "murmur", "jenkins"})
    public String hash;

    private HashFunction function;
    private final byte[] key = "key:000000012345".getBytes(StandardCharsets.US_ASCII);

    @Setup
    public void setUp() {
        function = HashFunction.byConfigName(hash).orElseThrow();
    }

    @Benchmark
    public int hash() {
        return function.hash(key, 0, key.length);
    }
}
