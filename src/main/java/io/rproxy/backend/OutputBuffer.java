package io.rproxy.backend;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The replies that have landed for one client and that its session has not yet taken to write: what Redis calls
 * the client's output buffer, counted in bytes. Charged by whoever completes one of the client's requests (a
 * backend connection's reader, mostly) as the reply lands, and released by the client's own thread as it takes
 * each reply to write it ({@link BackendRequest#await}). It has to be counted as replies land: a pipelining
 * client has all its requests dispatched before the first reply comes, so nothing checked at dispatch could
 * bound it.
 *
 * <p>A client whose buffer passes its limit is disconnected, as Redis disconnects a client past its
 * {@code client-output-buffer-limit}, and so is the client holding the most when all clients together pass the
 * proxy's {@code maxmemory_clients} ({@link OutputBuffers}). Disconnecting closes the buffer: what it held is
 * given back, and replies that land for the client later are dropped as they arrive ({@link #charge} is false),
 * so they are still read off their server connections, which stay aligned. A single reply is never refused for
 * its own size: the limit is on what piles up behind it.
 *
 * <p>Lock-free; charged from any thread, released and closed by the client's thread or by whoever disconnects it.
 */
public final class OutputBuffer {
    /** Why a client was disconnected. */
    public enum Overflow {
        /** Its own buffer passed the pool's {@code client_output_buffer_limit}. */
        CLIENT_LIMIT,
        /** All clients' buffers together passed {@code maxmemory_clients}, and this client held the most. */
        TOTAL_LIMIT
    }

    /** What disconnects the client; run once, on the thread that found the buffer over its limit. */
    public interface Disconnect {
        void overflowed(Overflow why, long heldBytes);
    }

    /** {@link #held} once closed: no later charge can bring it back above zero. */
    private static final long CLOSED = Long.MIN_VALUE;

    private final OutputBuffers all;
    private final Disconnect disconnect;
    /** Bytes of replies landed and not yet taken; {@link #CLOSED} once closed. */
    private final AtomicLong held = new AtomicLong();
    /** In bytes; 0 means no limit (Redis's 0). Set by the client's thread when its pool's settings change. */
    private volatile long limit;

    OutputBuffer(OutputBuffers all, long limit, Disconnect disconnect) {
        this.all = all;
        this.limit = limit;
        this.disconnect = disconnect;
    }

    /** The client's thread starts: from now on, until {@link #close}, the buffer may be picked for eviction. */
    public void open() {
        all.opened(this);
    }

    /** The pool's {@code client_output_buffer_limit} in bytes; 0 for none. */
    public void limit(long bytes) {
        limit = bytes;
    }

    /** Bytes held now; 0 once closed. */
    public long held() {
        return Math.max(0, held.get());
    }

    public boolean isClosed() {
        return held.get() == CLOSED;
    }

    /**
     * A reply of {@code bytes} landed for the client. False when the client is gone or has just been disconnected
     * for passing a limit: the reply is then to be dropped rather than kept.
     */
    boolean charge(long bytes) {
        long before;
        do {
            before = held.get();
            if (before == CLOSED) {
                return false;
            }
        } while (!held.compareAndSet(before, before + bytes));
        boolean totalOver = all.add(bytes);
        long max = limit;
        if (max > 0 && before > 0 && before + bytes > max) {
            close(Overflow.CLIENT_LIMIT);
            return false;
        }
        if (totalOver) {
            all.evict();
        }
        return !isClosed();
    }

    /** The client's thread took a reply of {@code bytes} to write it. */
    void release(long bytes) {
        long before;
        do {
            before = held.get();
            if (before == CLOSED) {
                return; // given back when it closed
            }
        } while (!held.compareAndSet(before, before - bytes));
        all.add(-bytes);
    }

    /** The client is gone: gives back what is held; replies that land later are dropped. */
    public void close() {
        closeHeld();
    }

    /** Closes for {@code why} and disconnects the client, once; false when it was closed already. */
    boolean close(Overflow why) {
        long was = closeHeld();
        if (was < 0) {
            return false;
        }
        disconnect.overflowed(why, was);
        return true;
    }

    /** The bytes held when closed, or -1 when it was closed already. */
    private long closeHeld() {
        long was = held.getAndSet(CLOSED);
        if (was == CLOSED) {
            return -1;
        }
        all.closed(this, was);
        return was;
    }
}
