package io.rproxy.routing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * twemproxy's ketama ring (nc_ketama.c), built over the live servers. Each server gets
 * {@code floor(weight / totalLiveWeight * 40 * liveCount) * 4} points, computed in 32-bit float as twemproxy
 * does; point group i is the MD5 of "{identity}-{i}", whose four little-endian words are four points. A key
 * goes to the first point at or above its hash (unsigned), wrapping to the lowest point.
 */
final class Ketama implements Distributor {
    private static final int POINTS_PER_SERVER = 160;
    private static final int POINTS_PER_HASH = 4;
    /** Point values, sorted unsigned. */
    private final int[] points;
    /** owners[i]: configuration index of the server owning points[i]. */
    private final int[] owners;

    Ketama(List<WeightedServer> live) {
        long totalWeight = 0;
        for (WeightedServer s : live) {
            totalWeight += s.weight();
        }
        if (totalWeight > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("total weight of the live servers exceeds " + Integer.MAX_VALUE);
        }
        int[] counts = new int[live.size()];
        int total = 0;
        for (int i = 0; i < live.size(); i++) {
            counts[i] = pointsFor(live.get(i).weight(), (int) totalWeight, live.size());
            total += counts[i];
        }
        long[] ring = new long[total];
        int[] ownerByInsertion = new int[total];
        int count = 0;
        int[] words = new int[4];
        for (int i = 0; i < live.size(); i++) {
            WeightedServer server = live.get(i);
            for (int group = 0; group < counts[i] / POINTS_PER_HASH; group++) {
                byte[] host = host(server.identity(), group);
                Md5.digest(host, 0, host.length, words);
                for (int w : words) {
                    // sign-flipped value above, insertion order below: a signed sort of these longs sorts the
                    // values unsigned and keeps equal values in insertion order
                    ring[count] = (long) (w ^ Integer.MIN_VALUE) << 32 | count;
                    ownerByInsertion[count++] = server.index();
                }
            }
        }
        Arrays.sort(ring);
        points = new int[total];
        owners = new int[total];
        for (int i = 0; i < total; i++) {
            points[i] = (int) (ring[i] >>> 32) ^ Integer.MIN_VALUE;
            owners[i] = ownerByInsertion[(int) ring[i]];
        }
    }

    /** Points for one server, with twemproxy's float arithmetic (the 1e-10 is added in double). */
    static int pointsFor(int weight, int totalWeight, int liveCount) {
        float pct = (float) weight / (float) totalWeight;
        float scaled = pct * POINTS_PER_SERVER / 4 * (float) liveCount;
        return (int) Math.floor((float) (scaled + 0.0000000001)) * 4;
    }

    /**
     * twemproxy's source formats this into a char[86], but nutcracker 0.5.0 was seen to hash an 86-byte and a
     * 304-byte "{identity}-{i}" whole (golden vectors), so no length limit is imposed here.
     */
    private static byte[] host(String identity, int group) {
        return (identity + "-" + group).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int serverFor(int hash) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Integer.compareUnsigned(points[mid], hash) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return owners[lo == points.length ? 0 : lo];
    }

    /** Points on the ring; for tests. */
    int size() {
        return points.length;
    }
}
