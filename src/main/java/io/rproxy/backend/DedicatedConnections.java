package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One server's dedicated connections ({@link DedicatedConnection}): at most {@code max} leased at a time, and a
 * small idle reserve of clean ones so that a client that runs transactions in a loop does not open a socket per
 * EXEC. A lease past the bound fails at once with an error naming the server: nothing waits for a connection.
 *
 * <p>Client threads lease and release, concurrently.
 */
public final class DedicatedConnections {
    /** Clean connections kept open for the next lease; the rest are closed when released. */
    static final int IDLE_RESERVE = 2;

    private final ServerSpec server;
    private final BackendSettings settings;
    private final int max;
    private final ServerStats stats;
    /** Guards idle, inUse and closed. */
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<DedicatedConnection> idle = new ArrayDeque<>(IDLE_RESERVE);
    private int inUse;
    private boolean closed;

    DedicatedConnections(ServerSpec server, BackendSettings settings, int max, ServerStats stats) {
        this.server = server;
        this.stats = stats;
        this.settings = settings;
        this.max = max;
    }

    /**
     * A connection for the caller alone; BackendException naming the server when there is none to be had. An idle
     * one the server closed meanwhile (a restart, its idle timeout) is closed rather than handed out, so the state
     * that leases it does not fail for it.
     */
    public DedicatedConnection lease() {
        DedicatedConnection reused;
        while ((reused = leaseIdleOrCount()) != null) {
            if (!reused.closedWhileIdle()) {
                return reused;
            }
            release(reused, false);
        }
        try {
            // Outside the lock: a slow connect must not hold back releases and other leases.
            DedicatedConnection opened = new DedicatedConnection(server,
                    ServerSocketOpener.openChannel(server, settings), settings.timeout(), this, stats);
            stats.openConnections.incrementAndGet();
            return opened;
        } catch (RuntimeException e) {
            stats.connectionErrors.increment();
            lock.lock();
            try {
                inUse--;
                stats.dedicatedInUse.decrementAndGet();
            } finally {
                lock.unlock();
            }
            throw e;
        }
    }

    /** Counts a lease in: an idle connection when there is one, else null for the caller to open one. */
    private DedicatedConnection leaseIdleOrCount() {
        lock.lock();
        try {
            if (closed) {
                throw new BackendException(server.describe() + " is closed");
            }
            DedicatedConnection reused = idle.poll();
            if (reused == null && inUse >= max) {
                throw new BackendException(server.describe() + " has all its " + max
                        + " dedicated connections in use (max_dedicated_connections)");
            }
            inUse++;
            stats.dedicatedInUse.incrementAndGet();
            return reused;
        } finally {
            lock.unlock();
        }
    }

    void release(DedicatedConnection connection, boolean clean) {
        boolean keep;
        lock.lock();
        try {
            inUse--;
            stats.dedicatedInUse.decrementAndGet();
            keep = clean && !closed && idle.size() < IDLE_RESERVE;
            if (keep) {
                idle.push(connection);
            }
        } finally {
            lock.unlock();
        }
        if (!keep) {
            connection.close();
        }
    }

    /** Dedicated connections leased now (the per-server gauge). */
    public int inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    /** Dedicated connections open now: leased plus idle. */
    public int open() {
        lock.lock();
        try {
            return inUse + idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the idle reserve (the server failed): the next lease opens a fresh connection. */
    void dropIdle() {
        lock.lock();
        try {
            idle.forEach(DedicatedConnection::close);
            idle.clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the idle reserve; leased connections stay with their sessions until their state ends (a reload
     * keeps them), and are closed when released.
     */
    void close() {
        lock.lock();
        try {
            closed = true;
            idle.forEach(DedicatedConnection::close);
            idle.clear();
        } finally {
            lock.unlock();
        }
    }
}
