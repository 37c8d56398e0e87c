package io.rproxy.backend;

import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces per-request timeouts with one DelayQueue and one {@code deadline-timer} thread for the whole proxy.
 *
 * <p>The queue is not touched per request: a connection's requests share one timeout and are answered in order,
 * so only the oldest outstanding request of each connection needs watching (Envoy arms its timer for the
 * pipeline head only). A connection keeps at most one token here; when it expires the connection checks its
 * current head and either times it out or re-arms for it. A token whose request was answered meanwhile is simply
 * re-aimed: cancellation is lazy and the common case (replies well within the timeout) costs one token per
 * connection per timeout period.
 */
public final class DeadlineTimer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeadlineTimer.class);

    private final DelayQueue<Token> tokens = new DelayQueue<>();
    private final Thread thread;

    public DeadlineTimer() {
        thread = Thread.ofPlatform().daemon().name("deadline-timer").start(this::run);
    }

    /** Watches {@code request} on {@code connection} until its deadline. */
    void arm(BackendConnection connection, BackendRequest request) {
        tokens.add(new Token(connection, request));
    }

    private void run() {
        while (true) {
            Token token;
            try {
                token = tokens.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                token.connection.onDeadline(token.request);
            } catch (Throwable t) {
                // Whatever it was, the thread goes on for the other connections; this one can no longer be
                // trusted to time out, so it is closed and its clients hear so rather than wait forever.
                log.error("deadline check failed", t);
                token.connection.close("internal error in deadline-timer: " + t);
            }
        }
    }

    /** Tokens waiting; for tests that check nothing accumulates. */
    int pending() {
        return tokens.size();
    }

    @Override
    public void close() {
        thread.interrupt();
    }

    private record Token(BackendConnection connection, BackendRequest request) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(request.deadlineNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            // Difference, not direct comparison: nanoTime values may wrap.
            return Long.signum(request.deadlineNanos() - ((Token) other).request.deadlineNanos());
        }
    }
}
