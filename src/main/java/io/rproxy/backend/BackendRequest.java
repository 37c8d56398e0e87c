package io.rproxy.backend;

import io.rproxy.resp.Reply;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One request on its way to a backend, and the slot its reply lands in. Completed exactly once: by the
 * connection's reader with the server's reply, or with an error when the connection fails first. The first
 * completion wins; later ones are ignored, so a failing connection can complete requests without racing the
 * reader.
 *
 * <p>A plain park/unpark slot rather than a CompletableFuture: the client thread is the only waiter, and on the
 * hot path this costs one volatile write and one unpark.
 *
 * <p>The reply is charged to its client's {@link OutputBuffer} as it lands and released when the client's thread
 * takes it ({@link #await}), so a client that does not read is seen growing; a reply for a client that is gone
 * or over its limit is dropped as it lands ({@link #DROPPED} is kept instead).
 */
public final class BackendRequest implements PendingReply {
    private static final VarHandle REPLY;

    static {
        try {
            REPLY = MethodHandles.lookup().findVarHandle(BackendRequest.class, "reply", Reply.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Kept in place of a reply whose client is gone or was disconnected for its output buffer. Not worded as a
     * {@link ProxyError}: a cluster request would take that for a lost connection and send the request again.
     */
    static final Reply DROPPED = Reply.error("ERR reply dropped: the client is disconnected");

    private final byte[] frame;
    /** Replies the server sends before this request's own: 1 when the frame starts with ASKING (Redis Cluster). */
    private final int leadingReplies;
    /** System.nanoTime() by which the reply must be there; set when queued to a connection with a timeout. */
    private long deadlineNanos;
    private volatile Reply reply;
    private volatile Thread waiter;
    /** The connection it was written on, set before it is in flight; read by the waiter after completion. */
    private volatile BackendConnection writtenOn;
    /** The sender's output buffer, charged with the reply; null for a sender that has none. */
    private OutputBuffer chargedTo;
    /** Whether {@link #await} released the reply's charge; client thread only. */
    private boolean released;

    /** @param frame the complete RESP request, written to the backend as it is */
    public BackendRequest(byte[] frame) {
        this(frame, 0);
    }

    /**
     * @param frame          several commands that must run back to back on one connection (ASKING, then the
     *                       command), written as one
     * @param leadingReplies how many of their replies come before the one this request completes with; those are
     *                       read and dropped
     */
    public BackendRequest(byte[] frame, int leadingReplies) {
        this.frame = frame;
        this.leadingReplies = leadingReplies;
    }

    int leadingReplies() {
        return leadingReplies;
    }

    byte[] frame() {
        return frame;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    /** Set by the sending thread before the request is published to the connection's queue. */
    void deadlineNanos(long value) {
        deadlineNanos = value;
    }

    /** Set by the writing thread just before the request enters the connection's in-flight queue. */
    void writtenOn(BackendConnection connection) {
        writtenOn = connection;
    }

    /**
     * The reply does not fit what was asked (an MGET part one element short): the connection it came on is out
     * of step with its requests, so it is closed and its other requests fail. Called by the client thread.
     */
    @Override
    public void misaligned(String why) {
        BackendConnection connection = writtenOn;
        if (connection != null) {
            connection.misaligned(why);
        }
    }

    /** Set by the sending thread before the request is published to a connection (see {@link Sender#output}). */
    void chargeTo(OutputBuffer output) {
        chargedTo = output;
    }

    /**
     * Stores the reply and wakes the waiter; false when the request was already completed. The reply is charged
     * to the client's output buffer first; when the buffer refuses it, {@link #DROPPED} is stored instead.
     */
    boolean complete(Reply value) {
        if (reply != null) {
            return false;
        }
        OutputBuffer output = chargedTo;
        Reply kept = value;
        boolean charged = false;
        if (output != null) {
            charged = output.charge(value.bytes().length);
            kept = charged ? value : DROPPED;
        }
        if (!REPLY.compareAndSet(this, null, kept)) {
            if (charged) {
                output.release(value.bytes().length); // another completion won: this reply is not kept
            }
            return false;
        }
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        return true;
    }

    boolean isDone() {
        return reply != null;
    }

    /**
     * Waits for the reply; the client's thread takes it, so its charge is released (once). Writes nothing: the
     * sender has flushed its {@link WriteBatch} first.
     */
    @Override
    public Reply await() {
        Reply r = awaitReply();
        if (!released && chargedTo != null && r != DROPPED) {
            released = true;
            chargedTo.release(r.bytes().length);
        }
        return r;
    }

    private Reply awaitReply() {
        Reply r = reply;
        if (r != null) {
            return r;
        }
        // Publish the waiter before re-checking: complete() writes reply then reads waiter, so one of the two
        // always sees the other (both fields are volatile).
        waiter = Thread.currentThread();
        while ((r = reply) == null) {
            LockSupport.park(this);
        }
        waiter = null;
        return r;
    }
}
