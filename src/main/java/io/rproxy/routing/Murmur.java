package io.rproxy.routing;

/**
 * MurmurHash2 as twemproxy has it (nc_murmur.c): seed {@code 0xdeadbeef * length}, little-endian 4-byte reads,
 * unsigned bytes.
 */
final class Murmur {
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur() {
    }

    static int hash(byte[] key, int offset, int length) {
        int seed = 0xdeadbeef * length;
        int h = seed ^ length;
        int p = offset;
        int remaining = length;
        while (remaining >= 4) {
            int k = (key[p] & 0xff) | (key[p + 1] & 0xff) << 8 | (key[p + 2] & 0xff) << 16 | key[p + 3] << 24;
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
            p += 4;
            remaining -= 4;
        }
        switch (remaining) {
            case 3:
                h ^= (key[p + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (key[p + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= key[p] & 0xff;
                h *= M;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }
}
