package io.rproxy.routing;

/**
 * Paul Hsieh's SuperFastHash as twemproxy has it (nc_hsieh.c). The 16-bit reads are unsigned, but the third
 * byte of a 3-byte tail is read as a sign-extended {@code char}: a byte >= 0x80 there sets the top bits.
 */
final class Hsieh {
    private Hsieh() {
    }

    static int hash(byte[] key, int offset, int length) {
        if (length <= 0) {
            return 0;
        }
        int hash = 0;
        int p = offset;
        for (int blocks = length >>> 2; blocks > 0; blocks--) {
            hash += get16(key, p);
            int tmp = (get16(key, p + 2) << 11) ^ hash;
            hash = (hash << 16) ^ tmp;
            p += 4;
            hash += hash >>> 11;
        }
        switch (length & 3) {
            case 3 -> {
                hash += get16(key, p);
                hash ^= hash << 16;
                hash ^= key[p + 2] << 18;
                hash += hash >>> 11;
            }
            case 2 -> {
                hash += get16(key, p);
                hash ^= hash << 11;
                hash += hash >>> 17;
            }
            case 1 -> {
                hash += key[p] & 0xff;
                hash ^= hash << 10;
                hash += hash >>> 1;
            }
            default -> {
            }
        }
        hash ^= hash << 3;
        hash += hash >>> 5;
        hash ^= hash << 4;
        hash += hash >>> 17;
        hash ^= hash << 25;
        hash += hash >>> 6;
        return hash;
    }

    private static int get16(byte[] key, int p) {
        return (key[p] & 0xff) | (key[p + 1] & 0xff) << 8;
    }
}
