package io.rproxy.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A distribution's lookup from a hash to a server ({@code serverFor}), and a whole {@link Router#route} (fnv1a_64
 * of a 16-byte key, then the distribution), over 2 or 3 servers of weight 1. Hashes cycle through 1024
 * precomputed values so that ketama's binary search does not always take the same path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DistributionBench {
    @Param({"ketama", "modula", "random"})
    public String distribution;

    @Param({"2", "3"})
    public int servers;

    private Distributor distributor;
    private Router router;
    private final int[] hashes = new int[1024];
    private final byte[][] keys = new byte[1024][];
    private int next;

    @Setup
    public void setUp() {
        List<WeightedServer> live = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            live.add(new WeightedServer(i, "redis" + (i + 1), 1));
        }
        List<WeightedServer> ordered = Router.inTwemproxyOrder(live);
        Distribution d = Distribution.byConfigName(distribution).orElseThrow();
        distributor = switch (d) {
            case KETAMA -> new Ketama(ordered);
            case MODULA -> new Modula(ordered);
            case RANDOM -> new RandomPick(ordered, null);
        };
        router = new Router(HashFunction.FNV1A_64, d, null, live, null);
        for (int i = 0; i < hashes.length; i++) {
            keys[i] = String.format("key:%012d", i * 7919 % 100_000).getBytes(StandardCharsets.US_ASCII);
            hashes[i] = HashFunction.FNV1A_64.hash(keys[i], 0, keys[i].length);
        }
    }

    @Benchmark
    public int serverFor() {
        return distributor.serverFor(hashes[next++ & 1023]);
    }

    @Benchmark
    public int route() {
        byte[] key = keys[next++ & 1023];
        return router.route(key, 0, key.length);
    }
}
