package io.rproxy.sentinel;

import io.rproxy.backend.AddressSource;
import io.rproxy.backend.BackendServer;
import io.rproxy.config.HostPort;
import io.rproxy.config.SentinelConfig;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One master of a Sentinel pool: where it is now by what the sentinels have said, and the {@link BackendServer}
 * that sends to it, moved (or fenced) as they say. An answer from a sentinel counts only when its config epoch is
 * higher than the last one known, so a sentinel that has not heard of a failover yet never moves the master back;
 * a failover message moves it at once.
 *
 * <p>Its server's probe thread looks it up; a sentinel's subscriber thread tells it of failovers; the pool's
 * refresher thread refreshes it.
 */
final class SentinelMaster implements AddressSource {
    private final Sentinels sentinels;
    private final SentinelConfig.Master config;
    /**
     * Guards writing address, and epoch, fenced and fencedAt; the server is moved under it too, so that moves reach
     * the server in the order they were decided. Never taken under the server's locks (see {@link #current}).
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** Written under the lock, read without: the server reads it under its connect lock, STATUS at any time. */
    private volatile HostPort address;
    /** Written under the lock, read without by STATUS, which must not wait for a move in progress. */
    private volatile long epoch;
    private boolean fenced;
    private long fencedAtNanos;
    private final LongAdder switches = new LongAdder();
    /** Set once by {@link #follow}, before any thread that moves it starts. */
    private volatile BackendServer server;

    SentinelMaster(Sentinels sentinels, SentinelConfig.Master config, SentinelAnswer first) {
        this.sentinels = sentinels;
        this.config = config;
        this.address = first.address();
        this.epoch = first.epoch();
    }

    String name() {
        return config.name();
    }

    SentinelConfig.Master config() {
        return config;
    }

    void follow(BackendServer followed) {
        this.server = followed;
    }

    /** Probe thread, before each attempt to reach the master: asks every sentinel now. */
    @Override
    public void lookUp() {
        List<Sentinels.Polled> polled = sentinels.ask(List.of(config.name()));
        SentinelAnswer best = Sentinels.best(polled, config.name());
        if (best != null) {
            lock.lock();
            try {
                learn(best); // the attempt reads current() itself, under the server's connect lock
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Without the lock: the server calls this under its connect lock, while a move holds this lock and waits for
     * that one. A move writes the address before it moves the server, so the server reads it or is moved after.
     */
    @Override
    public HostPort current() {
        return address;
    }

    /** Caller holds the lock. Whether the answer moved the master (a newer epoch at another address). */
    private boolean learn(SentinelAnswer answer) {
        if (answer.epoch() <= epoch) {
            return false;
        }
        epoch = answer.epoch();
        return moveRecord(answer.address());
    }

    private boolean moveRecord(HostPort to) {
        if (to.equals(address)) {
            return false;
        }
        address = to;
        switches.increment();
        return true;
    }

    /** {@code +promoted-slave} or {@code +switch-master}: the master is at {@code to} from now on. */
    void switched(HostPort to, String why) {
        lock.lock();
        try {
            moveRecord(to);
            fenced = false;
            server.moveTo(to, why);
        } finally {
            lock.unlock();
        }
    }

    /** {@code +selected-slave}: the master is being replaced; its requests fail fast until the switch. */
    void selected(HostPort replica, String sentinel) {
        lock.lock();
        try {
            if (fenced) {
                return;
            }
            fenced = true;
            fencedAtNanos = System.nanoTime();
            server.fence("is being replaced: sentinel " + sentinel + " is promoting its replica " + replica
                    + " (master '" + config.name() + "')");
        } finally {
            lock.unlock();
        }
    }

    /** {@code -failover-abort-...}: the master stays where it was. */
    void aborted(String why) {
        lock.lock();
        try {
            if (fenced) {
                fenced = false;
                server.unfence(why);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refresher thread, with what every sentinel said: a newer epoch moves the master; a fence that no sentinel
     * asked after it began backs any more (the failover ended without a switch we heard of, or its leader is gone)
     * is lifted, and the next attempt asks where the master is.
     *
     * @param failingOver some sentinel reports a failover of this master in progress
     * @param askedAtNanos when the asking began
     */
    void refreshed(SentinelAnswer best, boolean failingOver, long askedAtNanos) {
        lock.lock();
        try {
            if (best != null && best.epoch() > epoch) {
                learn(best);
                fenced = false;
                server.moveTo(address, "the sentinels' configuration (epoch " + epoch + ") names " + address
                        + " master '" + config.name() + "'");
            } else if (fenced && best != null && !failingOver && askedAtNanos - fencedAtNanos > 0) {
                fenced = false;
                server.unfence("no sentinel is failing master '" + config.name() + "' over any more");
            }
        } finally {
            lock.unlock();
        }
    }

    /** Without the lock: a move may hold it for as long as a connect takes. */
    SentinelStatus.Master status() {
        return new SentinelStatus.Master(config.name(), config.identity(), address, epoch, switches.sum());
    }
}
