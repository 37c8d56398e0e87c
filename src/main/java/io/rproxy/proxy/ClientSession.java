package io.rproxy.proxy;

import io.rproxy.backend.OutputBuffer;
import io.rproxy.backend.PendingReply;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.TlsConfig;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespReader;
import io.rproxy.tls.ListenerTls;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served by its own virtual thread ({@code client-<id>}): reads commands with blocking
 * I/O, dispatches each at once (so a pipelining client keeps every backend busy), and writes the replies in
 * request order.
 *
 * <p>Replies are awaited and written when the client has nothing more buffered, when too many are outstanding,
 * or before any read of the client's input that would block ({@link ClientInput}): a pipeline of N requests
 * that arrived whole costs one flush, a client that sends but never reads is held to a bounded number of
 * outstanding requests, and a complete command never waits in the session for the rest of the client's input (a
 * client pausing inside its next command would otherwise hold its request back until it timed out on the shared
 * server connection, counted against a healthy server).
 *
 * <p>Memory is bounded in bytes both ways. Requests: past the pool's {@code client_query_buffer_limit} of request
 * bytes awaiting replies, the session stops reading and writes the replies first (backpressure). Replies: they are
 * counted in the client's {@link OutputBuffer} as they land, and a client that leaves more than its pool's
 * {@code client_output_buffer_limit} unread, or holds the most when all clients pass {@code maxmemory_clients},
 * is disconnected as Redis disconnects it; the replies still to come for it are dropped as they land.
 *
 * <p>On a TLS pool the session's thread first shakes hands, within {@link PoolListener#handshakeBound}; a client
 * whose handshake fails is counted and closed before anything else of the session is set up. Other threads close
 * or shut the accepted TCP socket beneath TLS, never the TLS socket, whose close may wait for a write under way.
 *
 * <p>Each request is dispatched by the listener's current {@link Generation}, read once per request, so a
 * committed reload applies to the next request. Across a reload a client's order holds strictly: before its
 * first request on the new generation is dispatched, the session waits for the replies to everything it sent on
 * the old one and writes them. While it has requests outstanding on a generation it is <em>pinned</em> to it,
 * and the reload closes that generation's backend connections only when no session is pinned to it. A client in a
 * stateful mode (inside MULTI, WATCHing, subscribed, or blocked inside a command) stays pinned to the generation
 * its state began on and is served by it until the state ends: a removed pool's client is told after EXEC, its
 * last UNSUBSCRIBE or its blocking reply, and a kept pool's moves to the new generation then.
 */
