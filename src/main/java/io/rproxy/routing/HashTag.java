package io.rproxy.routing;

/**
 * twemproxy's hash_tag: two delimiter bytes. The part of a key between the first {@code open} and the first
 * {@code close} after it is hashed instead of the whole key, when that part is not empty.
 */
public record HashTag(byte open, byte close) {
    /** STUB: start offset of the bytes to hash; see {@link #hashedLength}. */
    public int hashedOffset(byte[] key, int offset, int length) {
        throw new UnsupportedOperationException("stub");
    }

    public int hashedLength(byte[] key, int offset, int length) {
        throw new UnsupportedOperationException("stub");
    }
}
