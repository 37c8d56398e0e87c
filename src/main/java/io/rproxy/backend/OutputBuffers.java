package io.rproxy.backend;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The output buffers of every client of a proxy ({@link OutputBuffer}), and their total, bounded by the proxy's
 * {@code maxmemory_clients}: when a landing reply takes the total past it, the clients holding the most are
 * disconnected until it is under again, as Redis evicts clients past its {@code maxmemory-clients}. One per
 * proxy, shared by its pools and kept across reloads.
 *
 * <p>Thread-safe: the total is one atomic counter; the rare eviction scans the open buffers under a lock that a
 * second thread finding the total high does not wait for.
 */
public final class OutputBuffers {
    private final AtomicLong total = new AtomicLong();
    private final Set<OutputBuffer> open = ConcurrentHashMap.newKeySet();
    /** Held by the one thread evicting; another that finds the total over the limit leaves it to that one. */
    private final ReentrantLock evicting = new ReentrantLock();
    /** In bytes; 0 means no limit. */
    private volatile long limit;

    /** @param limit {@code maxmemory_clients} in bytes; 0 for none */
    public OutputBuffers(long limit) {
        this.limit = limit;
    }

    /** A reload's new {@code maxmemory_clients}. */
    public void limit(long bytes) {
        limit = bytes;
    }

    /**
     * A new client's buffer, to be {@link OutputBuffer#open opened} by the thread that serves the client (so that
     * a client whose thread never starts leaves nothing behind here).
     *
     * @param clientLimit its pool's {@code client_output_buffer_limit} in bytes; 0 for none
     * @param disconnect  closes the client's connection when it overflows (logging and counting it)
     */
    public OutputBuffer newBuffer(long clientLimit, OutputBuffer.Disconnect disconnect) {
        return new OutputBuffer(this, clientLimit, disconnect);
    }

    /** Makes {@code buffer} one that eviction may pick. */
    void opened(OutputBuffer buffer) {
        open.add(buffer);
    }

    /** Bytes of replies held for all clients now. */
    public long bytes() {
        return total.get();
    }

    /** Adds {@code delta}; true when the total is now over the limit. */
    boolean add(long delta) {
        long now = total.addAndGet(delta);
        long max = limit;
        return delta > 0 && max > 0 && now > max;
    }

    void closed(OutputBuffer buffer, long held) {
        open.remove(buffer);
        if (held != 0) {
            total.addAndGet(-held);
        }
    }

    /** Disconnects the clients holding the most until the total is under the limit. */
    void evict() {
        if (!evicting.tryLock()) {
            return;
        }
        try {
            long max;
            while ((max = limit) > 0 && total.get() > max) {
                OutputBuffer biggest = null;
                for (OutputBuffer buffer : open) {
                    if (biggest == null || buffer.held() > biggest.held()) {
                        biggest = buffer;
                    }
                }
                if (biggest == null || biggest.held() == 0) {
                    return;
                }
                biggest.close(OutputBuffer.Overflow.TOTAL_LIMIT);
            }
        } finally {
            evicting.unlock();
        }
    }
}
