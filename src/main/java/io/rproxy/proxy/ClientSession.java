package io.rproxy.proxy;

import io.rproxy.backend.PendingReply;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespReader;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
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
 * <p>Each request is dispatched by the listener's current {@link Generation}, read once per request, so a
 * committed reload applies to the next request. Across a reload a client's order holds strictly: before its
 * first request on the new generation is dispatched, the session waits for the replies to everything it sent on
 * the old one and writes them. While it has requests outstanding on a generation it is <em>pinned</em> to it,
 * and the reload closes that generation's backend connections only when no session is pinned to it.
 */
final class ClientSession implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    /** Requests a client may have outstanding before the session stops reading and writes replies. */
    static final int MAX_OUTSTANDING = 1024;
    /**
     * A client's read buffer starts small: a proxy holds thousands of mostly idle clients. It grows with the
     * frames that need it and for clients that pipeline; replies need no buffer of their own (see ReplyWriter).
     */
    private static final int READ_BUFFER = 256;

    private final Socket socket;
    private final PoolListener listener;
    private final PoolStats stats;
    private final ClientState state;
    /** Sized for a client waiting for one reply at a time (an idle client holds it): grows for pipelines. */
    private final ArrayDeque<Outstanding> outstanding = new ArrayDeque<>(3);
    /**
     * The generation this session's outstanding requests were dispatched on; null when none is outstanding.
     * Written by the session thread only, read by a reload's drain thread.
     */
    private volatile Generation pinned;

    ClientSession(long id, Socket socket, PoolListener listener) {
        this.socket = socket;
        this.listener = listener;
        this.stats = listener.stats();
        Generation first = listener.current();
        this.state = new ClientState(id, first.isGone() || !first.dispatcher().requiresAuth());
    }

    long id() {
        return state.id();
    }

    Socket socket() {
        return socket;
    }

    /** The generation this session has requests outstanding on; null when none. */
    Generation pinned() {
        return pinned;
    }

    @Override
    public void run() {
        stats.clientConnected();
        boolean clean = false;
        try (socket) {
            ReplyWriter out = new ReplyWriter(socket.getOutputStream());
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
            clean = serve(reader, out);
        } catch (EOFException e) {
            log.debug("client {} closed its connection inside a request", state.id());
        } catch (IOException e) {
            log.debug("client {} connection failed: {}", state.id(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("client {} session failed", state.id(), e);
        } finally {
            state.writes().flush(); // a client that leaves mid-pipeline still has its queued requests written
            pinned = null;
            stats.clientClosed(clean);
        }
    }

    /** Serves until the client leaves; false when it was disconnected for a malformed request. */
    private boolean serve(RespReader reader, ReplyWriter out) throws IOException {
        while (true) {
            RespCommand command;
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
            long readAt = System.nanoTime();
            Generation generation = enter(out);
            if (generation.isGone()) {
                out.add(generation.gone().bytes());
                out.flush();
                log.info("client {} told '{}'; disconnected", state.id(), generation.gone().errorMessage());
                return true;
            }
            outstanding.add(new Outstanding(generation.dispatcher().dispatch(command, state), readAt));
            if (state.quitting()) {
                writeOutstanding(out);
                return true;
            }
            if (!reader.hasBufferedInput() || outstanding.size() >= MAX_OUTSTANDING) {
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
                writeOutstanding(out);
            }
            if (now.isGone()) {
                return now;
            }
            pinned = now;
            if (listener.current() == now) {
                return now;
            }
        }
    }

    private void writeOutstanding(ReplyWriter out) throws IOException {
        // Before the first write to the client, which blocks when it does not read: a reply that is already
        // there (one the proxy made) must not leave the requests behind it unwritten meanwhile.
        state.writes().flush();
        Outstanding pending;
        while ((pending = outstanding.poll()) != null) {
            byte[] reply = pending.reply().await().bytes();
            stats.requestServed(System.nanoTime() - pending.readAt());
            out.add(reply);
        }
        if (pinned != null) {
            pinned = null;
        }
        out.flush();
    }

    /** A reply owed to the client, and when its command was read (System.nanoTime), for the latency histogram. */
    private record Outstanding(PendingReply reply, long readAt) {
    }
}
