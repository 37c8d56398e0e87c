package io.rproxy.routing;

import java.util.Optional;

/**
 * twemproxy's hash functions, bit-compatible with nutcracker 0.5.0 (src/hashkit/). Each returns an unsigned
 * 32-bit value carried in an int: compare with {@link Integer#compareUnsigned}.
 */
public enum HashFunction {
    ONE_AT_A_TIME, MD5, CRC16, CRC32, CRC32A, FNV1_64, FNV1A_64, FNV1_32, FNV1A_32, HSIEH, MURMUR, JENKINS;

    /** twemproxy's configuration name, e.g. "fnv1a_64". */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<HashFunction> byConfigName(String name) {
        for (HashFunction f : values()) {
            if (f.configName().equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Hashes {@code key[offset, offset+length)}. STUB: the routing helper fills this in. */
    public int hash(byte[] key, int offset, int length) {
        throw new UnsupportedOperationException("stub");
    }
}
