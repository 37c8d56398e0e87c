package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection to one server that one client session owns for as long as it holds state there (a transaction, a
 * WATCH, a blocking command). Far simpler than a shared connection: the owner's own thread writes a request and
 * reads its reply with blocking I/O, so there is no reader or writer thread and nothing is pipelined behind it.
 *
 * <p>Like every backend connection it is aligned or dead: an I/O error, protocol error or timeout closes it, and
 * the owner gets a {@link BackendException} naming the server. Used by its owner's thread only, apart from
 * {@link #abort}, which any thread may call to end a blocked read (the client left).
 */
public final class DedicatedConnection {
    private final ServerSpec server;
    private final ServerSocketOpener.Opened opened;
    /** The pool's timeout in ms, 0 for none: it bounds every reply, on top of a blocking command's own time. */
    private final long timeoutMs;
    private final DedicatedConnections owner;
    private final ServerStats stats;
    /** Set once by the first close, which alone counts the connection out of the open ones. */
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean dead;
    /** Set by {@link #abort}: the read that fails next says the client left, not the server. */
    private volatile boolean aborted;
    /** Set by {@link #condemn}: why the server's side closed it (its master moved), for the error the owner gets. */
    private volatile String condemned;

    DedicatedConnection(ServerSpec server, ServerSocketOpener.Opened opened, Optional<Duration> timeout,
                        DedicatedConnections owner, ServerStats stats) {
        this.server = server;
        this.stats = stats;
        this.opened = opened;
        this.timeoutMs = timeout.map(Duration::toMillis).orElse(0L);
        this.owner = owner;
    }

    /** The server this connection goes to, as errors name it: {@code redis2 (127.0.0.1:6380)}. */
    public String describe() {
        return server.describe();
    }

    /** The server's host, for a redirection that names only a port. */
    public String host() {
        return server.address().host();
    }

    /** Sends one request and reads its reply within the pool's timeout. */
    public Reply call(byte[] frame) {
        return call(List.of(frame), 0).getFirst();
    }

    /**
     * Sends the requests in one write and reads one reply to each. {@code blockMs} is how long the server may
     * hold the last reply back (a blocking command's own time): the read allows that plus the pool's timeout;
     * {@code blockMs < 0} means the server may hold it forever (block time 0), so no bound applies.
     */
    public List<Reply> call(List<byte[]> frames, long blockMs) {
        if (dead) {
            throw new BackendException(server.describe() + " dedicated connection is closed" + becauseCondemned());
        }
        try {
            for (byte[] frame : frames) {
                opened.out().write(frame);
                stats.requests.increment();
                stats.requestBytes.add(frame.length);
            }
            opened.out().flush();
            List<Reply> replies = new ArrayList<>(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                boolean last = i == frames.size() - 1;
                opened.socket().setSoTimeout(readTimeout(last ? blockMs : 0));
                Reply reply = opened.in().readReply();
                if (reply == null) {
                    throw new java.io.EOFException("connection closed by server");
                }
                stats.responses.increment();
                stats.responseBytes.add(reply.bytes().length);
                replies.add(reply);
                if (reply.isError() && reply.errorMessage().startsWith("READONLY ")) {
                    owner.readonly(); // the master was demoted under this connection: its server looks again
                }
            }
            return replies;
        } catch (SocketTimeoutException e) {
            stats.timeouts.increment();
            close();
            throw new BackendException(server.describe() + " timed out on a dedicated connection", e);
        } catch (IOException | ProtocolException e) {
            if (!aborted) {
                stats.connectionErrors.increment();
            }
            close();
            String why = aborted ? "closed: the client left" : whyFailed(e);
            throw new BackendException(server.describe() + " dedicated connection failed: " + why, e);
        }
    }

    /**
     * Sends requests without reading replies: a subscriber connection, whose replies (acknowledgements and
     * messages) one reader thread reads with {@link #readPushed}. Called on the owner's thread.
     */
    public void send(byte[] frame) {
        if (dead) {
            throw new BackendException(server.describe() + " dedicated connection is closed" + becauseCondemned());
        }
        try {
            opened.out().write(frame);
            opened.out().flush();
            stats.requests.increment();
            stats.requestBytes.add(frame.length);
        } catch (IOException e) {
            stats.connectionErrors.increment();
            close();
            throw new BackendException(server.describe() + " subscriber connection failed: "
                    + ServerSocketOpener.describe(e), e);
        }
    }

    /**
     * The next frame a subscriber connection pushes, waiting as long as it takes (a quiet channel is no timeout);
     * null once the connection was closed by {@link #abort} (the client left). Called by its one reader thread.
     *
     * @throws BackendException when the server closed it, or sent something that is not RESP
     */
    public Reply readPushed() {
        try {
            opened.socket().setSoTimeout(0);
            Reply reply = opened.in().readReply();
            if (reply == null) {
                throw new java.io.EOFException("connection closed by server");
            }
            stats.responses.increment();
            stats.responseBytes.add(reply.bytes().length);
            return reply;
        } catch (IOException | ProtocolException e) {
            if (aborted) {
                return null;
            }
            stats.connectionErrors.increment();
            close();
            throw new BackendException(server.describe() + " subscriber connection failed: " + whyFailed(e), e);
        }
    }

    /** SO_TIMEOUT for a read: 0 (none) without a pool timeout or for a command that may block forever. */
    private int readTimeout(long blockMs) {
        if (blockMs < 0 || timeoutMs == 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, blockMs + timeoutMs);
    }

    /** Ends a blocked read from any thread: the connection is closed, so nothing is popped for nobody. */
    public void abort() {
        aborted = true;
        close();
    }

    /**
     * Whether the server closed this idle connection (it restarted, or closed it past its own {@code timeout}): a
     * read that does not block finds end-of-stream, a reset or a byte nobody asked for. A few system calls and no
     * round trip; called by the leasing thread before the connection leaves the reserve, where no one reads it.
     * Under TLS the byte is read beneath it: whatever is found (a close_notify, an alert) means the connection is
     * dropped anyway, so taking it from the TLS stream costs nothing. A TLS 1.3 server's session tickets, which wait
     * beneath TLS after the handshake, are never found here: they come before the first reply, and a connection only
     * goes back clean after a reply was read (TlsIT leases one from the reserve again and again).
     */
    boolean closedWhileIdle() {
        SocketChannel channel = opened.socket().getChannel();
        try {
            channel.configureBlocking(false);
            try {
                return channel.read(ByteBuffer.allocate(1)) != 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Closes the connection from any thread because its server moved (a Sentinel failover): the owner's next call,
     * or its blocked read, fails with a BackendException that says {@code reason}, so that its state (a WATCH, a
     * blocked pop, subscriptions) is not kept on a master that is no longer the master.
     */
    void condemn(String reason) {
        condemned = reason;
        close();
    }

    /** Why a read failed: the server moved, when it was condemned for that, else what the exception says. */
    private String whyFailed(Exception e) {
        String reason = condemned;
        return reason != null ? reason : ServerSocketOpener.describe(e);
    }

    private String becauseCondemned() {
        String reason = condemned;
        return reason == null ? "" : ": " + reason;
    }

    boolean dead() {
        return dead;
    }

    /** Closes the socket; idempotent. */
    void close() {
        dead = true;
        ServerSocketOpener.closeQuietly(opened.socket());
        if (closed.compareAndSet(false, true)) {
            stats.openConnections.decrementAndGet();
        }
    }

    /** Gives the connection back: to the server's idle reserve when {@code clean}, else it is closed. */
    public void release(boolean clean) {
        owner.release(this, clean && !dead);
    }
}
