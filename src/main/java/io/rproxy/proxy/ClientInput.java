package io.rproxy.proxy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

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

    ClientInput(InputStream in, Owed owed) {
        super(in);
        this.owed = owed;
    }

    @Override
    public int read() throws IOException {
        beforeRead();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        beforeRead();
        return super.read(b, off, len);
    }

    /** available() is asked only when something is owed, so a client waiting for nothing costs no system call. */
    private void beforeRead() throws IOException {
        if (owed.any() && in.available() == 0) {
            owed.settle();
        }
    }
}
