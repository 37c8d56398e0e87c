package io.rproxy.proxy;

import io.rproxy.backend.DedicatedConnection;
import io.rproxy.backend.Targets;
import java.util.ArrayList;
import java.util.List;

/**
 * One client's transaction state: MULTI's queue, whether a queuing error doomed it, the server its keys chose, and
 * the dedicated connection it holds while it WATCHes. The queue is kept here, not on the server: nothing of the
 * client's runs until EXEC, and EXEC sends MULTI, the queue and EXEC in one write on a dedicated connection.
 *
 * <p>Touched only by the client's session thread, apart from what CLIENT LIST reads on another client's thread
 * ({@link #queuedCount}, {@link #queuedBytes}). It outlives a reload: the pool its keys were routed by is
 * kept with the target, so a WATCH taken before a COMMIT still holds its connection until EXEC, DISCARD or
 * UNWATCH.
 */
final class Transaction {
    private boolean queuing;
    private boolean dirty;
    private final List<byte[]> queued = new ArrayList<>();
    /**
     * Bytes of the queued frames: held by rproxy until EXEC, so bounded like a client's requests in flight.
     * Volatile, as {@link #queuedCount}.
     */
    private volatile long queuedBytes;
    /** Commands queued since MULTI, -1 outside it: CLIENT LIST's {@code multi}, read on another thread. */
    private volatile int queuedCount = -1;
    /** The pool whose targets {@link #target} is one of; null until a key or WATCH chose one. */
    private Pool pool;
    private int target = Targets.NONE;
    /** Held from WATCH until the watch ends (EXEC, DISCARD, UNWATCH); null otherwise. */
    private DedicatedConnection watching;

    /** After MULTI, before EXEC or DISCARD. */
    boolean queuing() {
        return queuing;
    }

    void begin() {
        queuing = true;
        queuedCount = 0;
    }

    /** A command failed to queue: EXEC will answer -EXECABORT. */
    void doom() {
        dirty = true;
    }

    boolean dirty() {
        return dirty;
    }

    void queue(byte[] frame) {
        queued.add(frame);
        queuedBytes += frame.length;
        queuedCount = queued.size();
    }

    /** Commands queued since MULTI, -1 outside MULTI (Redis's CLIENT LIST {@code multi}); any thread. */
    int queuedCount() {
        return queuedCount;
    }

    long queuedBytes() {
        return queuedBytes;
    }

    /** Ends the queuing (EXEC, DISCARD): the queue is handed over and forgotten. */
    List<byte[]> end() {
        List<byte[]> taken = List.copyOf(queued);
        queued.clear();
        queuedBytes = 0;
        queuing = false;
        queuedCount = -1;
        dirty = false;
        return taken;
    }

    /** The pool the transaction's keys are routed by: the one that chose its target, else {@code current}. */
    Pool pool(Pool current) {
        return pool == null ? current : pool;
    }

    boolean hasTarget() {
        return pool != null;
    }

    int target() {
        return target;
    }

    void target(Pool chosenOn, int chosen) {
        pool = chosenOn;
        target = chosen;
    }

    DedicatedConnection watching() {
        return watching;
    }

    void watching(DedicatedConnection connection) {
        watching = connection;
    }

    /** The watch (if any) is over and no key is queued: the next transaction chooses its server afresh. */
    void forgetTarget() {
        if (watching == null && queued.isEmpty()) {
            pool = null;
            target = Targets.NONE;
        }
    }

    /** The client left or RESET: the queue is dropped and a held connection closed, not given back. */
    void abandon() {
        end();
        if (watching != null) {
            watching.release(false);
            watching = null;
        }
        forgetTarget();
    }
}
