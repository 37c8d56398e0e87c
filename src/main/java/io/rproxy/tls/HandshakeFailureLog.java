package io.rproxy.tls;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the failed TLS handshakes of one listener without flooding the log: the first failure, then at most one
 * every {@link #INTERVAL_NANOS} at INFO, saying how many failed in between; the others at DEBUG. A port scan or a
 * client that keeps sending plain text to a TLS port makes one line every ten seconds. Any thread may call it.
 */
public final class HandshakeFailureLog {
    private static final Logger log = LoggerFactory.getLogger(HandshakeFailureLog.class);
    static final long INTERVAL_NANOS = 10_000_000_000L;

    private final String listener;
    /** System.nanoTime of the last INFO line; the first failure always gets one. */
    private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);
    private final AtomicLong unreported = new AtomicLong();

    /** @param listener names the listener in the log, e.g. "pool 'alpha'" */
    public HandshakeFailureLog(String listener) {
        this.listener = listener;
    }

    public void failed(SocketAddress peer, Throwable e) {
        long now = System.nanoTime();
        long last = lastReport.get();
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (now - last >= INTERVAL_NANOS && lastReport.compareAndSet(last, now)) {
            long others = unreported.getAndSet(0);
            log.info("{}: TLS handshake with {} failed: {}{}", listener, peer, reason,
                    others == 0 ? "" : " (and " + others + " other handshakes since the last report)");
        } else {
            unreported.incrementAndGet();
            log.debug("{}: TLS handshake with {} failed: {}", listener, peer, reason);
        }
    }
}
