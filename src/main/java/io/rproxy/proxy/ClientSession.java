package io.rproxy.proxy;

import io.rproxy.backend.PendingReply;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespReader;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served by its own virtual thread ({@code client-<id>}): reads commands with blocking
 * I/O, dispatches each at once (so a pipelining client keeps every backend busy), and writes the replies in
 * request order.
 *
 * <p>Replies are awaited and written when the client has nothing more buffered, or when too many are
 * outstanding, so a pipeline of N requests costs one flush, and a client that sends but never reads is held to a
 * bounded number of outstanding requests.
 */
final class ClientSession implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    /** Requests a client may have outstanding before the session stops reading and writes replies. */
    static final int MAX_OUTSTANDING = 1024;
    private static final int WRITE_BUFFER = 16 * 1024;

    private final Socket socket;
    private final Pool pool;
    private final CommandDispatcher dispatcher;
    private final ClientState state;
    private final ArrayDeque<Outstanding> outstanding = new ArrayDeque<>();

    ClientSession(long id, Socket socket, Pool pool, CommandDispatcher dispatcher) {
        this.socket = socket;
        this.pool = pool;
        this.dispatcher = dispatcher;
        this.state = new ClientState(id, !dispatcher.requiresAuth());
    }

    long id() {
        return state.id();
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void run() {
        pool.stats().clientConnected();
        boolean clean = false;
        try (socket) {
            RespReader reader = new RespReader(socket.getInputStream(), pool.limits());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), WRITE_BUFFER);
            clean = serve(reader, out);
        } catch (EOFException e) {
            log.debug("client {} closed its connection inside a request", state.id());
        } catch (IOException e) {
            log.debug("client {} connection failed: {}", state.id(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("client {} session failed", state.id(), e);
        } finally {
            pool.stats().clientClosed(clean);
        }
    }

    /** Serves until the client leaves; false when it was disconnected for a malformed request. */
    private boolean serve(RespReader reader, OutputStream out) throws IOException {
        while (true) {
            RespCommand command;
            try {
                command = reader.readCommand();
            } catch (ProtocolException e) {
                writeOutstanding(out);
                out.write(Reply.error("ERR Protocol error: " + e.getMessage()).bytes());
                out.flush();
                log.info("client {} sent a malformed request ({}); disconnected", state.id(), e.getMessage());
                return false;
            }
            if (command == null) {
                writeOutstanding(out);
                return true;
            }
            long readAt = System.nanoTime();
            outstanding.add(new Outstanding(dispatcher.dispatch(command, state), readAt));
            if (state.quitting()) {
                writeOutstanding(out);
                return true;
            }
            if (!reader.hasBufferedInput() || outstanding.size() >= MAX_OUTSTANDING) {
                writeOutstanding(out);
            }
        }
    }

    private void writeOutstanding(OutputStream out) throws IOException {
        Outstanding pending;
        while ((pending = outstanding.poll()) != null) {
            byte[] reply = pending.reply().await().bytes();
            pool.stats().requestServed(System.nanoTime() - pending.readAt());
            out.write(reply);
        }
        out.flush();
    }

    /** A reply owed to the client, and when its command was read (System.nanoTime), for the latency histogram. */
    private record Outstanding(PendingReply reply, long readAt) {
    }
}
