package io.rproxy.routing;

/**
 * Redis Cluster's key placement (cluster.c keyHashSlot): CRC-16/XMODEM of the key, or of its hash tag (the bytes
 * between the first '{' and the first '}' after it, when there are any), modulo 16384. Unlike twemproxy's
 * {@code crc16}, the CRC is kept to 16 bits. Stateless; safe for any thread.
 */
public final class ClusterSlot {
    /** Slots in a Redis Cluster. */
    public static final int COUNT = 16384;
    private static final HashTag BRACES = new HashTag((byte) '{', (byte) '}');

    private ClusterSlot() {
    }

    /** The slot of the key at {@code key[offset, offset+length)}. */
    public static int of(byte[] key, int offset, int length) {
        long span = BRACES.span(key, offset, length);
        return Crc.crc16Xmodem(key, (int) (span >>> 32), (int) span) & (COUNT - 1);
    }

    public static int of(byte[] key) {
        return of(key, 0, key.length);
    }
}
