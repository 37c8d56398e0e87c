package io.rproxy.backend;

import java.util.Arrays;

/**
 * The backend connections a client has queued requests on but not yet written. A client that pipelines N commands
 * queues all N first and then writes each connection once, instead of one write per command.
 *
 * <p>Owned by one client and used by its thread only. The client must {@link #flush} it before it waits for a reply
 * (the client session does so before it awaits its outstanding replies, a cluster request after it resends) and
 * when it leaves: until then its requests may sit unwritten in the connections' outboxes. Held by every connected
 * client, so it holds no array until the first request.
 */
public final class WriteBatch {
    private static final ConnectionWriter[] NONE = {};

    private ConnectionWriter[] queued = NONE;
    private int size;

    /**
     * Writes every connection that has requests of this batch queued, sharing each write with the other clients
     * that are ready to run (see {@link ConnectionWriter#writeBatch}).
     */
    public void flush() {
        if (size == 0) {
            return;
        }
        int n = size;
        size = 0;
        ConnectionWriter.writeBatch(queued, n);
    }

    /** Remembers {@code writer} for the next flush. */
    void defer(ConnectionWriter writer) {
        for (int i = 0; i < size; i++) { // a handful at most: a scan beats a set here
            if (queued[i] == writer) {
                return;
            }
        }
        if (size == queued.length) {
            queued = Arrays.copyOf(queued, Math.max(2, 2 * size));
        }
        queued[size++] = writer;
    }
}