final class ClientSession implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    /** Requests a client may have outstanding before the session stops reading and writes replies. */
    static final int MAX_OUTSTANDING = 1024;
    /**
     * What a client's next reply is taken to weigh before it has had any: a large value. A pipeline's requests are
     * all dispatched before the first reply lands, so its first batch is sized by this guess.
     */
    static final long FIRST_REPLY_ESTIMATE = 1 << 20;
    /**
     * Requests a client may have outstanding before it has shown that its replies are small: the window doubles
     * each time a full one is answered with replies that fit it (to {@link #MAX_OUTSTANDING}), as TCP starts
     * slowly. It bounds what a client that has not pipelined before can put in flight on a shared server
     * connection ahead of other clients' requests, where it must be read even if the client is disconnected.
     */
    static final int FIRST_WINDOW = 64;
    /**
     * A client's read buffer starts small: a proxy holds thousands of mostly idle clients. It grows with the
     * frames that need it and for clients that pipeline; replies need no buffer of their own (see ReplyWriter).
     */
    private static final int READ_BUFFER = 256;

    /**
     * The accepted TCP connection. Other threads close it (CLIENT KILL, an output limit, a stop) or shut its input
     * (a graceful stop) on this socket, never on the TLS one over it, whose close may wait for a write under way.
     */
    private final Socket raw;
    /** The pool's TLS as of the client's accept; null for plain TCP. */
    private final ListenerTls tls;
    private final Duration handshakeBound;
    private final PoolListener listener;
    private final PoolStats stats;
    private final ClientState state;
    private final OutputBuffer output;
    /** Sized for a client waiting for one reply at a time (an idle client holds it): grows for pipelines. */
    private final ArrayDeque<Outstanding> outstanding = new ArrayDeque<>(3);
    /**
     * The generation this session's outstanding requests were dispatched on; null when none is outstanding.
     * Written by the session thread only, read by a reload's drain thread.
     */
    private volatile Generation pinned;
    /** Bytes of the outstanding requests' frames, held until their replies are written. */
    private long outstandingRequestBytes;
    /**
     * What the client's replies weigh, for how many requests it may have outstanding: up at once to a larger
     * reply, halved by each smaller one, so a client that reads big values gets few requests in flight.
     */
    private long replyEstimate = FIRST_REPLY_ESTIMATE;
    /** Requests the client may have outstanding, as far as its history shows; see {@link #FIRST_WINDOW}. */
    private int window = FIRST_WINDOW;

    ClientSession(long id, Socket socket, PoolListener listener) {
        this.raw = socket;
        this.listener = listener;
        this.stats = listener.stats();
        Generation first = listener.current();
        this.tls = first.isGone() ? null : first.pool().config().tls().clients().map(TlsConfig::context).orElse(null);
        this.handshakeBound = first.isGone() ? Duration.ZERO : PoolListener.handshakeBound(first.pool().config());
        this.output = listener.outputBuffers().newBuffer(first.isGone() ? PoolConfig.DEFAULT_CLIENT_OUTPUT_BUFFER_LIMIT
                : first.pool().config().clientOutputBufferLimit(), this::overflowed);
        this.state = new ClientState(id, first.isGone() || !first.dispatcher().requiresAuth(), output,
                ClientLink.of(socket, listener));
    }

    long id() {
        return state.id();
    }

    /** The accepted TCP connection (under TLS, the socket beneath it). */
    Socket socket() {
        return raw;
    }

    /** For CLIENT LIST on another client's thread: what ClientState lets other threads read. */
    ClientState state() {
        return state;
    }

    /** The generation this session has requests outstanding on; null when none. */
    Generation pinned() {
        return pinned;
    }

    @Override
    public void run() {
        Socket socket;
        try {
            socket = tls == null ? raw : tls.accept(raw, handshakeBound);
        } catch (IOException e) {
            // Plain text to a TLS port, a refused certificate, a stall past the bound, a client that left: closed and
            // counted; it never reached the pool, so nothing else of the session is set up or torn down.
            stats.tlsHandshakeFailed();
            listener.handshakeFailures().failed(raw.getRemoteSocketAddress(), e);
            closeQuietly(raw);
            return;
        } catch (RuntimeException | Error e) {
            stats.tlsHandshakeFailed();
            log.error("client {}: TLS handshake failed in {}", state.id(), Thread.currentThread().getName(), e);
            closeQuietly(raw);
            return;
        }
        serveConnection(socket);
    }

    /** @param socket the client's connection: {@link #raw}, or TLS over it */
    private void serveConnection(Socket socket) {
        stats.clientConnected();
        output.open();
        boolean clean = false;
        ClientOutput clientOut = null;
        try {
            clientOut = new ClientOutput(socket.getOutputStream()); // shared with subscriber readers
            ReplyWriter out = new ReplyWriter(clientOut);
            ClientOutput shared = clientOut;
            state.subscriptionsOnDemand(() -> new Subscriptions(state.id(), shared, raw));
            ClientInput input = new ClientInput(socket.getInputStream(), new ClientInput.Owed() {
                @Override
                public boolean any() {
                    return !outstanding.isEmpty();
                }

                @Override
                public void settle() throws IOException {
                    writeOutstanding(out);
                }
            });
            RespReader reader = new RespReader(input, listener.limits(), READ_BUFFER);
            state.hooks(new StatefulHooks(this, input, out));
            clean = serve(reader, out);
        } catch (EOFException e) {
            log.debug("client {} closed its connection inside a request", state.id());
        } catch (IOException e) {
            log.debug("client {} connection failed: {}", state.id(), e.getMessage());
        } catch (UncheckedIOException e) { // the client's socket failed under a stateful command's settle
            log.debug("client {} connection failed: {}", state.id(), e.getMessage());
        } catch (RuntimeException | Error e) {
            // The session's catch ladder: anything else is a bug or the JVM in trouble. Logged once, with the
            // thread's name; the socket closes below, and replies still to come are dropped as they land.
            log.error("client {} session failed in {}", state.id(), Thread.currentThread().getName(), e);
        } finally {
            close(socket, clientOut);
            state.transaction().abandon(); // a client that leaves mid-state has its dedicated connection closed
            if (state.subscriptions() != null) {
                state.subscriptions().close(); // and its subscriber connections
            }
            state.writes().flush(); // a client that leaves mid-pipeline still has its queued requests written
            output.close(); // what it held is given back; replies still to come are dropped as they land
            pinned = null;
            stats.clientClosed(clean);
        }
    }

    /**
     * Closes the client's connection. A TLS one first sends its close_notify, as TLS asks, unless a subscriber's
     * pusher is writing to it at this moment: SSLSocket.close waits for a write under way, which to a client that
     * does not read may never end, while closing the TCP socket under it never waits.
     */
    private void close(Socket socket, ClientOutput out) {
        if (socket != raw && out != null && out.lock.tryLock()) {
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("client {}: closing TLS: {}", state.id(), e.getMessage());
            } finally {
                out.lock.unlock();
            }
        }
        closeQuietly(raw);
    }

    private void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("client {}: {}", state.id(), e.getMessage());
        }
    }

    /** Serves until the client leaves; false when it was disconnected for a malformed request. */
    private boolean serve(RespReader reader, ReplyWriter out) throws IOException {
        long readAt = 0;
        while (true) {
            RespCommand command;
            long readsBefore = reader.reads();
            try {
                command = reader.readCommand();
            } catch (ProtocolException e) {
                writeOutstanding(out);
                out.add(Reply.error("ERR Protocol error: " + e.getMessage()).bytes());
                out.flush();
                log.info("client {} sent a malformed request ({}); disconnected", state.id(), e.getMessage());
                return false;
            }
            if (command == null) {
                writeOutstanding(out);
                return true;
            }
            if (reader.reads() != readsBefore) {
                // A command that needed no read was in hand when the one before it was timed, and keeps that
                // time: the clock is read once per read of the client rather than once per pipelined command.
                readAt = System.nanoTime();
            }
            Generation generation = enter(out);
            if (generation.isGone()) {
                out.add(generation.gone().bytes());
                out.flush();
                log.info("client {} told '{}'; disconnected", state.id(), generation.gone().errorMessage());
                return true;
            }
            outstanding.add(new Outstanding(generation.dispatcher().dispatch(command, state, readAt), readAt));
            outstandingRequestBytes += command.frame().length;
            if (state.quitting()) {
                writeOutstanding(out);
                return true;
            }
            PoolConfig config = generation.pool().config();
            if (!reader.hasBufferedInput() || outstanding.size() >= outstandingAllowed(config)
                    || overQueryBufferLimit(config)) {
                writeOutstanding(out);
            }
        }
    }

    /**
     * The generation to dispatch the next request on. When a reload has swapped the listener's generation, the
     * replies owed on the old one are awaited and written first. The pin is published before the generation is
     * read again: a drain that swapped the generation and then finds no session pinned to the old one knows that
     * every later request reads the new one (both fields are volatile).
     */
    private Generation enter(ReplyWriter out) throws IOException {
        while (true) {
            Generation now = listener.current();
            if (now == pinned) {
                return now;
            }
            if (pinned != null) {
                if (state.holdsState()) {
                    return pinned; // its dedicated connections and queue belong to the generation it began on
                }
                writeOutstanding(out);
            }
            if (now.isGone()) {
                return now;
            }
            pinned = now;
            output.limit(now.pool().config().clientOutputBufferLimit()); // a reload's applies from now on
            if (listener.current() == now) {
                return now;
            }
        }
    }

    void writeOutstanding(ReplyWriter out) throws IOException {
        writeOutstanding(out, true);
    }

    /**
     * For a stateful command, before it runs on a dedicated connection: what the client is owed is written, and the
     * session stays pinned, since the command itself runs on the generation it was dispatched on.
     */
    void settle(ReplyWriter out) throws IOException {
        writeOutstanding(out, false);
    }

    private void writeOutstanding(ReplyWriter out, boolean unpin) throws IOException {
        // A full window answered with replies that would fit twice as many: the client may have more in flight.
        Generation grow = outstanding.size() >= window && window < MAX_OUTSTANDING ? pinned : null;
        // Before the first write to the client, which blocks when it does not read: a reply that is already
        // there (one the proxy made) must not leave the requests behind it unwritten meanwhile.
        state.writes().flush();
        for (Outstanding pending : outstanding) {
            byte[] reply = pending.reply().await().bytes();
            replyEstimate = Math.max(reply.length, replyEstimate / 2);
            out.add(reply);
        }
        // Each request is served when the last reply of this write is there (the client gets them in one write):
        // the clock is read once per write rather than once per reply.
        long servedAt = System.nanoTime();
        Outstanding pending;
        while ((pending = outstanding.poll()) != null) {
            stats.requestServed(servedAt - pending.readAt());
        }
        outstandingRequestBytes = 0;
        if (grow != null && expectedToFit(grow.pool().config()) >= 2L * window) {
            window *= 2;
        }
        if (unpin && pinned != null && !state.holdsState()) {
            pinned = null;
        }
        out.flush();
    }

    /**
     * Requests the client may have outstanding: as many as its expected replies fit in its output buffer limit,
     * at least one and at most its window. Nothing checked at dispatch can bound what lands (a reply
     * may be larger than guessed): the limit does that. This keeps a client that pipelines big values held
     * back rather than disconnected, and keeps its replies from filling the shared server connection ahead of
     * other clients' requests.
     */
    private int outstandingAllowed(PoolConfig config) {
        return (int) Math.clamp(expectedToFit(config), 1, window);
    }

    /** How many replies of the estimated size fit the client's output buffer limit; unbounded without one. */
    private long expectedToFit(PoolConfig config) {
        long limit = config.clientOutputBufferLimit();
        return limit == 0 ? Long.MAX_VALUE : limit / Math.max(1, replyEstimate);
    }

    private boolean overQueryBufferLimit(PoolConfig config) {
        long limit = config.clientQueryBufferLimit();
        return limit > 0 && outstandingRequestBytes >= limit;
    }

    /**
     * The client left more replies unread than a limit allows: it is disconnected, as Redis disconnects it.
     * Runs once, on the thread whose reply found it over (a backend connection's reader, usually); closing the
     * socket ends this session's blocked write to a client that does not read.
     */
    private void overflowed(OutputBuffer.Overflow why, long heldBytes) {
        stats.outputOverflow(why);
        if (why == OutputBuffer.Overflow.CLIENT_LIMIT) {
            log.warn("client {} disconnected: it left {} bytes of replies unread, past its pool's"
                    + " client_output_buffer_limit", state.id(), heldBytes);
        } else {
            log.warn("client {} disconnected: the replies left unread by all clients passed maxmemory_clients,"
                    + " and it held the most ({} bytes)", state.id(), heldBytes);
        }
        closeQuietly(raw);
    }

    /** A reply owed to the client, and when its command was read (System.nanoTime), for the latency histogram. */
    private record Outstanding(PendingReply reply, long readAt) {
    }
}
