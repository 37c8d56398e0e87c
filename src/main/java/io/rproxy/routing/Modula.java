package io.rproxy.routing;

import java.util.List;

/**
 * twemproxy's modula (nc_modula.c): each live server appears {@code weight} times in a list, in configuration
 * order, and a key goes to {@code list[hash % size]} (unsigned). The list is kept as cumulative weights and
 * searched, so a large weight costs no memory.
 */
final class Modula implements Distributor {
    private final int[] indexes;
    /** ends[i]: exclusive end of server i's run in twemproxy's list. */
    private final int[] ends;
    private final int total;

    Modula(List<WeightedServer> live) {
        indexes = new int[live.size()];
        ends = new int[live.size()];
        long sum = 0;
        for (int i = 0; i < live.size(); i++) {
            sum += live.get(i).weight();
            if (sum > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("total weight of the live servers exceeds " + Integer.MAX_VALUE);
            }
            indexes[i] = live.get(i).index();
            ends[i] = (int) sum;
        }
        total = (int) sum;
    }

    @Override
    public int serverFor(int hash) {
        int slot = Integer.remainderUnsigned(hash, total);
        int lo = 0;
        int hi = ends.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= slot) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return indexes[lo];
    }
}
