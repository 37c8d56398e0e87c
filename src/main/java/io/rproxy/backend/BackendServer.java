package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import io.rproxy.resp.Reply;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One configured server of a pool and its {@code server_connections} pipelined connections. A client always
 * uses the same connection (chosen by its id), so the server executes that client's commands in the order the
 * client sent them.
 *
 * <p>Called from client threads. Connections are opened lazily, or up front with preconnect, and a dead one is
 * replaced by the next request that needs it.
 */
public final class BackendServer {
    private final ServerSpec spec;
    private final String threadName;
    private final BackendSettings settings;
    private final AtomicReferenceArray<BackendConnection> connections;
    /** Guards opening connections, so that clients racing on a dead slot open it once. */
    private final ReentrantLock connectLock = new ReentrantLock();
    private final ServerStats stats = new ServerStats();

    public BackendServer(String poolName, ServerSpec spec, int connectionCount, BackendSettings settings) {
        this.spec = spec;
        this.threadName = "backend-" + poolName + "-" + spec.identity();
        this.settings = settings;
        this.connections = new AtomicReferenceArray<>(connectionCount);
    }

    public ServerSpec spec() {
        return spec;
    }

    public ServerStats stats() {
        return stats;
    }

    /** The server's state now. (Issue 4's supervisor refines this; until then: up, or down after a failure.) */
    public ServerStatus status() {
        for (int slot = 0; slot < connections.length(); slot++) {
            BackendConnection c = connections.get(slot);
            if (c != null && !c.isOpen()) {
                return new ServerStatus(ServerState.DOWN, java.util.Optional.empty(), 1);
            }
        }
        return new ServerStatus(ServerState.UP, java.util.Optional.empty(), 0);
    }

    /**
     * Sends a request on the connection that belongs to {@code affinity} (a client id). When the server cannot be
     * reached, the request is completed at once with an error that names the server.
     */
    public void send(BackendRequest request, long affinity) {
        int slot = (int) Math.floorMod(affinity, (long) connections.length());
        stats.requests.increment();
        stats.requestBytes.add(request.frame().length);
        try {
            connection(slot).send(request);
        } catch (BackendException e) {
            stats.errors.increment();
            request.complete(Reply.error("ERR rproxy: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.complete(Reply.error("ERR rproxy: interrupted while queueing for " + spec.describe()));
        }
    }

    /** Opens every connection now (the pool's preconnect); failures are left for the first request to retry. */
    public void preconnect() {
        for (int slot = 0; slot < connections.length(); slot++) {
            try {
                connection(slot);
            } catch (BackendException e) {
                org.slf4j.LoggerFactory.getLogger(BackendServer.class).warn("preconnect: {}", e.getMessage());
            }
        }
    }

    private BackendConnection connection(int slot) {
        BackendConnection current = connections.get(slot);
        if (current != null && current.isOpen()) {
            return current;
        }
        connectLock.lock();
        try {
            current = connections.get(slot);
            if (current != null && current.isOpen()) {
                return current;
            }
            String name = connections.length() == 1 ? threadName : threadName + "-" + slot;
            BackendConnection fresh = BackendConnection.open(spec, name, settings, stats, this::connectionLost);
            connections.set(slot, fresh);
            return fresh;
        } finally {
            connectLock.unlock();
        }
    }

    /** Counts a connection that closed on its own: twemproxy's server_eof when the server closed it, else server_err. */
    private void connectionLost(String reason) {
        (reason.equals(BackendConnection.CLOSED_BY_SERVER) ? stats.eof : stats.connectionErrors).increment();
    }

    /** Closes every connection; requests still queued or in flight fail with the reason. */
    public void close(String reason) {
        for (int slot = 0; slot < connections.length(); slot++) {
            BackendConnection c = connections.getAndSet(slot, null);
            if (c != null) {
                c.close(reason);
            }
        }
    }
}
