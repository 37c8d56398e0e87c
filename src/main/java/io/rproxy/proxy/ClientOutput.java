package io.rproxy.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client socket's output, written by more than one thread once the client subscribes: its session's thread
 * (replies) and each subscriber connection's reader (acknowledgements and messages). Every write is one whole
 * frame or batch of frames ({@link ReplyWriter} writes whole replies), and takes the lock, so frames never
 * interleave. A reader that must update the client's subscriptions and write the acknowledgement as one step
 * holds {@link #lock} around both (it is reentrant).
 *
 * <p>Used by the session's thread and by its subscriber readers (virtual threads).
 */
final class ClientOutput extends OutputStream {
    private final OutputStream out;
    /** Guards the socket's output, and a client's subscription sets ({@link Subscriptions}). */
    final ReentrantLock lock = new ReentrantLock();

    ClientOutput(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        lock.lock();
        try {
            out.write(b, off, len);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }
}
