package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one {@link BackendServer} is to be used, and when it is tried again: its failure count, its
 * {@link ServerState}, its ejection, the one attempt to reach it in flight, the supervisor's next try, and the fence
 * Sentinel puts up while it replaces the master. It opens no connection itself: its {@link Server} probes and opens.
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
 * <p>Client threads count failures and start attempts ({@link #reconnectFor}); connection threads count failures
 * and good replies; the supervisor thread schedules attempts ({@link #recover}); each attempt runs on a
 * {@code backend-<pool>-<server>-probe} thread; a Sentinel pool's watcher fences and moves.
 */
final class ServerLiveness {
    private static final Logger log = LoggerFactory.getLogger(ServerLiveness.class);
    private static final Duration FIRST_RECONNECT = Duration.ofMillis(100);
    private static final Duration MAX_RECONNECT = Duration.ofSeconds(2);
    /**
     * The least time between two attempts that requests start: without it a busy pool would open a connection
     * per request to a server that accepts but fails the handshake or PING (LOADING, a wrong password), and
     * leave a TIME_WAIT socket behind each. 5 ms bounds that to 200 a second, under one a client sends every 10 ms.
     */
    private static final long REQUEST_ATTEMPT_GAP_MS = 5;

    /** What liveness needs done to the server it watches; each method says the thread that calls it. */
    interface Server {
        /** For log lines and errors: the server's spec now (a Sentinel move changes its address). */
        ServerSpec spec();

        /**
         * Probe thread: finds the server (asks its address source, if it has one) and checks that it answers.
         *
         * @throws BackendException when it does not
         */
        void probe();

        /**
         * Probe thread, the server just back: opens the connection in {@code slot}, the waiting request's.
         *
         * @throws BackendException when that fails
         */
        void open(int slot);

        /** Under the state lock, on whichever thread counted the last failure: the server is ejected. */
        void closeConnections(String reason);
    }

    private final Server server;
    private final String probeThreadName;
    private final BackendSettings settings;
    private final BackendRuntime runtime;
    private final ServerStats stats;
    private final Runnable distributionChanged;
    private final AtomicInteger failures = new AtomicInteger();
    /** Guards the liveness fields below and the decision to schedule a recovery. */
    private final ReentrantLock stateLock = new ReentrantLock();
    private volatile ServerState state = ServerState.UP;
    /** Out of the distribution (auto_eject_hosts); probing does not change it until the probe succeeds. */
    private volatile boolean ejected;
    private volatile Instant ejectedUntil;
    private volatile String lastFailure = "";
    private boolean recoveryScheduled;
    /** Sentinel is replacing this master ({@link #fence}): no attempt, no UP, until {@link #moved} or unfence. */
    private boolean fenced;
    /** The attempt to reach the server in flight (its end is counted down), or null: at most one at a time. */
    private CountDownLatch attempt;
    private long lastRequestAttemptMs = Long.MIN_VALUE / 2;
    private Duration reconnectDelay = FIRST_RECONNECT;
    private volatile boolean closed;

    /**
     * @param threadName the server's thread name ({@code backend-<pool>-<server>}); attempts add {@code -probe}
     * @param distributionChanged called (on any thread) when the server leaves or re-enters the distribution
     */
    ServerLiveness(Server server, String threadName, BackendSettings settings, BackendRuntime runtime,
                   ServerStats stats, Runnable distributionChanged) {
        this.server = server;
        this.probeThreadName = threadName + "-probe";
        this.settings = settings;
        this.runtime = runtime;
        this.stats = stats;
        this.distributionChanged = distributionChanged;
    }

    ServerState state() {
        return state;
    }

    /** Why the server is not up (or what Sentinel said while fencing it): for the errors its requests get. */
    String lastFailure() {
        return lastFailure;
    }

    /** Whether the pool's distribution should include this server (false while ejected). */
    boolean inDistribution() {
        return !ejected;
    }

    /** Whether {@link #close} was called: nothing is to be opened any more. */
    boolean closed() {
        return closed;
    }

    ServerStatus status() {
        ServerState now = state;
        return new ServerStatus(now, now == ServerState.EJECTED ? Optional.ofNullable(ejectedUntil)
                : Optional.empty(), failures.get());
    }

    /** Connection thread: a reply that does not say the server is in trouble resets the failure count. */
    void answered() {
        if (failures.get() != 0) {
            failures.set(0);
        }
    }

    /**
     * Counts one failure; may eject the server or mark it down and schedule its recovery.
     *
     * @param unreachable the server could not be reached at all (a failed connect), so it is down now even below
     *                    the failure limit
     */
    void recordFailure(String reason, boolean unreachable) {
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
        log.warn("{} ejected for {} ms after {} failures: {}", server.spec().describe(),
                settings.retryTimeout().toMillis(), settings.failureLimit(), reason);
        server.closeConnections("ejected from the pool");
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
     * @param slot the connection the request is sent on, opened by the attempt once the server answers
     * @return whether the server is up now
     */
    boolean reconnectFor(int slot) {
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
        Thread.ofVirtual().name(probeThreadName).start(() -> attempt(slot, done));
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
            server.probe();
            recovered();
            openFor(slot);
        } catch (BackendException e) {
            stillFailing(e.getMessage());
        } catch (RuntimeException | Error e) { // the probe thread's catch ladder: never leave it CONNECTING
            log.error("{}: attempt to reach {} failed unexpectedly", Thread.currentThread().getName(),
                    server.spec().describe(), e);
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
            server.open(slot);
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
        log.info("{} is back{}", server.spec().describe(), wasEjected ? " in the pool" : "");
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
        log.debug("{} still failing: {}", server.spec().describe(), reason);
    }

    private static Duration min(Duration a, Duration b, Duration c) {
        Duration ab = a.compareTo(b) <= 0 ? a : b;
        return ab.compareTo(c) <= 0 ? ab : c;
    }

    /** As {@link BackendServer#fence}: requests fail fast with {@code why} and no attempt starts until a move. */
    void fence(String why) {
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
        log.warn("{} {}", server.spec().describe(), why);
    }

    /** As {@link BackendServer#unfence}: the fence ends, and the server is reached again at once. */
    void unfence(String why) {
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
        log.info("{}: {}", server.spec().describe(), why);
    }

    /**
     * Sentinel named the master (its server has been pointed there): ends a fence, and reaches the server again at
     * once when it was fenced or {@code addressChanged}.
     */
    void moved(boolean addressChanged, String why) {
        stateLock.lock();
        try {
            boolean wasFenced = fenced;
            fenced = false;
            if (addressChanged || wasFenced) {
                reconnectNow(why);
            }
        } finally {
            stateLock.unlock();
        }
    }

    /** The master was demoted (its connections are closed already): reach it again, unless Sentinel fenced it. */
    void demoted(String why) {
        stateLock.lock();
        try {
            if (!fenced) {
                reconnectNow(why);
            }
        } finally {
            stateLock.unlock();
        }
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

    /** For good: no attempt starts and the state stays as it is. */
    void close() {
        stateLock.lock();
        try {
            closed = true;
        } finally {
            stateLock.unlock();
        }
    }
}
