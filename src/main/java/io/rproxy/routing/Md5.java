package io.rproxy.routing;

/**
 * MD5 over a byte range, for the md5 key hash and the ketama ring. Written out rather than using
 * {@link java.security.MessageDigest} so that hashing a key allocates nothing and needs no per-thread state
 * (client threads are virtual, and many). Checked against MessageDigest in the tests.
 *
 * <p>twemproxy reads digest bytes little-endian four at a time, so its values are exactly MD5's four state
 * words A, B, C, D.
 */
final class Md5 {
    private static final int[] SHIFT = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};
    private static final int[] K = new int[64];

    static {
        for (int i = 0; i < 64; i++) {
            K[i] = (int) (long) Math.floor(Math.abs(StrictMath.sin(i + 1)) * 0x1p32);
        }
    }

    private Md5() {
    }

    /** Digest bytes 0..3 as a little-endian int: twemproxy's md5 key hash. */
    static int hash(byte[] key, int offset, int length) {
        return digest(key, offset, length, null);
    }

    /** Fills {@code words[0..3]} with the digest as four little-endian ints; returns words[0]. */
    static int digest(byte[] in, int offset, int length, int[] words) {
        int a0 = 0x67452301;
        int b0 = 0xefcdab89;
        int c0 = 0x98badcfe;
        int d0 = 0x10325476;
        int blocks = (length + 8) / 64 + 1;
        for (int block = 0; block < blocks; block++) {
            int base = block * 64;
            int a = a0;
            int b = b0;
            int c = c0;
            int d = d0;
            for (int i = 0; i < 64; i++) {
                int f;
                int g;
                switch (i >>> 4) {
                    case 0 -> { f = (b & c) | (~b & d); g = i; }
                    case 1 -> { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
                    case 2 -> { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
                    default -> { f = c ^ (b | ~d); g = (7 * i) & 15; }
                }
                int rotated = Integer.rotateLeft(a + f + K[i] + word(in, offset, length, blocks, base + 4 * g),
                        SHIFT[(i >>> 4) << 2 | (i & 3)]);
                a = d;
                d = c;
                c = b;
                b += rotated;
            }
            a0 += a;
            b0 += b;
            c0 += c;
            d0 += d;
        }
        if (words != null) {
            words[0] = a0;
            words[1] = b0;
            words[2] = c0;
            words[3] = d0;
        }
        return a0;
    }

    /** The little-endian word at {@code pos} of the padded message, which is never materialised. */
    private static int word(byte[] in, int offset, int length, int blocks, int pos) {
        if (pos + 4 <= length) {
            int p = offset + pos;
            return (in[p] & 0xff) | (in[p + 1] & 0xff) << 8 | (in[p + 2] & 0xff) << 16 | in[p + 3] << 24;
        }
        int w = 0;
        for (int i = 3; i >= 0; i--) {
            w = w << 8 | paddedByte(in, offset, length, blocks, pos + i);
        }
        return w;
    }

    private static int paddedByte(byte[] in, int offset, int length, int blocks, int pos) {
        if (pos < length) {
            return in[offset + pos] & 0xff;
        }
        if (pos == length) {
            return 0x80;
        }
        int lengthField = blocks * 64 - 8;
        if (pos < lengthField) {
            return 0;
        }
        long bits = (long) length << 3;
        return (int) (bits >>> (8 * (pos - lengthField))) & 0xff;
    }
}
