package io.rproxy.proxy;

import io.rproxy.RproxyException;
import io.rproxy.backend.BackendRuntime;
import io.rproxy.backend.BackendServer;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.ProxyConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running rproxy: one listener per pool, its clients, its backend connections. {@link #start} binds every
 * listen address before it accepts anything, so a configuration whose port is taken fails with nothing bound.
 */
public final class Proxy {
    private static final Logger log = LoggerFactory.getLogger(Proxy.class);

    private final ProxyConfig config;
    private final CommandTable commands;
    private final CommandClasses classes;
    private final Clock clock;
    private final AtomicLong clientIds = new AtomicLong();
    private final Map<String, PoolListener> listeners = new LinkedHashMap<>();
    private final List<Pool> pools = new ArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private final BackendRuntime backends;
    private final RandomGenerator random;

    private Proxy(ProxyConfig config, CommandTable commands, Clock clock, RandomGenerator random) {
        this.config = config;
        this.commands = commands;
        this.classes = CommandClasses.load(commands);
        this.clock = clock;
        this.backends = new BackendRuntime(clock);
        this.random = random;
    }

    /**
     * Binds every pool's address, then starts accepting.
     *
     * @throws RproxyException naming the address when one cannot be bound; nothing stays bound then
     */
    public static Proxy start(ProxyConfig config) {
        Proxy proxy = bind(config, Clock.systemUTC(), null);
        proxy.accept();
        return proxy;
    }

    /**
     * Binds every pool's address without accepting yet, so that a caller can bind more (the admin port) before
     * anything is served; {@link #stop} releases what is bound.
     *
     * @param clock  what backend status times (ejected until) are read from
     * @param random what the random distribution draws from; null for a ThreadLocalRandom per client thread
     * @throws RproxyException naming the address when one cannot be bound; nothing stays bound then
     */
    public static Proxy bind(ProxyConfig config, Clock clock, RandomGenerator random) {
        Proxy proxy = new Proxy(config, CommandTable.load(), clock, random);
        proxy.bindAll();
        return proxy;
    }

    /** Connects to the servers of preconnect pools, then accepts clients on every pool's address. */
    public void accept() {
        pools.forEach(Pool::preconnect);
        listeners.values().forEach(PoolListener::start);
    }

    private void bindAll() {
        try {
            for (PoolConfig poolConfig : config.pools().values()) {
                Pool pool = new Pool(poolConfig, config.limits(), backends, random);
                pools.add(pool);
                CommandDispatcher dispatcher = new CommandDispatcher(pool, commands, classes, clock);
                listeners.put(pool.name(), new PoolListener(pool, dispatcher, clientIds));
            }
        } catch (IOException e) {
            listeners.values().forEach(PoolListener::stopAccepting);
            pools.forEach(p -> p.close("start failed"));
            backends.close();
            throw new RproxyException(e.getMessage(), e);
        }
    }

    public ProxyConfig config() {
        return config;
    }

    /** The running pools, in configuration order. */
    public List<Pool> pools() {
        return List.copyOf(pools);
    }

    /** A pool's backend servers, in configuration order (status reports and tests read their state). */
    public List<BackendServer> servers(String pool) {
        return pools.stream().filter(p -> p.name().equals(pool)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pool named " + pool)).servers();
    }

    /** The port a pool actually listens on. */
    public int port(String pool) {
        PoolListener listener = listeners.get(pool);
        if (listener == null) {
            throw new IllegalArgumentException("no pool named " + pool);
        }
        return listener.port();
    }

    /**
     * Stops in the order that loses nothing: listeners close first, connected clients get the replies they are
     * owed (up to {@code grace}), then backend connections close.
     */
    public void stop(Duration grace) {
        if (!stopping.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        log.info("stopping: closing listeners");
        listeners.values().forEach(PoolListener::stopAccepting);
        listeners.values().forEach(PoolListener::endClientInput);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            for (PoolListener listener : listeners.values()) {
                listener.awaitClients(deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pools.forEach(p -> p.close("rproxy is shutting down"));
        backends.close();
        log.info("stopped");
        stopped.countDown();
    }

    private void awaitQuietly() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }
}
