package io.rproxy.sentinel;

import io.rproxy.backend.BackendException;
import io.rproxy.backend.BackendSettings;
import io.rproxy.backend.NodeLink;
import io.rproxy.backend.NodeQuery;
import io.rproxy.config.HostPort;
import io.rproxy.config.ServerSpec;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sentinel of a pool: its subscriber connection, read by the {@code sentinel-<pool>-<address>} thread, which
 * hands each failover message to the pool's {@link Sentinels} and reconnects (100 ms doubling to 2 s) when the
 * connection fails; and the questions the pool asks it. A sentinel that is down is only logged and shown: the
 * others serve meanwhile.
 */
final class SentinelLink {
    private static final Logger log = LoggerFactory.getLogger(SentinelLink.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration MAX_RETRY = Duration.ofSeconds(2);
    private static final RespCommand SUBSCRIBE = RespCommand.of(
            Stream.concat(Stream.of("SUBSCRIBE"), SentinelEvent.CHANNELS.stream()).toArray(String[]::new));
    private static final RespCommand PING = RespCommand.of("PING");
    /** A subscription silent this long is dead: the refresher pings it every {@link Sentinels#REFRESH_EVERY}. */
    private static final Duration IDLE = Duration.ofMillis(Sentinels.REFRESH_EVERY.toMillis() * 3);

    private final Sentinels pool;
    private final HostPort address;
    private final ServerSpec node;
    private final BackendSettings settings;
    private volatile NodeLink link;
    private volatile boolean subscribed;
    private volatile boolean answering = true;
    private volatile String lastError;
    private volatile boolean closed;
    private Thread thread;

    SentinelLink(Sentinels pool, HostPort address, BackendSettings settings) {
        this.pool = pool;
        this.address = address;
        this.node = ServerSpec.node(address);
        this.settings = settings;
    }

    HostPort address() {
        return address;
    }

    /**
     * Asks {@code questions} (for {@code names}, two each) in one round trip; the answers by master name, or null
     * when the sentinel could not be asked (then {@link #lastError} says why).
     */
    Map<String, SentinelAnswer> ask(List<String> names, List<RespCommand> questions) {
        try {
            List<Reply> replies = NodeQuery.askAll(node, settings, questions);
            Map<String, SentinelAnswer> answers = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                answers.put(names.get(i), SentinelAnswer.of(names.get(i), replies.get(2 * i), replies.get(2 * i + 1)));
            }
            if (!answering) {
                log.info("pool '{}': sentinel {} answers again", pool.name(), address);
            }
            answering = true;
            return answers;
        } catch (BackendException e) {
            failed(e.getMessage(), answering);
            answering = false;
            return null;
        }
    }

    void failed(String why, boolean wasUp) {
        lastError = why;
        if (wasUp) {
            log.warn("pool '{}': sentinel {} is down: {}", pool.name(), address, why);
        }
    }

    void start() {
        thread = Thread.ofVirtual().name("sentinel-" + pool.name() + "-" + address).start(this::run);
    }

    /** The subscriber thread's loop and catch ladder: connect, subscribe, read; again after a pause on failure. */
    private void run() {
        Duration retry = FIRST_RETRY;
        while (!closed) {
            try {
                readMessages();
            } catch (BackendException e) {
                if (closed) {
                    break;
                }
                failed(e.getMessage(), subscribed);
            } catch (RuntimeException | Error e) {
                log.error("pool '{}': {} failed unexpectedly; reconnecting", pool.name(),
                        Thread.currentThread().getName(), e);
                lastError = "internal error: " + e;
            }
            retry = subscribed ? FIRST_RETRY : min(retry.multipliedBy(2), MAX_RETRY);
            subscribed = false;
            closeLink();
            if (!closed) {
                LockSupport.parkNanos(retry.toNanos()); // close() unparks
            }
        }
        closeLink();
    }

    private void readMessages() {
        NodeLink opened = NodeLink.open(node, settings);
        link = opened;
        if (closed) {
            return;
        }
        opened.send(SUBSCRIBE);
        Reply first = opened.read(IDLE);
        if (first.isError()) { // e.g. -NOAUTH: sentinel_password is missing or wrong
            throw new BackendException("sentinel " + address + " refused SUBSCRIBE: " + first.errorMessage());
        }
        boolean wasDown = lastError != null;
        subscribed = true;
        if (wasDown) {
            log.info("pool '{}': sentinel {} is back", pool.name(), address);
        }
        pool.refreshSoon(); // messages may have been missed while it was not subscribed
        while (!closed) {
            SentinelEvent event = SentinelEvent.of(opened.read(IDLE));
            if (event != null) {
                pool.onEvent(this, event);
            }
        }
    }

    /** Refresher thread: keeps a quiet subscription proved alive (its PONG is read, and dropped, by the reader). */
    void ping() {
        NodeLink current = link;
        if (current != null && subscribed) {
            try {
                current.send(PING);
            } catch (BackendException e) {
                log.debug("pool '{}': PING to sentinel {} failed: {}", pool.name(), address, e.getMessage());
            }
        }
    }

    SentinelStatus.Sentinel status() {
        return new SentinelStatus.Sentinel(address, subscribed && answering, lastError);
    }

    void close() {
        closed = true;
        closeLink();
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void closeLink() {
        NodeLink current = link;
        if (current != null) {
            current.close();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
