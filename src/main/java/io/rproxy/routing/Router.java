package io.rproxy.routing;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Maps a key to a server of one pool exactly as twemproxy does: hash_tag, hash function, then distribution
 * over the live servers. Immutable: when the live set changes, a new Router is built and swapped in.
 * Safe for concurrent use by every client thread (the random distribution's generator excepted, which
 * must be thread-safe itself or confined; see the implementation).
 */
public final class Router {
    /**
     * @param live servers currently in the distribution, in configuration order (ejected ones left out)
     * @param hashTag null when the pool has none
     * @param random source for the random distribution (tests pass a seeded one)
     */
    public Router(HashFunction hash, Distribution distribution, HashTag hashTag, List<WeightedServer> live,
                  RandomGenerator random) {
        throw new UnsupportedOperationException("stub");
    }

    /** The {@link WeightedServer#index()} of the server that owns the key; -1 when no server is live. */
    public int route(byte[] key, int offset, int length) {
        throw new UnsupportedOperationException("stub");
    }
}
