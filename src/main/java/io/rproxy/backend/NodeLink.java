package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A long-lived connection of its own to a node that is not one of the pool's servers (a Sentinel), shaken hands
 * as every backend connection is: one thread reads what the node pushes (pub/sub messages), and any thread may
 * write a command on it (the subscription, a keep-alive PING). Aligned or dead: any failure, or a read that sees
 * nothing for its whole timeout, closes it.
 */
public final class NodeLink implements AutoCloseable {
    private final ServerSpec node;
    private final ServerSocketOpener.Opened opened;
    /** Guards writes: the reader's thread subscribes, another thread pings. */
    private final ReentrantLock writeLock = new ReentrantLock();

    private NodeLink(ServerSpec node, ServerSocketOpener.Opened opened) {
        this.node = node;
        this.opened = opened;
    }

    /**
     * Connects and shakes hands (AUTH with the settings' password) within the connect timeout.
     *
     * @throws BackendException naming the node when that fails
     */
    public static NodeLink open(ServerSpec node, BackendSettings settings) {
        return new NodeLink(node, ServerSocketOpener.open(node, settings));
    }

    /** Writes {@code command} now; BackendException naming the node (and the link closed) when that fails. */
    public void send(RespCommand command) {
        writeLock.lock();
        try {
            opened.out().write(command.frame());
            opened.out().flush();
        } catch (IOException e) {
            close();
            throw new BackendException("cannot write to " + node.describe() + ": " + ServerSocketOpener.describe(e), e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The next frame the node sends, waiting at most {@code idle}: a node that sends nothing for that long is taken
     * for dead (a timeout may cut a frame in two, so the link is not read again).
     *
     * @throws BackendException naming the node when it closed, timed out or sent something that is not RESP
     */
    public Reply read(Duration idle) {
        try {
            opened.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, idle.toMillis())));
            return opened.in().readReply();
        } catch (SocketTimeoutException e) {
            close();
            throw new BackendException(node.describe() + " sent nothing for " + idle.toMillis() + " ms", e);
        } catch (IOException | ProtocolException e) {
            close();
            throw new BackendException("connection to " + node.describe() + " failed: "
                    + ServerSocketOpener.describe(e), e);
        }
    }

    /** Closes the socket from any thread; a read blocked on it fails. Idempotent. */
    @Override
    public void close() {
        ServerSocketOpener.closeQuietly(opened.socket());
    }
}
