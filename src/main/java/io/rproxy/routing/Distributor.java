package io.rproxy.routing;

/** One distribution built over a fixed live set: picks the owning server's configuration index. */
interface Distributor {
    /** @param hash the key's hash, unsigned; ignored when {@link #usesHash()} is false */
    int serverFor(int hash);

    /** False for random, which twemproxy dispatches without hashing the key. */
    default boolean usesHash() {
        return true;
    }
}
