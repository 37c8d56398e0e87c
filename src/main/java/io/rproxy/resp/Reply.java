package io.rproxy.resp;

import java.util.List;

/**
 * One complete RESP2 reply as bytes, ready to be written to a client unchanged. Backend replies are kept as
 * the bytes the server sent; the accessors that decode ({@link #integer()}, {@link #elements()}, ...) exist for
 * the few places that merge replies (split commands) and are not used on the forwarding path.
 *
 * <p>Immutable; shared freely between threads.
 */
public final class Reply {
    // STUB: the resp helper fills this in.
    private Reply() {
        throw new UnsupportedOperationException("stub");
    }

    public static final Reply OK = null;
    public static final Reply PONG = null;
    public static final Reply NULL_BULK = null;

    /** Wraps bytes that already form exactly one complete reply (no copy). */
    public static Reply ofBytes(byte[] encoded) {
        throw new UnsupportedOperationException("stub");
    }

    /** {@code -<message>\r\n}; the message must not contain CR or LF (they are replaced by spaces). */
    public static Reply error(String message) {
        throw new UnsupportedOperationException("stub");
    }

    public static Reply simple(String text) {
        throw new UnsupportedOperationException("stub");
    }

    public static Reply integer(long value) {
        throw new UnsupportedOperationException("stub");
    }

    public static Reply bulk(byte[] value) {
        throw new UnsupportedOperationException("stub");
    }

    public static Reply array(List<Reply> elements) {
        throw new UnsupportedOperationException("stub");
    }

    public byte[] bytes() {
        throw new UnsupportedOperationException("stub");
    }

    /** The RESP type byte: '+', '-', ':', '$' or '*'. */
    public byte type() {
        throw new UnsupportedOperationException("stub");
    }

    public boolean isError() {
        throw new UnsupportedOperationException("stub");
    }

    /** For an error reply, its text without the leading '-' and trailing CRLF. */
    public String errorMessage() {
        throw new UnsupportedOperationException("stub");
    }

    /** For an integer reply, its value; ProtocolException otherwise. */
    public long integer() {
        throw new UnsupportedOperationException("stub");
    }

    /** For an array reply, its elements (decoded on each call); ProtocolException otherwise. */
    public List<Reply> elements() {
        throw new UnsupportedOperationException("stub");
    }
}
