package io.rproxy.backend;

import io.rproxy.resp.Reply;

/**
 * A reply that a client session will write once it is there: a backend's answer, a merge of several, or one the
 * proxy made itself. A session keeps these in request order and awaits them in that order.
 */
public interface PendingReply {
    /** Blocks the calling (virtual) thread until the reply is there. */
    Reply await();

    /** A reply that is already known. */
    static PendingReply of(Reply reply) {
        return () -> reply;
    }
}
