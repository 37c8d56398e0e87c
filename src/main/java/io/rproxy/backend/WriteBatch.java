package io.rproxy.backend;

import java.util.ArrayList;
import java.util.List;

/**
 * The backend connections a client thread has queued requests on but not yet written. A client that pipelines N
 * commands queues all N first and then writes each connection once, instead of one write per command.
 *
 * <p>Bound to the client's own (virtual) thread: {@link #begin} on the session's thread, {@link #flush} before
 * the session waits for replies. Any thread that waits for a reply ({@link BackendRequest#await}) flushes its
 * batch first, so nothing it waits for can be stuck in it. Threads without a batch write at once.
 */
public final class WriteBatch {
    private static final ThreadLocal<WriteBatch> CURRENT = new ThreadLocal<>();

    private final List<BackendConnection> queued = new ArrayList<>(4);

    private WriteBatch() {
    }

    /** Starts batching the calling thread's backend writes. */
    public static WriteBatch begin() {
        WriteBatch batch = new WriteBatch();
        CURRENT.set(batch);
        return batch;
    }

    /** Writes what was queued, then stops batching on the calling thread. */
    public void end() {
        flush();
        CURRENT.remove();
    }

    /** Writes every connection that has requests of this thread queued. */
    public void flush() {
        for (int i = 0; i < queued.size(); i++) {
            queued.get(i).flush();
        }
        queued.clear();
    }

    /** Remembers {@code connection} for the calling thread's next flush; false when the thread has no batch. */
    static boolean defer(BackendConnection connection) {
        WriteBatch batch = CURRENT.get();
        if (batch == null) {
            return false;
        }
        if (!batch.queued.contains(connection)) { // a handful at most: a list beats a set here
            batch.queued.add(connection);
        }
        return true;
    }

    /** Flushes the calling thread's batch, if it has one. */
    static void flushCurrent() {
        WriteBatch batch = CURRENT.get();
        if (batch != null) {
            batch.flush();
        }
    }
}
