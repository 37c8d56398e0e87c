package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One server's dedicated connections ({@link DedicatedConnection}): at most {@code max} leased at a time, and a
 * small idle reserve of clean ones so that a client that runs transactions in a loop does not open a socket per
 * EXEC. A lease past the bound fails at once with an error naming the server: nothing waits for a connection.
 * When the server moves (a Sentinel failover), {@link #condemnAll} closes the reserve and every leased one, so no
 * state stays on the old master and no reserve connection to it is reused.
 *
 * <p>Client threads lease and release, concurrently; the server's threads condemn.
 */
public final class DedicatedConnections {
    /** Clean connections kept open for the next lease; the rest are closed when released. */
    static final int IDLE_RESERVE = 2;

    /** The server's spec now: its address changes when a Sentinel failover moves it. */
    private final Supplier<ServerSpec> server;
    private final BackendSettings settings;
    private final int max;
    private final ServerStats stats;
    /** Told when a connection's reply says the server is a read-only replica now. */
    private final Runnable readonly;
    /** Guards idle, leased, inUse and closed. */
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<DedicatedConnection> idle = new ArrayDeque<>(IDLE_RESERVE);
    /** The connections leased now, for {@link #condemnAll}. */
    private final Set<DedicatedConnection> leased = new HashSet<>();
    private int inUse;
    private boolean closed;

    DedicatedConnections(Supplier<ServerSpec> server, BackendSettings settings, int max, ServerStats stats,
                         Runnable readonly) {
        this.server = server;
        this.stats = stats;
        this.settings = settings;
        this.max = max;
        this.readonly = readonly;
    }

    /**
     * A connection for the caller alone; BackendException naming the server when there is none to be had. An idle
     * one the server closed meanwhile (a restart, its idle timeout) is closed rather than handed out, so the state
     * that leases it does not fail for it.
     */
    public DedicatedConnection lease() {
        ServerSpec target = server.get();
        DedicatedConnection reused;
        while ((reused = leaseIdleOrCount(target)) != null) {
            if (!reused.closedWhileIdle()) {
                return reused;
            }
            release(reused, false);
        }
        try {
            // Outside the lock: a slow connect must not hold back releases and other leases.
            DedicatedConnection opened = new DedicatedConnection(target,
                    ServerSocketOpener.openChannel(target, settings), settings.timeout(), this, stats);
            stats.openConnections.incrementAndGet();
            return adopt(opened, target);
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

    /**
     * Counts a lease in: an idle connection when there is one (leased from now on), else null for the caller to
     * open one.
     */
    private DedicatedConnection leaseIdleOrCount(ServerSpec target) {
        lock.lock();
        try {
            if (closed) {
                throw new BackendException(target.describe() + " is closed");
            }
            DedicatedConnection reused = idle.poll();
            if (reused == null && inUse >= max) {
                throw new BackendException(target.describe() + " has all its " + max
                        + " dedicated connections in use (max_dedicated_connections)");
            }
            inUse++;
            stats.dedicatedInUse.incrementAndGet();
            if (reused != null) {
                leased.add(reused);
            }
            return reused;
        } finally {
            lock.unlock();
        }
    }

    /** Counts a connection just opened as leased, unless its server moved while it was being opened. */
    private DedicatedConnection adopt(DedicatedConnection opened, ServerSpec target) {
        lock.lock();
        try {
            if (server.get().address().equals(target.address())) {
                leased.add(opened);
                return opened;
            }
        } finally {
            lock.unlock();
        }
        opened.close();
        throw new BackendException(target.describe() + " moved to " + server.get().address()
                + " while a dedicated connection was being opened");
    }

    void release(DedicatedConnection connection, boolean clean) {
        boolean keep;
        lock.lock();
        try {
            leased.remove(connection);
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
     * The server moved (a Sentinel failover) or was demoted: the reserve is closed, and every leased connection is
     * condemned, so that its owner's next call, or blocked read, fails with {@code reason}. They are counted out of
     * the leases when their owners release them, as always.
     */
    void condemnAll(String reason) {
        List<DedicatedConnection> condemned;
        lock.lock();
        try {
            idle.forEach(DedicatedConnection::close);
            idle.clear();
            condemned = new ArrayList<>(leased);
        } finally {
            lock.unlock();
        }
        condemned.forEach(c -> c.condemn(reason));
    }

    /** A connection's reply said -READONLY: the server is a replica now. */
    void readonly() {
        readonly.run();
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
