package io.rproxy.routing;

/** One of twemproxy's key hash functions: bytes in, unsigned 32-bit value (carried in an int) out. */
@FunctionalInterface
interface KeyHasher {
    int hash(byte[] key, int offset, int length);
}
