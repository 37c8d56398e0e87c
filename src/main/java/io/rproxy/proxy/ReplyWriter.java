package io.rproxy.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Writes a client's replies with one system call per batch and no buffer held while the client is idle. A single
 * reply (the common unpipelined case) is written straight from its own bytes; the replies of a pipeline are
 * gathered into a buffer made for that batch, and written once. Replies are never modified (Reply's bytes are
 * immutable), so holding on to one until {@link #flush} is safe.
 *
 * <p>Used by one client session's thread only.
 */
final class ReplyWriter {
    /** Gathered bytes beyond this are written at once rather than held: bounds a session's memory. */
    private static final int MAX_GATHER = 64 * 1024;

    private final OutputStream out;
    /** The only reply of the batch so far, kept without copying; null when none or when gathering. */
    private byte[] single;
    private byte[] gathered;
    private int size;

    ReplyWriter(OutputStream out) {
        this.out = out;
    }

    void add(byte[] reply) throws IOException {
        if (single == null && gathered == null) {
            single = reply;
            return;
        }
        if (gathered == null) {
            gathered = new byte[Math.max(256, 2 * (single.length + reply.length))];
            System.arraycopy(single, 0, gathered, 0, single.length);
            size = single.length;
            single = null;
        }
        if (size + reply.length > gathered.length) {
            gathered = Arrays.copyOf(gathered, Math.max(2 * gathered.length, size + reply.length));
        }
        System.arraycopy(reply, 0, gathered, size, reply.length);
        size += reply.length;
        if (size >= MAX_GATHER) {
            flush();
        }
    }

    /** Writes what was added; the gather buffer goes with it, so an idle client holds none. */
    void flush() throws IOException {
        if (single != null) {
            byte[] reply = single;
            single = null;
            out.write(reply);
        } else if (gathered != null) {
            byte[] batch = gathered;
            int length = size;
            gathered = null;
            size = 0;
            out.write(batch, 0, length);
        }
    }
}
