package io.rproxy.routing;

/**
 * twemproxy's four FNV variants (nc_fnv.c). Key bytes are C {@code char}, so they are sign-extended before the
 * xor, as on x86; Java's byte-to-int/long widening does the same.
 */
final class Fnv {
    private static final long FNV_64_INIT = 0xcbf29ce484222325L;
    private static final long FNV_64_PRIME = 0x100000001b3L;
    private static final int FNV_32_INIT = 0x811c9dc5;
    private static final int FNV_32_PRIME = 16777619;

    private Fnv() {
    }

    /** True 64-bit FNV-1, truncated to its low 32 bits. */
    static int fnv1_64(byte[] key, int offset, int length) {
        long hash = FNV_64_INIT;
        for (int i = offset, end = offset + length; i < end; i++) {
            hash *= FNV_64_PRIME;
            hash ^= key[i];
        }
        return (int) hash;
    }

    /** Despite its name, 32-bit arithmetic with the 64-bit basis and prime truncated to 32 bits. */
    static int fnv1a_64(byte[] key, int offset, int length) {
        int hash = (int) FNV_64_INIT;
        for (int i = offset, end = offset + length; i < end; i++) {
            hash ^= key[i];
            hash *= (int) FNV_64_PRIME;
        }
        return hash;
    }

    static int fnv1_32(byte[] key, int offset, int length) {
        int hash = FNV_32_INIT;
        for (int i = offset, end = offset + length; i < end; i++) {
            hash *= FNV_32_PRIME;
            hash ^= key[i];
        }
        return hash;
    }

    static int fnv1a_32(byte[] key, int offset, int length) {
        int hash = FNV_32_INIT;
        for (int i = offset, end = offset + length; i < end; i++) {
            hash ^= key[i];
            hash *= FNV_32_PRIME;
        }
        return hash;
    }
}
