package io.rproxy.routing;

/**
 * Bob Jenkins' lookup3 {@code hashlittle} with initval 13, as twemproxy has it (nc_jenkins.c). twemproxy picks
 * a word-, half-word- or byte-reading path by the key's alignment; on little-endian machines all three agree
 * with this byte-wise form, which reads bytes unsigned.
 */
final class Jenkins {
    private static final int INITVAL = 13;

    private Jenkins() {
    }

    static int hash(byte[] key, int offset, int length) {
        int a = 0xdeadbeef + length + INITVAL;
        int b = a;
        int c = a;
        int p = offset;
        int remaining = length;
        while (remaining > 12) {
            a += word(key, p, 4);
            b += word(key, p + 4, 4);
            c += word(key, p + 8, 4);
            // mix(a, b, c)
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            remaining -= 12;
            p += 12;
        }
        if (remaining == 0) {
            return c;
        }
        a += word(key, p, Math.min(remaining, 4));
        if (remaining > 4) {
            b += word(key, p + 4, Math.min(remaining - 4, 4));
        }
        if (remaining > 8) {
            c += word(key, p + 8, remaining - 8);
        }
        // final(a, b, c)
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    /** Up to four bytes from {@code p}, little-endian, unsigned, missing high bytes zero. */
    private static int word(byte[] key, int p, int n) {
        int w = 0;
        for (int i = n - 1; i >= 0; i--) {
            w = w << 8 | (key[p + i] & 0xff);
        }
        return w;
    }
}
