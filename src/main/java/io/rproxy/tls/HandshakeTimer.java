package io.rproxy.tls;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

/**
 * Bounds a whole TLS handshake in time, not just each read: a socket timeout alone lets a peer that sends one byte
 * every few seconds hold a handshake open for good. The handshake runs on its caller's thread; if it has not
 * finished within its bound, one {@code tls-handshake-timer} thread closes the underlying socket, which ends it
 * with an error.
 *
 * <p>One timer for the process (started on first use), like the JDK's own timers: it holds only the pending
 * closes of handshakes under way, and every listener and backend connection shares it; a handshake that ends in
 * time removes its entry.
 */
final class HandshakeTimer {
    private HandshakeTimer() {
    }

    private static final class Holder {
        static final ScheduledThreadPoolExecutor TIMER = timer();

        private static ScheduledThreadPoolExecutor timer() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                    Thread.ofPlatform().name("tls-handshake-timer").daemon().factory());
            timer.setRemoveOnCancelPolicy(true);
            return timer;
        }
    }

    /**
     * Runs {@code tls}'s handshake over {@code raw} within {@code bound}; the socket's read timeout is what it was
     * afterwards.
     *
     * @throws SocketTimeoutException when the bound passed
     * @throws IOException            when the handshake failed (the peer's alert, a certificate refused, EOF)
     */
    static void handshake(SSLSocket tls, Socket raw, Duration bound) throws IOException {
        int millis = (int) Math.clamp(bound.toMillis(), 1, Integer.MAX_VALUE);
        int before = raw.getSoTimeout();
        raw.setSoTimeout(millis);
        ScheduledFuture<?> overrun = Holder.TIMER.schedule(() -> closeQuietly(raw), millis, TimeUnit.MILLISECONDS);
        try {
            tls.startHandshake();
        } catch (IOException e) {
            if (overrun.isDone() || e instanceof SocketTimeoutException) {
                throw new SocketTimeoutException("no TLS handshake within " + millis + " ms");
            }
            throw e;
        } finally {
            overrun.cancel(false);
        }
        raw.setSoTimeout(before);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // The handshake it ends fails either way.
        }
    }
}
