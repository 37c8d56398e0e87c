package io.rproxy.backend;

import io.rproxy.resp.Reply;

/**
 * A reply that a client session will write once it is there: a backend's answer, a merge of several, or one the
 * proxy made itself. A session keeps these in request order and awaits them in that order.
 */
public interface PendingReply {
    /**
     * Blocks the calling (virtual) thread until the reply is there. The caller flushes its {@link WriteBatch} first:
     * a request still in the batch is written by nobody while its sender waits.
     */
    Reply await();

    /**
     * Called after {@link #await} when the reply, though valid RESP, cannot answer what was asked (a split part
     * of the wrong shape): whatever connection it came on is out of step and is closed. Nothing by default.
     */
    default void misaligned(String why) {
    }

    /** A reply that is already known. */
    static PendingReply of(Reply reply) {
        return () -> reply;
    }
}
