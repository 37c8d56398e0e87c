package io.rproxy.routing;

/** twemproxy's CRC hashes (nc_crc16.c, nc_crc32.c). Tables are computed once from their polynomials. */
final class Crc {
    private static final int[] CRC16_XMODEM = new int[256];
    private static final int[] CRC32 = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c16 = i << 8;
            int c32 = i;
            for (int bit = 0; bit < 8; bit++) {
                c16 = (c16 & 0x8000) != 0 ? (c16 << 1) ^ 0x1021 : c16 << 1;
                c32 = (c32 & 1) != 0 ? (c32 >>> 1) ^ 0xEDB88320 : c32 >>> 1;
            }
            CRC16_XMODEM[i] = c16 & 0xffff;
            CRC32[i] = c32;
        }
    }

    private Crc() {
    }

    /**
     * CRC-16/XMODEM steps, but the register is a 32-bit variable that twemproxy never masks: bits shifted past
     * bit 15 stay and the result is wider than 16 bits. Its low 16 bits are the XMODEM CRC.
     */
    static int crc16(byte[] key, int offset, int length) {
        int crc = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            crc = (crc << 8) ^ CRC16_XMODEM[((crc >>> 8) ^ key[i]) & 0xff];
        }
        return crc;
    }

    /** CRC-16/XMODEM proper, kept to 16 bits: what Redis Cluster's crc16.c computes. */
    static int crc16Xmodem(byte[] key, int offset, int length) {
        int crc = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            crc = ((crc << 8) ^ CRC16_XMODEM[((crc >>> 8) ^ key[i]) & 0xff]) & 0xffff;
        }
        return crc;
    }

    /** libmemcached's "crc32": the standard CRC-32 cut down to 15 bits. */
    static int crc32(byte[] key, int offset, int length) {
        return (crc32a(key, offset, length) >>> 16) & 0x7fff;
    }

    /** Standard CRC-32 (the value java.util.zip.CRC32 gives), without its per-call object. */
    static int crc32a(byte[] key, int offset, int length) {
        int crc = ~0;
        for (int i = offset, end = offset + length; i < end; i++) {
            crc = CRC32[(crc ^ key[i]) & 0xff] ^ (crc >>> 8);
        }
        return ~crc;
    }
}
