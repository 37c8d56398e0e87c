package io.rproxy.resp;

import java.io.IOException;
import java.io.InputStream;

/**
 * Blocking, strict, bounded RESP2 reader over an InputStream, with its own byte[] buffer. A client session
 * uses {@link #readCommand()}; a backend reader thread uses {@link #readReply()}. The parse state lives on the
 * call stack: a call returns one whole frame or throws.
 *
 * <p>Not thread-safe: one reader per connection, used by that connection's reading thread only.
 */
public final class RespReader {
    // STUB: the resp helper fills this in.
    public RespReader(InputStream in, RespLimits limits) {
        throw new UnsupportedOperationException("stub");
    }

    /**
     * Reads one request, multibulk or inline. Returns null on a clean EOF between requests; throws
     * {@link java.io.EOFException} on EOF inside a frame and {@link ProtocolException} on malformed input
     * (with redis-server's wording where it has one, e.g. "invalid multibulk length").
     * Empty inline lines are skipped, as redis-server does.
     */
    public RespCommand readCommand() throws IOException {
        throw new UnsupportedOperationException("stub");
    }

    /** Reads one complete reply (nested arrays included); EOFException on EOF, ProtocolException on garbage. */
    public Reply readReply() throws IOException {
        throw new UnsupportedOperationException("stub");
    }

    /** True when bytes already read from the stream are waiting in the buffer (the peer is pipelining). */
    public boolean hasBufferedInput() {
        throw new UnsupportedOperationException("stub");
    }
}
