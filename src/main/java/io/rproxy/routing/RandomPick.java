package io.rproxy.routing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * twemproxy's random (nc_random.c): any live server, equally likely, whatever the key. Each pick makes one
 * {@code nextInt(bound)} call on the generator, from whichever thread routes; so the generator must be safe
 * for concurrent use (java.util.Random is) or confined to one thread. Without one, each thread uses its own
 * {@link ThreadLocalRandom}.
 */
final class RandomPick implements Distributor {
    private final int[] indexes;
    private final RandomGenerator random;

    RandomPick(List<WeightedServer> live, RandomGenerator random) {
        indexes = live.stream().mapToInt(WeightedServer::index).toArray();
        this.random = random;
    }

    @Override
    public int serverFor(int hash) {
        RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
        return indexes[r.nextInt(indexes.length)];
    }

    @Override
    public boolean usesHash() {
        return false;
    }
}
