package io.rproxy.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Maps a key to a server of one pool exactly as twemproxy does: hash_tag, hash function, then distribution
 * over the live servers. Immutable: when the live set changes, a new Router is built and swapped in.
 * Safe for concurrent use by every client thread, and {@link #route} allocates nothing; for the random
 * distribution the generator passed in must itself be safe for concurrent use (java.util.Random is), or
 * null to use each thread's {@link java.util.concurrent.ThreadLocalRandom}.
 */
public final class Router {
    private final HashFunction hash;
    private final HashTag hashTag;
    /** Null when no server is live. */
    private final Distributor distributor;
    /** The only live server's index when exactly one is live (twemproxy then skips hashing), else -1. */
    private final int single;

    /**
     * @param live servers currently in the distribution (ejected ones left out), in any order: they are put
     *     in twemproxy's order, see {@link #inTwemproxyOrder}
     * @param hashTag null when the pool has none
     * @param random source for the random distribution (tests pass a seeded one); null: ThreadLocalRandom
     * @throws IllegalArgumentException when ketama cannot hash a server's identity as twemproxy would (too
     *     long), or the live weights sum past {@code Integer.MAX_VALUE}
     */
    public Router(HashFunction hash, Distribution distribution, HashTag hashTag, List<WeightedServer> live,
                  RandomGenerator random) {
        this.hash = Objects.requireNonNull(hash, "hash");
        this.hashTag = hashTag;
        List<WeightedServer> servers = inTwemproxyOrder(live);
        this.single = servers.size() == 1 ? servers.get(0).index() : -1;
        if (servers.isEmpty()) {
            this.distributor = null;
        } else {
            this.distributor = switch (Objects.requireNonNull(distribution, "distribution")) {
                case KETAMA -> new Ketama(servers);
                case MODULA -> new Modula(servers);
                case RANDOM -> new RandomPick(servers, random);
            };
        }
    }

    /**
     * twemproxy does not keep the configured server order: validating a pool (nc_conf.c conf_validate_server)
     * sorts its servers by ring identity (shorter first, then bytewise unsigned) to find duplicates, and the
     * sorted array is what its distributions walk. Modula's slot order depends on it.
     */
    static List<WeightedServer> inTwemproxyOrder(List<WeightedServer> live) {
        List<WeightedServer> sorted = new ArrayList<>(live);
        sorted.sort(Comparator.comparing((WeightedServer s) -> s.identity().getBytes(StandardCharsets.UTF_8),
                        Comparator.<byte[]>comparingInt(b -> b.length).thenComparing(Arrays::compareUnsigned))
                .thenComparingInt(WeightedServer::index));
        return List.copyOf(sorted);
    }

    /** The {@link WeightedServer#index()} of the server that owns the key; -1 when no server is live. */
    public int route(byte[] key, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, key.length);
        if (single >= 0) {
            return single;
        }
        if (distributor == null) {
            return -1;
        }
        if (!distributor.usesHash()) {
            return distributor.serverFor(0);
        }
        int from = offset;
        int len = length;
        if (hashTag != null) {
            long span = hashTag.span(key, offset, length);
            from = (int) (span >>> 32);
            len = (int) span;
        }
        // twemproxy's server_pool_hash: an empty key hashes to 0 without calling the hash function
        int h = len == 0 ? 0 : hash.hash(key, from, len);
        return distributor.serverFor(h);
    }
}
