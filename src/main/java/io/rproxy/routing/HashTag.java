package io.rproxy.routing;

/**
 * twemproxy's hash_tag: two delimiter bytes. The part of a key between the first {@code open} and the first
 * {@code close} after it is hashed instead of the whole key, when that part is not empty (nc_server.c
 * server_pool_idx). Immutable; safe for any thread.
 */
public record HashTag(byte open, byte close) {
    /** Start offset of the bytes to hash: just past {@code open} when a non-empty tag is found, else offset. */
    public int hashedOffset(byte[] key, int offset, int length) {
        return (int) (span(key, offset, length) >>> 32);
    }

    /** Number of bytes to hash from {@link #hashedOffset}. */
    public int hashedLength(byte[] key, int offset, int length) {
        return (int) span(key, offset, length);
    }

    /** Offset in the high half, length in the low half: one scan for the router's hot path. */
    long span(byte[] key, int offset, int length) {
        int end = offset + length;
        int start = indexOf(key, offset, end, open);
        if (start >= 0) {
            int stop = indexOf(key, start + 1, end, close);
            if (stop > start + 1) {
                return (long) (start + 1) << 32 | (stop - start - 1);
            }
        }
        return (long) offset << 32 | length;
    }

    private static int indexOf(byte[] key, int from, int end, byte b) {
        for (int i = from; i < end; i++) {
            if (key[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
