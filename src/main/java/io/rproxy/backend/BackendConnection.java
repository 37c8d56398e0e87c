package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespReader;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipelined TCP connection to a backend server. Senders put requests in a bounded outbox; the writer thread
 * drains the outbox into one buffer, moves each request to the in-flight queue and flushes once per batch; the
 * reader thread matches each reply to the oldest in-flight request.
 *
 * <p>A connection is aligned or dead (STYLE.md habit 6): an I/O error, a protocol error, a reply nobody asked
 * for or an expired deadline closes it and fails every request queued or in flight on it, in order.
 * {@code -ERR} replies are data.
 */
final class BackendConnection {
    private static final Logger log = LoggerFactory.getLogger(BackendConnection.class);
    private static final VarHandle CLOSED_REASON;
    private static final int WRITE_BATCH = 256;

    static {
        try {
            CLOSED_REASON = MethodHandles.lookup()
                    .findVarHandle(BackendConnection.class, "closedReason", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a connection reports to its server: failures count towards ejection, replies reset the count. */
    interface Listener {
        void onReply(Reply reply);

        void onFailure(String reason);
    }

    private final ServerSpec server;
    private final Socket socket;
    private final OutputStream out;
    private final RespReader in;
    private final ArrayBlockingQueue<BackendRequest> outbox;
    /** Written, awaiting a reply: the writer appends, the reader removes from the head. */
    private final Queue<BackendRequest> inFlight = new ConcurrentLinkedQueue<>();
    private final Listener listener;
    private final ServerStats stats;
    private final DeadlineTimer timer;
    /** The pool's timeout in nanoseconds; 0 when requests may wait forever. */
    private final long timeoutNanos;
    private final String timeoutMessage;
    /** Whether a deadline token for this connection is in the timer's queue. */
    private final AtomicBoolean armed = new AtomicBoolean();
    /** Null while open; set once, by {@link #shutDown}. */
    private volatile String closedReason;
    private final Thread writer;
    private final Thread reader;

    private BackendConnection(ServerSpec server, String threadName, ServerSocketOpener.Opened opened,
                              BackendSettings settings, BackendRuntime runtime, ServerStats stats,
                              Listener listener) {
        this.server = server;
        this.socket = opened.socket();
        this.out = opened.out();
        this.in = opened.in();
        this.outbox = new ArrayBlockingQueue<>(settings.outboxCapacity());
        this.listener = listener;
        this.stats = stats;
        this.timer = runtime.deadlines();
        this.timeoutNanos = settings.timeout().map(java.time.Duration::toNanos).orElse(0L);
        this.timeoutMessage = settings.timeout()
                .map(t -> "ERR timeout after " + t.toMillis() + " ms waiting for " + server.describe())
                .orElse("");
        this.writer = runtime.threads().newThread(threadName + "-writer", this::writeLoop);
        this.reader = runtime.threads().newThread(threadName + "-reader", this::readLoop);
    }

    /**
     * Connects, authenticates and selects the database, then starts the writer and reader threads.
     *
     * @throws BackendException when the server cannot be reached or refuses the handshake
     */
    static BackendConnection open(ServerSpec server, String threadName, BackendSettings settings,
                                  BackendRuntime runtime, ServerStats stats, Listener listener) {
        ServerSocketOpener.Opened opened = ServerSocketOpener.open(server, settings);
        BackendConnection connection =
                new BackendConnection(server, threadName, opened, settings, runtime, stats, listener);
        stats.openConnections.incrementAndGet();
        connection.writer.start();
        connection.reader.start();
        return connection;
    }

    /**
     * Queues a request; blocks while the outbox is full (backpressure from a slow server). A request sent to a
     * connection that has closed is completed with the close reason.
     */
    void send(BackendRequest request) throws InterruptedException {
        if (timeoutNanos > 0) {
            request.deadlineNanos(System.nanoTime() + timeoutNanos);
        }
        if (closedReason == null) {
            outbox.put(request);
            stats.queued.increment();
            armForHead();
        }
        // A close between the check and the put would strand the request: fail whatever is left.
        if (closedReason != null) {
            failAll();
            fail(request, closedReason);
        }
    }

    boolean isOpen() {
        return closedReason == null;
    }

    /** Closes the connection and fails what is queued or in flight with the given reason. */
    void close(String reason) {
        shutDown(reason, false);
    }

    private void writeLoop() {
        List<BackendRequest> batch = new ArrayList<>(WRITE_BATCH);
        try {
            while (closedReason == null) {
                batch.add(outbox.take());
                outbox.drainTo(batch, WRITE_BATCH - 1);
                stats.queued.add(-batch.size());
                for (BackendRequest request : batch) {
                    inFlight.add(request);
                    stats.inFlight.increment();
                    out.write(request.frame());
                    stats.requests.increment();
                    stats.requestBytes.add(request.frame().length);
                }
                batch.clear();
                armForHead(); // the head may have been in this batch while the timer looked for it
                out.flush();
                if (closedReason != null) {
                    failAll(); // the reader may have drained inFlight before this batch got there
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts the writer; the requests in hand are failed below.
        } catch (IOException e) {
            shutDown("write failed: " + ServerSocketOpener.describe(e), true);
        } finally {
            for (BackendRequest request : batch) {
                fail(request, closedReason == null ? "writer stopped" : closedReason);
            }
        }
    }

    private void readLoop() {
        try {
            while (true) {
                Reply reply = in.readReply();
                BackendRequest request = inFlight.poll();
                if (request == null) {
                    shutDown("protocol error: a reply arrived that no request was waiting for", true);
                    return;
                }
                stats.inFlight.decrement();
                stats.responses.increment();
                stats.responseBytes.add(reply.bytes().length);
                request.complete(reply);
                listener.onReply(reply);
            }
        } catch (IOException | ProtocolException e) {
            if (e instanceof java.io.EOFException && closedReason == null) {
                stats.eof.increment(); // twemproxy's server_eof: the server hung up, as opposed to an error
            }
            shutDown(closedReason != null ? closedReason : ServerSocketOpener.describe(e), true);
        }
    }

    /** Arms a deadline for the oldest outstanding request unless one is armed already (one CAS, usually none). */
    private void armForHead() {
        if (timeoutNanos == 0 || armed.get() || closedReason != null) {
            return;
        }
        BackendRequest head = oldestOutstanding();
        if (head != null && armed.compareAndSet(false, true)) {
            timer.arm(this, head);
        }
    }

    private BackendRequest oldestOutstanding() {
        BackendRequest head = inFlight.peek();
        return head != null ? head : outbox.peek();
    }

    /**
     * Called by the deadline timer when the token armed for {@code watched} expires: times out the oldest
     * outstanding request if its deadline has passed, else re-arms for it.
     */
    void onDeadline(BackendRequest watched) {
        armed.set(false);
        if (closedReason != null) {
            return;
        }
        BackendRequest head = oldestOutstanding();
        if (head == null) {
            armForHead(); // a sender may have queued one between the peek and the reset
            return;
        }
        if (head.deadlineNanos() - System.nanoTime() > 0) {
            armForHead();
            return;
        }
        // Closed before the client hears of the timeout: its next request must not land on this connection.
        if (!CLOSED_REASON.compareAndSet(this, null, "closed after a request timed out")) {
            return;
        }
        if (head.complete(Reply.error(timeoutMessage))) {
            stats.timeouts.increment();
            stats.errors.increment();
        }
        // The late reply may still come: the connection can no longer be trusted to stay aligned.
        finishClose(true);
    }

    private void shutDown(String reason, boolean unexpected) {
        // Reader, writer and timer can fail it at the same moment: only the first reason counts.
        if (CLOSED_REASON.compareAndSet(this, null, reason)) {
            finishClose(unexpected);
        }
    }

    /** Called once, by whoever set {@link #closedReason}. */
    private void finishClose(boolean unexpected) {
        String reason = closedReason;
        ServerSocketOpener.closeQuietly(socket);
        writer.interrupt();
        failAll();
        stats.openConnections.decrementAndGet();
        if (unexpected) {
            stats.connectionErrors.increment();
            log.warn("connection to {} closed: {}", server.describe(), reason);
            listener.onFailure(reason);
        }
    }

    private void failAll() {
        BackendRequest request;
        while ((request = inFlight.poll()) != null) {
            stats.inFlight.decrement();
            fail(request, closedReason);
        }
        while ((request = outbox.poll()) != null) {
            stats.queued.decrement();
            fail(request, closedReason);
        }
    }

    private void fail(BackendRequest request, String reason) {
        if (request.complete(Reply.error("ERR rproxy: " + server.describe() + ": " + reason))) {
            stats.errors.increment();
        }
    }
}
