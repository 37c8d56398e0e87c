package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespReader;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipelined TCP connection to a backend server. Senders queue requests in its {@link ConnectionWriter}, which
 * writes them (usually on the sending client's own thread, at its batch's flush) and moves each to the in-flight
 * queue as it does; the reader thread matches each reply to the oldest in-flight request.
 *
 * <p>A connection is aligned or dead (STYLE.md habit 6): an I/O error, a protocol error, a reply nobody asked
 * for or an expired deadline closes it and fails every request queued or in flight on it, in order.
 * {@code -ERR} replies are data.
 *
 * <p>Only the reader thread takes requests off {@link #inFlight} while it may still hand out replies: the timer,
 * the writers and {@link #close} only condemn the connection (set {@link #closedReason}) and close the socket;
 * the reader then stops matching and fails what is left in order. Were two threads to poll the queue, a reply
 * buffered by the reader would go to the request after the one it answers.
 */
final class BackendConnection implements ConnectionWriter.Target {
    private static final Logger log = LoggerFactory.getLogger(BackendConnection.class);
    private static final VarHandle CLOSED_REASON;

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
    private final RespReader in;
    /** The outbox and the one write path: the only code that writes to the socket or adds to {@link #inFlight}. */
    private final ConnectionWriter writer;
    /** Written, awaiting a reply: the writing thread appends (in wire order), the reader removes from the head. */
    private final Queue<BackendRequest> inFlight = new ConcurrentLinkedQueue<>();
    private final Listener listener;
    private final ServerStats stats;
    private final DeadlineTimer timer;
    /** The pool's timeout in nanoseconds; 0 when requests may wait forever. */
    private final long timeoutNanos;
    private final String timeoutMessage;
    /** Whether a deadline token for this connection is in the timer's queue. */
    private final AtomicBoolean armed = new AtomicBoolean();
    /** Set by the reader before it closes the connection because the server hung up. */
    private volatile boolean closedByServer;
    /** Null while open; set once, by {@link #shutDown} or {@link #onDeadline}. */
    private volatile String closedReason;
    /**
     * Set by the reader once it hands out no more replies: from then on any thread may fail what is in
     * {@link #inFlight}, since nothing is matched against it any more.
     */
    private volatile boolean readerDone;
    private final Thread reader;

    private BackendConnection(ServerSpec server, String threadName, ServerSocketOpener.Opened opened,
                              BackendSettings settings, BackendRuntime runtime, ServerStats stats,
                              Listener listener) {
        this.server = server;
        this.socket = opened.socket();
        this.in = opened.in();
        this.listener = listener;
        this.stats = stats;
        this.timer = runtime.deadlines();
        this.timeoutNanos = settings.timeout().map(java.time.Duration::toNanos).orElse(0L);
        this.timeoutMessage = settings.timeout()
                .map(t -> "ERR timeout after " + t.toMillis() + " ms waiting for " + server.describe())
                .orElse("");
        this.writer = new ConnectionWriter(opened.out(), settings.outboxCapacity(), stats, this, runtime.threads(),
                threadName + "-writer");
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
     * Queues a request, to be written at the next flush of {@code writes}, which its client makes before it waits
     * for a reply (see {@link ConnectionWriter} for who writes it). Blocks while the outbox is full (backpressure
     * from a slow server). A request sent to a connection that has closed is completed with the close reason.
     */
    void send(BackendRequest request, WriteBatch writes) throws InterruptedException {
        if (timeoutNanos > 0) {
            request.deadlineNanos(System.nanoTime() + timeoutNanos);
        }
        if (closedReason == null) {
            writer.queue(request, writes);
            armForHead();
        }
        // A close between the check and the queueing would strand the request: fail whatever is left.
        if (closedReason != null) {
            failAll();
            fail(request, closedReason);
        }
    }

    /** Called by the writing thread just before the request's bytes are written. */
    @Override
    public void writing(BackendRequest request) {
        request.writtenOn(this);
        inFlight.add(request);
        stats.inFlight.increment();
    }

    /** The writer's socket failed, or its thread met the unexpected. */
    @Override
    public void failed(String reason) {
        shutDown(reason, true);
    }

    @Override
    public boolean isOpen() {
        return closedReason == null;
    }

    /** Closes the connection and fails what is queued or in flight with the given reason. */
    void close(String reason) {
        shutDown(reason, false);
    }

    /**
     * The reader thread. Its catch ladder: an I/O or protocol error is the server's failure; anything else (a
     * listener that throws, an OutOfMemoryError) is logged once with the thread's name; either way the connection
     * closes and every request still waiting on it fails, in order, here.
     */
    private void readLoop() {
        try {
            readReplies();
        } catch (IOException | ProtocolException e) {
            if (e instanceof java.io.EOFException && closedReason == null) {
                closedByServer = true; // twemproxy's server_eof, as opposed to server_err
            }
            shutDown(ServerSocketOpener.describe(e), true);
        } catch (Throwable t) {
            unexpected(t);
        } finally {
            readerDone = true;
            failAll();
        }
    }

    /** Hands each reply to the oldest request in flight, until the connection is condemned or fails. */
    private void readReplies() throws IOException {
        while (closedReason == null) {
            Reply reply = in.readReply();
            // Peeked after the first reply, when its request is surely in flight; no other thread takes from it.
            int leading = leadingReplies(inFlight.peek());
            for (int i = 0; i < leading; i++) {
                reply = in.readReply(); // the first was ASKING's +OK: the request's own reply is the last
            }
            if (closedReason != null) {
                return; // condemned while reading: nothing more is handed out, the rest fail in order
            }
            BackendRequest request = inFlight.poll();
            if (request == null) {
                shutDown("protocol error: a reply arrived that no request was waiting for", true);
                return;
            }
            stats.inFlight.decrement();
            stats.responses.increment();
            stats.responseBytes.add(in.lastReplyLength());
            if (in.lastReplyDiscarded()) {
                // Read past, so the connection stays aligned; only this request fails.
                reply = ProxyError.of(server.describe() + ": reply of " + in.lastReplyLength()
                        + " bytes is larger than rproxy passes on (" + RespReader.MAX_REPLY_BYTES + ")");
                stats.errors.increment();
            }
            request.complete(reply);
            listener.onReply(reply);
        }
    }

    private static int leadingReplies(BackendRequest head) {
        return head == null ? 0 : head.leadingReplies();
    }

    /** The bottom rung of a thread's catch ladder: log once, naming the thread, and close the connection. */
    @Override
    public void unexpected(Throwable t) {
        String thread = Thread.currentThread().getName();
        try {
            log.error("{}: unexpected failure, closing the connection to {}", thread, server.describe(), t);
        } finally {
            shutDown("internal error in " + thread + ": " + t, true);
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
        return head != null ? head : writer.oldestQueued();
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
        // Condemned before the client hears of the timeout: its next request must not land on this connection.
        if (!CLOSED_REASON.compareAndSet(this, null, "closed after a request timed out")) {
            return;
        }
        // Completed, not taken off the queue: the reader still owns inFlight and fails the rest in order. If its
        // reply won the race, the request has its own reply and this does nothing.
        if (head.complete(Reply.error(timeoutMessage))) {
            stats.timeouts.increment();
            stats.errors.increment();
        }
        // The late reply may still come: the connection can no longer be trusted to stay aligned.
        finishClose(true);
    }

    /**
     * Called by a client thread that found this connection's reply malformed for what was asked (e.g. an MGET
     * part one element short): the connection is misaligned, so it closes and its other requests fail.
     */
    void misaligned(String why) {
        shutDown("misaligned: " + why, true);
    }

    private void shutDown(String reason, boolean unexpected) {
        // Reader, writer and timer can fail it at the same moment: only the first reason counts.
        if (CLOSED_REASON.compareAndSet(this, null, reason)) {
            finishClose(unexpected);
        }
    }

    /**
     * Called once, by whoever set {@link #closedReason}. Closing the socket wakes the reader, which fails what is
     * in flight once it has stopped matching replies.
     */
    private void finishClose(boolean unexpected) {
        String reason = closedReason;
        ServerSocketOpener.closeQuietly(socket);
        writer.stop();
        failAll();
        stats.openConnections.decrementAndGet();
        if (unexpected) {
            (closedByServer ? stats.eof : stats.connectionErrors).increment();
            log.warn("connection to {} closed: {}", server.describe(), reason);
            try {
                listener.onFailure(reason);
            } catch (RuntimeException e) {
                log.error("failure listener of {} threw", server.describe(), e);
            }
        }
    }

    /**
     * Fails what is queued, and what is in flight once the reader is done with it: until then only the reader
     * takes from {@link #inFlight} (see the class comment). Any thread may take from the outbox: nothing there is
     * matched against a reply. Requests go in order: in flight first (older), then queued, each oldest first.
     */
    @Override
    public void failAll() {
        BackendRequest request;
        while (readerDone && (request = inFlight.poll()) != null) {
            stats.inFlight.decrement();
            fail(request, closedReason);
        }
        while ((request = writer.takeQueued()) != null) {
            fail(request, closedReason);
        }
    }

    private void fail(BackendRequest request, String reason) {
        if (request.complete(ProxyError.of(server.describe() + ": " + reason))) {
            stats.errors.increment();
        }
    }
}
