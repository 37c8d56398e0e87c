package io.rproxy.backend;

import io.rproxy.config.HostPort;
import io.rproxy.config.ServerSpec;
import io.rproxy.resp.Reply;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured server of a pool: its {@code server_connections} pipelined connections, its dedicated ones, and
 * its liveness ({@link ServerLiveness}: failures, ejection, the attempts that reach it again). A client always uses
 * the same connection (chosen by its id), so the server executes that client's commands in the order the client
 * sent them. A request for a server that is not up is failed at once with an error that names it, or waits for the
 * one attempt to reach it, as {@link ServerLiveness} says.
 *
 * <p>A Sentinel-managed master has an {@link AddressSource}: every attempt asks it where the master is first, and
 * its watcher moves the server ({@link #moveTo}) when Sentinel switches the master, or holds its requests while
 * Sentinel is replacing it ({@link #fence}, state {@link ServerState#FAILOVER}). Its name, and so its place on the
 * ring, never changes. A move closes the connections to the old address (failing what is on them) and every
 * dedicated one, and reconnects through the same attempt path; a {@code -READONLY} reply (the master was demoted)
 * does the same, and so does a handshake whose ROLE is not master.
 *
 * <p>Client threads send; connection threads report replies and failures; the supervisor thread schedules
 * attempts; each attempt runs on a {@code backend-<pool>-<server>-probe} thread; a Sentinel pool's watcher moves
 * and fences.
 */
public final class BackendServer {
    private static final Logger log = LoggerFactory.getLogger(BackendServer.class);

    /** Replaced only by {@link #readdress} (a Sentinel failover), under the connect lock; the name never changes. */
    private volatile ServerSpec spec;
    /** Where a server whose address may change is found before each attempt; null for a fixed address. */
    private final AddressSource addresses;
    private final String threadName;
    private final BackendSettings settings;
    private final BackendRuntime runtime;
    private final AtomicReferenceArray<BackendConnection> connections;
    private final ServerStats stats = new ServerStats();
    private final DedicatedConnections dedicated;
    private final ServerLiveness liveness;
    private final BackendConnection.Listener listener = new ConnectionListener();
    /** Guards opening connections, so that clients racing on a dead slot open it once. */
    private final ReentrantLock connectLock = new ReentrantLock();

    /**
     * @param distributionChanged called (on any thread) when the server leaves or re-enters the distribution
     */
    public BackendServer(String poolName, ServerSpec spec, int connectionCount, BackendSettings settings,
                         BackendRuntime runtime, Runnable distributionChanged) {
        this(poolName, spec, connectionCount, settings, runtime, distributionChanged, null);
    }

    /**
     * @param addresses where the server is to be found before each attempt to reach it (a Sentinel-managed
     *                  master); null for a server at a fixed address
     */
    public BackendServer(String poolName, ServerSpec spec, int connectionCount, BackendSettings settings,
                         BackendRuntime runtime, Runnable distributionChanged, AddressSource addresses) {
        this.spec = spec;
        this.addresses = addresses;
        this.threadName = "backend-" + poolName + "-" + spec.identity();
        this.settings = settings;
        this.runtime = runtime;
        this.connections = new AtomicReferenceArray<>(connectionCount);
        this.dedicated = new DedicatedConnections(() -> this.spec, settings, settings.maxDedicatedConnections(), stats,
                () -> demoted("a dedicated connection"));
        this.liveness = new ServerLiveness(new Watched(), threadName, settings, runtime, stats, distributionChanged);
    }

    /** This server's connections for stateful clients (transactions, blocking commands). */
    public DedicatedConnections dedicated() {
        return dedicated;
    }

    /**
     * A dedicated connection for the caller alone, as {@link DedicatedConnections#lease}; refused at once while
     * Sentinel is replacing the master, so that no transaction or blocking command starts on the old one.
     */
    public DedicatedConnection lease() {
        if (liveness.state() == ServerState.FAILOVER) {
            throw new BackendException(spec.describe() + " " + liveness.lastFailure());
        }
        return dedicated.lease();
    }

    public ServerSpec spec() {
        return spec;
    }

    public ServerStats stats() {
        return stats;
    }

    /** Whether the pool's distribution should include this server (false while ejected). */
    public boolean inDistribution() {
        return liveness.inDistribution();
    }

    public ServerStatus status() {
        return liveness.status();
    }

    /**
     * Sends a request on the sender's connection to this server, in its batch. When the server is down or
     * ejected, the request may first start an attempt to reach it and wait for it
     * ({@link ServerLiveness#reconnectFor}); when the server is still not up, or cannot be reached, the request is
     * completed at once with an error that names the server.
     */
    public void send(BackendRequest request, Sender sender) {
        request.chargeTo(sender.output()); // before the request is published: its reply may land at once
        int slot = (int) Math.floorMod(sender.affinity(), (long) connections.length());
        ServerState now = liveness.state();
        if (now != ServerState.UP && !liveness.reconnectFor(slot)) {
            failFast(request, now == ServerState.FAILOVER ? liveness.lastFailure()
                    : "is " + now.wireName() + " (" + liveness.lastFailure() + ")");
            return;
        }
        try {
            connection(slot).send(request, sender.writes());
        } catch (BackendException e) {
            liveness.recordFailure(e.getMessage(), true);
            failFast(request, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failFast(request, "interrupted while queueing");
        }
    }

    private void failFast(BackendRequest request, String why) {
        if (request.complete(ProxyError.of(spec.describe() + " " + why))) {
            stats.errors.increment();
        }
    }

    /** Opens every connection now (the pool's preconnect); a failure is handled as any other. */
    public void preconnect() {
        for (int slot = 0; slot < connections.length(); slot++) {
            try {
                connection(slot);
            } catch (BackendException e) {
                log.warn("preconnect: {}", e.getMessage());
                liveness.recordFailure(e.getMessage(), true);
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
            if (liveness.closed()) {
                throw new BackendException(spec.describe() + " is closed");
            }
            String name = connections.length() == 1 ? threadName : threadName + "-" + slot;
            BackendConnection fresh = BackendConnection.open(spec, name, settings, runtime, stats, listener);
            connections.set(slot, fresh);
            return fresh;
        } catch (BackendException e) {
            stats.connectionErrors.increment();
            throw e;
        } finally {
            connectLock.unlock();
        }
    }

    /**
     * Sentinel is replacing this master (its failover has picked the replica to promote): from now on its requests
     * fail fast with {@code why} and no attempt reaches it, until {@link #moveTo} names the new master or
     * {@link #unfence} calls it off. What is already queued or in flight finishes, so an acknowledged write has had
     * its chance to reach the replica before it is promoted.
     */
    public void fence(String why) {
        liveness.fence(why);
    }

    /** The failover was called off (or its leader is gone): reach the master again, wherever Sentinel says it is. */
    public void unfence(String why) {
        liveness.unfence(why);
    }

    /**
     * Sentinel switched the master to {@code address}: the connections to the old one close (failing what is on
     * them with {@code why}), so do its dedicated ones, and the server is reached again at once through the usual
     * attempt (which asks Sentinel and checks ROLE). Ends a fence. Nothing when it is there already and not fenced.
     */
    public void moveTo(HostPort address, String why) {
        liveness.moved(readdress(address, why), why);
    }

    /** The server turned out not to be a master any more ({@code -READONLY}): find it again, through Sentinel. */
    private void demoted(String where) {
        if (addresses == null) {
            return; // a plain server's -READONLY is data, as any error reply
        }
        String why = "answered -READONLY on " + where + ": it is a replica now; asking Sentinel for the master";
        connectLock.lock();
        try {
            closeConnections(why);
        } finally {
            connectLock.unlock();
        }
        dedicated.condemnAll(why);
        liveness.demoted(why);
        log.warn("{} {}", spec.describe(), why);
    }

    /**
     * Points the server at {@code address}: its connections to the old address close and every dedicated one is
     * condemned, all with {@code why} (which names the new address). Under the connect lock, so no connection to the
     * old address is opened after.
     *
     * @param address null for what the address source knows now, read under the lock: a move told meanwhile (which
     *                the source records before it moves the server) is then never undone by an older answer
     * @return whether the address changed
     */
    private boolean readdress(HostPort address, String why) {
        ServerSpec old;
        connectLock.lock();
        try {
            old = spec;
            if (address == null) {
                address = addresses.current();
                why = "Sentinel names " + address + " the master";
            }
            if (liveness.closed() || old.address().equals(address)) {
                return false;
            }
            spec = old.at(address);
            closeConnections(why);
        } finally {
            connectLock.unlock();
        }
        dedicated.condemnAll(why);
        log.warn("{} moved to {}: {}", old.describe(), address, why);
        return true;
    }

    private void closeConnections(String reason) {
        for (int slot = 0; slot < connections.length(); slot++) {
            BackendConnection c = connections.getAndSet(slot, null);
            if (c != null) {
                c.close(reason);
            }
        }
    }

    /** Closes every connection for good; requests still queued or in flight fail with the reason. */
    public void close(String reason) {
        liveness.close();
        dedicated.close();
        connectLock.lock();
        try {
            closeConnections(reason);
        } finally {
            connectLock.unlock();
        }
    }

    /** This server as its liveness sees it: its attempts find and probe it, and open the waiting request's slot. */
    private final class Watched implements ServerLiveness.Server {
        @Override
        public ServerSpec spec() {
            return spec;
        }

        @Override
        public void probe() {
            if (addresses != null) {
                addresses.lookUp();
                readdress(null, null);
            }
            ServerSocketOpener.probe(spec, settings);
        }

        @Override
        public void open(int slot) {
            connection(slot);
        }

        @Override
        public void closeConnections(String reason) {
            BackendServer.this.closeConnections(reason);
        }
    }

    /** Replies reset the failure count; replies that say the server is in trouble count as failures. */
    private final class ConnectionListener implements BackendConnection.Listener {
        @Override
        public void onReply(Reply reply) {
            if (reply.isError() && signalsTrouble(reply)) {
                liveness.recordFailure(reply.errorMessage(), false);
            } else if (reply.isError() && addresses != null && startsWith(reply.bytes(), "-READONLY ")) {
                demoted("a shared connection");
            } else {
                liveness.answered();
            }
        }

        @Override
        public void onFailure(String reason) {
            dedicated.dropIdle(); // a connection lost to the server: the idle dedicated ones may be dead too
            liveness.recordFailure(reason, false);
        }
    }

    /** twemproxy's rule: -OOM, -BUSY and -LOADING mean the server, not the request, is in trouble. */
    private static boolean signalsTrouble(Reply reply) {
        byte[] b = reply.bytes();
        return startsWith(b, "-OOM ") || startsWith(b, "-BUSY ") || startsWith(b, "-LOADING ");
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        if (bytes.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
