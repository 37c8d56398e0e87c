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

    private BackendConnection[] queued = NONE;
    private int size;

    /** Writes every connection that has requests of this batch queued. */
    public void flush() {
        for (int i = 0; i < size; i++) {
            BackendConnection connection = queued[i];
            queued[i] = null;
            connection.flush();
        }
        size = 0;
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
