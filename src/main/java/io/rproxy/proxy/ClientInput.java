package io.rproxy.proxy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * A client's socket input that lets its session finish what it owes before a read that would block: the
 * requests it has queued are written to their servers and the replies owed are written back, so a client that
 * pauses inside its next command (a slow uploader, a big value still on the wire, a segment boundary) holds back
 * neither its complete commands nor anyone else's. A read that will not block (the bytes are already in the
 * kernel) goes ahead, so a pipeline that is still arriving keeps being batched.
 *
 * <p>Used by its session's thread only, through that session's {@link io.rproxy.resp.RespReader}.
 */
final class ClientInput extends FilterInputStream {
    /** The session's side: whether it owes anything, and settling it. */
    interface Owed {
        /** True when requests or replies are outstanding; a cheap check, made before every read. */
        boolean any();

        /** Writes the queued requests, awaits the replies owed and writes them. */
        void settle() throws IOException;
    }

    private final Owed owed;
    /** A read made by a leave watcher, that the session's next read takes first; null when none. */
    private Prefetch prefetch;

    ClientInput(InputStream in, Owed owed) {
        super(in);
        this.owed = owed;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        beforeRead();
        if (prefetch != null) {
            return takePrefetched(b, off, len);
        }
        // in.read, not super.read: FilterInputStream's frame would be one more on every idle client's parked stack
        return in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
        Prefetch p = prefetch;
        if (p != null) {
            return p.done() ? Math.max(0, p.count - p.taken) : 0;
        }
        return super.available();
    }

    /**
     * While the session waits on something other than its client (a blocking command), one read of the client's
     * socket runs on a watcher thread: when it finds the client gone (end of stream, a reset), {@code onLeave}
     * runs at once on that thread. Whatever it reads is kept for the session's next read, so nothing is lost;
     * a client that sends more meanwhile is no longer watched. The session's next read waits for the watcher's.
     */
    void watchForLeave(Runnable onLeave, String threadName) {
        Prefetch p = prefetch;
        if (p != null) {
            // The last watcher's read is still out (a pipelined blocking command): it watches for this one now.
            p.onLeave = onLeave;
            if (p.left) {
                onLeave.run(); // the client left before the hook was swapped; running twice is harmless
            }
            return;
        }
        Prefetch fresh = new Prefetch(onLeave);
        fresh.thread = Thread.ofVirtual().name(threadName).start(() -> {
            try {
                fresh.count = in.read(fresh.bytes);
                if (fresh.count < 0) {
                    fresh.leave();
                }
            } catch (IOException e) {
                fresh.error = e;
                fresh.leave();
            }
        });
        prefetch = fresh;
    }

    private int takePrefetched(byte[] b, int off, int len) throws IOException {
        Prefetch p = prefetch;
        try {
            p.thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the client watcher");
        }
        if (p.error != null) {
            prefetch = null;
            throw p.error;
        }
        if (p.count < 0) {
            prefetch = null;
            return -1;
        }
        int n = Math.min(len, p.count - p.taken);
        System.arraycopy(p.bytes, p.taken, b, off, n);
        p.taken += n;
        if (p.taken == p.count) {
            prefetch = null;
        }
        return n;
    }

    /** available() is asked only when something is owed, so a client waiting for nothing costs no system call. */
    private void beforeRead() throws IOException {
        if (owed.any() && available() == 0) {
            owed.settle();
        }
    }

    /** One watcher's read: count, taken and error are written by the watcher and read by the session after join(). */
    private static final class Prefetch {
        final byte[] bytes = new byte[4096];
        Thread thread;
        int count;
        int taken;
        IOException error;
        /** What the client's leaving does: swapped by the session for each blocking command it waits on. */
        volatile Runnable onLeave;
        /** Set before onLeave runs, so that a hook swapped in meanwhile is run by the session. */
        volatile boolean left;

        Prefetch(Runnable onLeave) {
            this.onLeave = onLeave;
        }

        void leave() {
            left = true;
            onLeave.run();
        }

        boolean done() {
            return !thread.isAlive();
        }
    }
}
