package io.rproxy.routing;

import java.util.Locale;
import java.util.Optional;

/**
 * twemproxy's hash functions, bit-compatible with nutcracker 0.5.0 (src/hashkit/). Each returns an unsigned
 * 32-bit value carried in an int: compare with {@link Integer#compareUnsigned}. Stateless; any thread may call
 * {@link #hash} concurrently, and it allocates nothing.
 *
 * <p>Where twemproxy reads key bytes as C {@code char} (one_at_a_time, the FNVs, the last byte of a 3-byte
 * hsieh tail) bytes >= 0x80 are sign-extended, as on x86; the others read them unsigned. An empty range is
 * hashed like any other here: the pool-level rule that an empty key hashes to 0 lives in {@link Router}.
 */
public enum HashFunction {
    ONE_AT_A_TIME(OneAtATime::hash),
    MD5(Md5::hash),
    CRC16(Crc::crc16),
    CRC32(Crc::crc32),
    CRC32A(Crc::crc32a),
    FNV1_64(Fnv::fnv1_64),
    FNV1A_64(Fnv::fnv1a_64),
    FNV1_32(Fnv::fnv1_32),
    FNV1A_32(Fnv::fnv1a_32),
    HSIEH(Hsieh::hash),
    MURMUR(Murmur::hash),
    JENKINS(Jenkins::hash);

    private final KeyHasher hasher;

    HashFunction(KeyHasher hasher) {
        this.hasher = hasher;
    }

    /** twemproxy's configuration name, e.g. "fnv1a_64". */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<HashFunction> byConfigName(String name) {
        for (HashFunction f : values()) {
            if (f.configName().equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Hashes {@code key[offset, offset+length)}. */
    public int hash(byte[] key, int offset, int length) {
        return hasher.hash(key, offset, length);
    }
}
