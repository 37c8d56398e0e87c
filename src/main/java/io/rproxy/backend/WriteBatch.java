package io.rproxy.backend;

import java.util.Arrays;

/**
 * The backend connections a client has queued requests on but not yet written. A client that pipelines N commands
 * queues all N first and then writes each connection once, instead of one write per command.
 *
 * <p>Owned by one client and used by its thread only: requests are deferred here as they are sent, and
 * {@link #flush} runs before the client waits for a reply ({@link BackendRequest#await} flushes the batch its
 * request waits in), so nothing a client waits for can be stuck in its batch. Held by every connected client, so
 * it holds no array until the first request.
 */
public final class WriteBatch {
    private static final BackendConnection[] NONE = {};
    /** Most yields of one flush: each lets every client that was ready to run queue its requests once. */
    private static final int YIELD_ROUNDS = 4;

    private BackendConnection[] queued = NONE;
    private int size;

    /**
     * Writes every connection that has requests of this batch queued, sharing each write with the other clients
     * that are ready to run. The client claims the connections' next writes and yields its carrier before making
     * them, so the client threads that the same poll woke queue their requests meanwhile and find the writes
     * claimed: one write carries them all, and the server reads them in one go. It yields again while others keep
     * queueing, a few rounds at most. At pipeline 1 with 50 clients this took writes from 1.8 to 1.2 per request,
     * and throughput up by about a sixth (docs/benchmarks.md); with nothing else ready to run, a yield costs one
     * unmount and remount of the thread. A connection whose write another client has claimed is left to that
     * client: it clears its claim before it writes, so it writes what was queued here.
     */
    public void flush() {
        int claimed = 0;
        for (int i = 0; i < size; i++) {
            BackendConnection connection = queued[i];
            queued[i] = null;
            if (connection.claimWrite()) {
                queued[claimed++] = connection;
            }
        }
        size = 0;
        if (claimed == 0) {
            return;
        }
        letOthersQueue(claimed);
        for (int i = 0; i < claimed; i++) {
            BackendConnection connection = queued[i];
            queued[i] = null;
            connection.releaseClaimAndWrite();
        }
    }

    private void letOthersQueue(int claimed) {
        for (int round = 0; round < YIELD_ROUNDS; round++) {
            int before = queuedOn(claimed);
            Thread.yield();
            if (queuedOn(claimed) == before) {
                return;
            }
        }
    }

    private int queuedOn(int claimed) {
        int total = 0;
        for (int i = 0; i < claimed; i++) {
            total += queued[i].queued();
        }
        return total;
    }

    /** Remembers {@code connection} for the next flush. */
    void defer(BackendConnection connection) {
        for (int i = 0; i < size; i++) { // a handful at most: a scan beats a set here
            if (queued[i] == connection) {
                return;
            }
        }
        if (size == queued.length) {
            queued = Arrays.copyOf(queued, Math.max(2, 2 * size));
        }
        queued[size++] = connection;
    }
}
