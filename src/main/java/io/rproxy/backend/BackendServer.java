package io.rproxy.backend;

import io.rproxy.config.HostPort;
import io.rproxy.config.ServerSpec;
import io.rproxy.resp.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured server of a pool: its {@code server_connections} pipelined connections and its liveness.
 * A client always uses the same connection (chosen by its id), so the server executes that client's commands in
 * the order the client sent them.
 *
 * <p>Liveness follows twemproxy: every lost connection, failed connect or -OOM/-BUSY/-LOADING reply is one
 * failure, and any good reply resets the count. At {@code server_failure_limit}, with {@code auto_eject_hosts},
 * the server leaves the distribution for {@code server_retry_timeout}; then it is probed (connect, AUTH, PING)
 * and put back only when it answers. A server that cannot be reached and is not ejected is
 * {@link ServerState#DOWN}: its requests fail at once while the supervisor retries with backoff.
 *
 * <p>A server that comes back is used at once, as twemproxy (which connects on the next request) uses it: a
 * request for a down server, or for an ejected one past its retry time, starts an attempt when none is in flight
 * and waits for it, up to the connect timeout; a request that finds an attempt in flight fails fast. So a server
 * that refuses connections fails its requests within a refused connect, one that drops them holds one request
 * per attempt (up to the connect timeout) while the others fail at once, and one that accepts again serves the
 * request that found it. One attempt is in flight per server ({@link ServerState#CONNECTING}), on its own
 * virtual thread, so that a server that takes the whole connect timeout to fail delays no other server.
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
    private static final Duration FIRST_RECONNECT = Duration.ofMillis(100);
    private static final Duration MAX_RECONNECT = Duration.ofSeconds(2);
    /**
     * The least time between two attempts that requests start: without it a busy pool would open a connection
     * per request to a server that accepts but fails the handshake or PING (LOADING, a wrong password), and
     * leave a TIME_WAIT socket behind each. 5 ms bounds that to 200 a second, under one a client sends every 10 ms.
     */
    private static final long REQUEST_ATTEMPT_GAP_MS = 5;

    /** Replaced only by {@link #readdress} (a Sentinel failover), under the connect lock; the name never changes. */
    private volatile ServerSpec spec;
    /** Where a server whose address may change is found before each attempt; null for a fixed address. */
    private final AddressSource addresses;
    private final String threadName;
    private final BackendSettings settings;
    private final BackendRuntime runtime;
    private final Runnable distributionChanged;
    private final AtomicReferenceArray<BackendConnection> connections;
    private final ServerStats stats = new ServerStats();
    private final DedicatedConnections dedicated;
    private final AtomicInteger failures = new AtomicInteger();
    private final BackendConnection.Listener listener = new ConnectionListener();
    /** Guards opening connections, so that clients racing on a dead slot open it once. */
    private final ReentrantLock connectLock = new ReentrantLock();
    /** Guards the liveness fields below and the decision to schedule a recovery. */
    private final ReentrantLock stateLock = new ReentrantLock();
    private volatile ServerState state = ServerState.UP;
    /** Out of the distribution (auto_eject_hosts); probing does not change it until the probe succeeds. */
    private volatile boolean ejected;
    private volatile Instant ejectedUntil;
    private volatile String lastFailure = "";
    private boolean recoveryScheduled;
    /** Sentinel is replacing this master ({@link #fence}): no attempt, no UP, until {@link #moveTo} or unfence. */
    private boolean fenced;
    /** The attempt to reach the server in flight (its end is counted down), or null: at most one at a time. */
    private CountDownLatch attempt;
    private long lastRequestAttemptMs = Long.MIN_VALUE / 2;
    private Duration reconnectDelay = FIRST_RECONNECT;
    private volatile boolean closed;

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
        this.distributionChanged = distributionChanged;
        this.connections = new AtomicReferenceArray<>(connectionCount);
        this.dedicated = new DedicatedConnections(() -> this.spec, settings, settings.maxDedicatedConnections(), stats,
                () -> demoted("a dedicated connection"));
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
        if (state == ServerState.FAILOVER) {
            throw new BackendException(spec.describe() + " " + lastFailure);
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
        return !ejected;
    }

    public ServerStatus status() {
        ServerState now = state;
        return new ServerStatus(now, now == ServerState.EJECTED ? Optional.ofNullable(ejectedUntil)
                : Optional.empty(), failures.get());
    }

    /**
     * Sends a request on the sender's connection to this server, in its batch. When the server is down or
     * ejected, the request may first start an attempt to reach it and wait for it ({@link #reconnectFor}); when
     * the server is still not up, or cannot be reached, the request is completed at once with an error that
     * names the server.
     */
    public void send(BackendRequest request, Sender sender) {
        request.chargeTo(sender.output()); // before the request is published: its reply may land at once
        int slot = (int) Math.floorMod(sender.affinity(), (long) connections.length());
        ServerState now = state;
        if (now != ServerState.UP && !reconnectFor(slot)) {
            failFast(request, now == ServerState.FAILOVER ? lastFailure
                    : "is " + now.wireName() + " (" + lastFailure + ")");
            return;
        }
        try {
            connection(slot).send(request, sender.writes());
        } catch (BackendException e) {
            recordFailure(e.getMessage(), true);
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
                recordFailure(e.getMessage(), true);
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
            if (closed) {
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

    /** Counts one failure; may eject the server or mark it down and schedule its recovery. */
    private void recordFailure(String reason, boolean unreachable) {
        lastFailure = reason;
        int count = failures.incrementAndGet();
        stateLock.lock();
        try {
            if (closed || ejected || fenced) {
                return; // a fenced master stays FAILOVER: its move, not a failure, ends that
            }
            if (settings.autoEject() && count >= settings.failureLimit()) {
                eject(reason);
            } else if (unreachable) {
                state = ServerState.DOWN;
                scheduleRecovery(reconnectDelay);
            }
        } finally {
            stateLock.unlock();
        }
    }

    /** Caller holds stateLock. */
    private void eject(String reason) {
        ejected = true;
        ejectedUntil = runtime.clock().instant().plus(settings.retryTimeout());
        failures.set(0);
        stats.ejections.increment();
        log.warn("{} ejected for {} ms after {} failures: {}", spec.describe(), settings.retryTimeout().toMillis(),
                settings.failureLimit(), reason);
        closeConnections("ejected from the pool");
        distributionChanged.run();
        // Published after the distribution has changed: whoever reads EJECTED finds the keys already moved.
        state = ServerState.EJECTED;
        scheduleRecovery(settings.retryTimeout());
    }

    /** Caller holds stateLock. At most one recovery is scheduled at a time. */
    private void scheduleRecovery(Duration delay) {
        if (!recoveryScheduled) {
            recoveryScheduled = true;
            runtime.supervise(this::recover, delay);
        }
    }

    /**
     * Client thread: when the server is down (or ejected past its retry time), no attempt is in flight and none
     * was started by a request in the last few ms, starts one and waits for it up to the connect timeout (the
     * pool's timeout, when it has one). Only the request that started the attempt waits: one that finds an attempt
     * in flight fails fast, so a server that drops packets holds one request per connect timeout, not all.
     *
     * @return whether the server is up now
     */
    private boolean reconnectFor(int slot) {
        CountDownLatch started = null;
        stateLock.lock();
        try {
            if (mayStartAttempt()) {
                lastRequestAttemptMs = runtime.clock().millis();
                started = startAttempt(slot);
            }
        } finally {
            stateLock.unlock();
        }
        if (started == null) {
            return false;
        }
        try {
            started.await(settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return state == ServerState.UP;
    }

    /** Caller holds stateLock. */
    private boolean mayStartAttempt() {
        if (closed || fenced || attempt != null
                || runtime.clock().millis() - lastRequestAttemptMs < REQUEST_ATTEMPT_GAP_MS) {
            return false;
        }
        return state == ServerState.DOWN
                || state == ServerState.EJECTED && !runtime.clock().instant().isBefore(ejectedUntil);
    }

    /**
     * Caller holds stateLock and has checked that no attempt is in flight. The attempt runs on its own thread,
     * never on the supervisor's, so that a probe that takes the whole connect timeout delays no other server's.
     *
     * @param slot the connection to open once the server answers (the waiting request's), or -1
     */
    private CountDownLatch startAttempt(int slot) {
        CountDownLatch done = new CountDownLatch(1);
        attempt = done;
        state = ServerState.CONNECTING;
        Thread.ofVirtual().name(threadName + "-probe").start(() -> attempt(slot, done));
        return done;
    }

    /** Supervisor thread: starts an attempt when one is due and none is in flight (a request may have started one). */
    private void recover() {
        stateLock.lock();
        try {
            recoveryScheduled = false;
            if (closed || fenced || attempt != null || state == ServerState.UP) {
                return; // an attempt in flight schedules the next recovery if it fails
            }
            Instant now = runtime.clock().instant();
            if (ejected && now.isBefore(ejectedUntil)) {
                scheduleRecovery(Duration.between(now, ejectedUntil)); // a request's probe failed since
                return;
            }
            startAttempt(-1);
        } finally {
            stateLock.unlock();
        }
    }

    /** Probe thread: probes the server and puts it back when it answers, else leaves the next try scheduled. */
    private void attempt(int slot, CountDownLatch done) {
        try {
            if (addresses != null) {
                addresses.lookUp();
                readdress(null, null);
            }
            ServerSocketOpener.probe(spec, settings);
            recovered();
            openFor(slot);
        } catch (BackendException e) {
            stillFailing(e.getMessage());
        } catch (RuntimeException | Error e) { // the probe thread's catch ladder: never leave it CONNECTING
            log.error("{}: attempt to reach {} failed unexpectedly", Thread.currentThread().getName(),
                    spec.describe(), e);
            stillFailing("unexpected " + e);
        } finally {
            stateLock.lock();
            try {
                attempt = null;
            } finally {
                stateLock.unlock();
            }
            done.countDown();
        }
    }

    /** Probe thread: opens the waiting request's connection, so that it is sent without connecting inline. */
    private void openFor(int slot) {
        if (slot < 0) {
            return;
        }
        try {
            connection(slot);
        } catch (BackendException e) {
            recordFailure(e.getMessage(), true);
        }
    }

    private void recovered() {
        boolean wasEjected;
        stateLock.lock();
        try {
            if (closed || fenced) {
                return; // Sentinel began replacing it during the probe: the move decides
            }
            wasEjected = ejected;
            ejected = false;
            ejectedUntil = null;
            failures.set(0);
            reconnectDelay = FIRST_RECONNECT;
            state = ServerState.UP;
        } finally {
            stateLock.unlock();
        }
        log.info("{} is back{}", spec.describe(), wasEjected ? " in the pool" : "");
        if (wasEjected) {
            distributionChanged.run();
        }
    }

    private void stillFailing(String reason) {
        lastFailure = reason;
        stateLock.lock();
        try {
            if (closed || fenced) {
                return;
            }
            if (ejected) {
                state = ServerState.EJECTED;
                ejectedUntil = runtime.clock().instant().plus(settings.retryTimeout());
                scheduleRecovery(settings.retryTimeout());
            } else {
                state = ServerState.DOWN;
                reconnectDelay = min(reconnectDelay.multipliedBy(2), MAX_RECONNECT, settings.retryTimeout());
                scheduleRecovery(reconnectDelay);
            }
        } finally {
            stateLock.unlock();
        }
        log.debug("{} still failing: {}", spec.describe(), reason);
    }

    private static Duration min(Duration a, Duration b, Duration c) {
        Duration ab = a.compareTo(b) <= 0 ? a : b;
        return ab.compareTo(c) <= 0 ? ab : c;
    }

    /**
     * Sentinel is replacing this master (its failover has picked the replica to promote): from now on its requests
     * fail fast with {@code why} and no attempt reaches it, until {@link #moveTo} names the new master or
     * {@link #unfence} calls it off. What is already queued or in flight finishes, so an acknowledged write has had
     * its chance to reach the replica before it is promoted.
     */
    public void fence(String why) {
        stateLock.lock();
        try {
            if (closed || fenced) {
                return;
            }
            fenced = true;
            lastFailure = why;
            state = ServerState.FAILOVER;
        } finally {
            stateLock.unlock();
        }
        log.warn("{} {}", spec.describe(), why);
    }

    /** The failover was called off (or its leader is gone): reach the master again, wherever Sentinel says it is. */
    public void unfence(String why) {
        stateLock.lock();
        try {
            if (!fenced) {
                return;
            }
            fenced = false;
            reconnectNow(why);
        } finally {
            stateLock.unlock();
        }
        log.info("{}: {}", spec.describe(), why);
    }

    /**
     * Sentinel switched the master to {@code address}: the connections to the old one close (failing what is on
     * them with {@code why}), so do its dedicated ones, and the server is reached again at once through the usual
     * attempt (which asks Sentinel and checks ROLE). Ends a fence. Nothing when it is there already and not fenced.
     */
    public void moveTo(HostPort address, String why) {
        boolean moved = readdress(address, why);
        stateLock.lock();
        try {
            boolean wasFenced = fenced;
            fenced = false;
            if (moved || wasFenced) {
                reconnectNow(why);
            }
        } finally {
            stateLock.unlock();
        }
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
        stateLock.lock();
        try {
            if (!fenced) {
                reconnectNow(why);
            }
        } finally {
            stateLock.unlock();
        }
        log.warn("{} {}", spec.describe(), why);
    }

    /** Caller holds stateLock: DOWN, and an attempt now unless one is in flight (it sees the new address). */
    private void reconnectNow(String why) {
        if (closed) {
            return;
        }
        lastFailure = why;
        failures.set(0);
        reconnectDelay = FIRST_RECONNECT;
        state = ServerState.DOWN;
        if (attempt == null) {
            startAttempt(-1);
        }
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
            if (closed || old.address().equals(address)) {
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
        stateLock.lock();
        try {
            closed = true;
        } finally {
            stateLock.unlock();
        }
        dedicated.close();
        connectLock.lock();
        try {
            closeConnections(reason);
        } finally {
            connectLock.unlock();
        }
    }

    /** Replies reset the failure count; replies that say the server is in trouble count as failures. */
    private final class ConnectionListener implements BackendConnection.Listener {
        @Override
        public void onReply(Reply reply) {
            if (reply.isError() && signalsTrouble(reply)) {
                recordFailure(reply.errorMessage(), false);
            } else if (reply.isError() && addresses != null && startsWith(reply.bytes(), "-READONLY ")) {
                demoted("a shared connection");
            } else if (failures.get() != 0) {
                failures.set(0);
            }
        }

        @Override
        public void onFailure(String reason) {
            dedicated.dropIdle(); // a connection lost to the server: the idle dedicated ones may be dead too
            recordFailure(reason, false);
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
