package io.rproxy.proxy;

import io.rproxy.command.CommandClasses;
import io.rproxy.command.CommandTable;
import io.rproxy.RproxyException;
import io.rproxy.backend.BackendRuntime;
import io.rproxy.backend.BackendServer;
import io.rproxy.backend.OutputBuffers;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.ProxyConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane of a running rproxy: one listener per pool, its clients, its backend connections. {@link #bind}
 * binds every listen address before {@link #accept} serves anything, so a configuration whose port is taken fails
 * with nothing bound. Its start, stop and reload are driven by the composition root ({@code io.rproxy.Rproxy}),
 * which calls {@link #stop} once.
 *
 * <p>A reload goes {@link #stage} (build and bind a new configuration's pools beside the running ones), then
 * {@link #commit} or {@link #cancel}. The caller serialises these three (Rproxy's reload lock); the data path
 * takes no lock: each request reads its listener's current {@link Generation}. {@link #config} and {@link #pools}
 * read one record that a commit replaces whole, once every listener serves the new generation. A replaced
 * generation is drained on a {@code drain-<pool>} thread: its backend connections close once no client has a
 * request outstanding on it or a stateful mode begun on it (see {@link ClientSession}), or after
 * {@link #DRAIN_MARGIN} plus its timeout.
 */
public final class Proxy {
    private static final Logger log = LoggerFactory.getLogger(Proxy.class);
    /** How long a replaced generation may take to answer what is in flight, beyond its own timeout. */
    static final Duration DRAIN_MARGIN = Duration.ofSeconds(5);
    /** Drains are rare and short: polling a few counters every few ms costs nothing and needs no hooks. */
    private static final long DRAIN_POLL_NANOS = Duration.ofMillis(5).toNanos();

    private final CommandTable commands;
    private final CommandClasses classes;
    private final Clock clock;
    private final AtomicLong clientIds = new AtomicLong();
    private final BackendRuntime backends;
    private final RandomGenerator random;
    /** Replaced whole by a commit, so that a reader never pairs one configuration with another's pools. */
    private volatile Serving serving;
    /** Every client's unread replies, bounded by maxmemory_clients; kept across reloads. */
    private final OutputBuffers outputBuffers;
    /** Listeners of removed or moved pools whose clients may still be connected; closed by {@link #stop}. */
    private final Set<PoolListener> retired = ConcurrentHashMap.newKeySet();
    /** Replaced pools whose backend connections are still open, for {@link #stop} to close. */
    private final Set<Pool> draining = ConcurrentHashMap.newKeySet();

    /**
     * The configuration that serves now, its listeners by pool name and its pools (each listener's generation as
     * the commit left it), in configuration order.
     */
    private record Serving(ProxyConfig config, Map<String, PoolListener> listeners, List<Pool> pools) {
        static Serving of(StagedPools staged, Map<String, PoolListener> listeners) {
            return new Serving(staged.config(), Collections.unmodifiableMap(new LinkedHashMap<>(listeners)),
                    staged.generations.values().stream().map(Generation::pool).toList());
        }
    }

    private Proxy(ProxyConfig config, CommandTable commands, Clock clock, RandomGenerator random) {
        this.serving = new Serving(config, Map.of(), List.of());
        this.commands = commands;
        this.classes = CommandClasses.load(commands);
        this.clock = clock;
        this.backends = new BackendRuntime(clock);
        this.random = random;
        this.outputBuffers = new OutputBuffers(config.maxmemoryClients());
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
        try {
            StagedPools first = proxy.stage(config);
            proxy.serving = Serving.of(first, first.listeners);
        } catch (RproxyException e) {
            proxy.backends.close();
            throw e;
        }
        return proxy;
    }

    /** Connects to the servers of preconnect pools, then accepts clients on every pool's address. */
    public void accept() {
        pools().forEach(Pool::preconnect);
        serving.listeners().values().forEach(PoolListener::start);
    }

    /**
     * Builds the pools of {@code next} beside the running ones: new backend servers for every pool, and a bound
     * (not yet accepting) listener for every pool whose address is new. A pool that keeps its address keeps its
     * listener. Nothing that serves now is touched.
     *
     * @throws RproxyException naming the address when one cannot be bound; whatever was bound is released
     */
    public StagedPools stage(ProxyConfig next) {
        StagedPools staged = new StagedPools(next);
        Map<String, PoolListener> running = serving.listeners();
        try {
            for (PoolConfig poolConfig : next.pools().values()) {
                PoolListener kept = running.get(poolConfig.name());
                PoolStats stats = kept == null ? new PoolStats() : kept.stats();
                Pool pool = new Pool(poolConfig, next.limits(), backends, random, stats);
                CommandDispatcher dispatcher = new CommandDispatcher(pool, commands, classes, clock);
                Generation generation = Generation.serving(pool, dispatcher);
                staged.generations.put(pool.name(), generation);
                if (kept == null || !kept.address().equals(poolConfig.listen())) {
                    staged.listeners.put(pool.name(), new PoolListener(generation, clientIds, outputBuffers));
                }
            }
        } catch (IOException e) {
            staged.release("the configuration was not loaded");
            throw new RproxyException(e.getMessage(), e);
        } catch (RproxyException e) { // a cluster pool whose seeds give no slot map; sentinels that do not answer
            staged.release("the configuration was not loaded");
            throw e;
        }
        return staged;
    }

    /**
     * Makes a staged configuration the running one. A pool that keeps its address swaps generations: requests
     * read from now on go to its new servers with its new settings, while the old servers answer what is in
     * flight and then close. A pool with a new address starts accepting there; its old listener, like a removed
     * pool's, stops accepting, and a client still connected to it gets an error on its next request and is
     * disconnected (a client in a transaction, subscribed or blocked: on its next request after that state ends).
     */
    public void commit(StagedPools staged) {
        Map<String, PoolListener> running = serving.listeners();
        Map<String, PoolListener> next = new LinkedHashMap<>();
        staged.listeners.values().forEach(PoolListener::start);
        for (Map.Entry<String, Generation> entry : staged.generations.entrySet()) {
            String name = entry.getKey();
            PoolListener old = running.get(name);
            PoolListener fresh = staged.listeners.get(name);
            if (fresh == null) {
                next.put(name, old);
                drain(old, old.swap(entry.getValue()));
            } else {
                next.put(name, fresh);
                if (old != null) {
                    retire(old, "pool '" + name + "' was removed by a configuration reload; it now listens on "
                            + fresh.address());
                }
            }
        }
        for (Map.Entry<String, PoolListener> entry : running.entrySet()) {
            if (!next.containsKey(entry.getKey())) {
                retire(entry.getValue(), "pool '" + entry.getKey() + "' was removed by a configuration reload");
            }
        }
        retired.removeIf(l -> l.clientCount() == 0);
        serving = Serving.of(staged, next);
        outputBuffers.limit(staged.config().maxmemoryClients());
    }

    /** Releases everything a staged configuration bound and connected; the running one is not touched. */
    public void cancel(StagedPools staged) {
        staged.release("the staged configuration was cancelled");
    }

    private void retire(PoolListener listener, String message) {
        listener.stopAccepting();
        drain(listener, listener.swap(Generation.gone(message)));
        retired.add(listener);
    }

    /** Closes the old generation's backend connections once nothing is outstanding on them (bounded). */
    private void drain(PoolListener listener, Generation old) {
        Pool pool = old.pool();
        draining.add(pool);
        long limit = pool.config().timeout().orElse(Duration.ZERO).plus(DRAIN_MARGIN).toNanos();
        Thread.ofVirtual().name("drain-" + pool.name()).start(() -> {
            try {
                awaitQuietThenClose(listener, old, limit);
            } catch (RuntimeException | Error e) {
                // The drain's catch ladder: whatever went wrong, the old generation's connections must not stay
                // open for good; closing fails whatever is still waiting on them with an error naming the server.
                log.error("pool '{}': draining the replaced generation failed in {}; closing it", pool.name(),
                        Thread.currentThread().getName(), e);
                pool.close("the pool was replaced by a configuration reload");
            } finally {
                draining.remove(pool);
            }
        });
    }

    private void awaitQuietThenClose(PoolListener listener, Generation old, long limit) {
        Pool pool = old.pool();
        long start = System.nanoTime();
        while ((listener.pinnedTo(old) || pool.outstanding() > 0) && System.nanoTime() - start < limit) {
            LockSupport.parkNanos(DRAIN_POLL_NANOS);
        }
        boolean complete = !listener.pinnedTo(old) && pool.outstanding() == 0;
        pool.close("the pool was replaced by a configuration reload");
        if (complete) {
            log.info("pool '{}': the replaced generation answered everything in flight in {} ms; its backend "
                    + "connections are closed", pool.name(), (System.nanoTime() - start) / 1_000_000);
        } else {
            log.warn("pool '{}': the replaced generation still had requests in flight, or clients in a transaction"
                    + " or subscribed, after {} ms; its connections are closed: requests in flight fail, and such a"
                    + " client keeps only the dedicated connections it holds", pool.name(), limit / 1_000_000);
        }
    }

    public ProxyConfig config() {
        return serving.config();
    }

    /** Bytes of replies that have landed for clients and that they have not read yet, over all pools. */
    public long clientOutputBytes() {
        return outputBuffers.bytes();
    }

    /** Backend connection threads (readers and writers) running now. */
    public int backendThreads() {
        return backends.liveThreads();
    }

    /** The running pools, in configuration order. */
    public List<Pool> pools() {
        return serving.pools();
    }

    /** A pool's backend servers, in configuration order (status reports and tests read their state). */
    public List<BackendServer> servers(String pool) {
        return pools().stream().filter(p -> p.name().equals(pool)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pool named " + pool)).servers();
    }

    /** The port a pool actually listens on. */
    public int port(String pool) {
        PoolListener listener = serving.listeners().get(pool);
        if (listener == null) {
            throw new IllegalArgumentException("no pool named " + pool);
        }
        return listener.port();
    }

    /**
     * Stops in the order that loses nothing: listeners close first, connected clients get the replies they are
     * owed (up to {@code grace}), then backend connections close. Called once, by the composition root.
     */
    public void stop(Duration grace) {
        log.info("stopping: closing listeners");
        List<PoolListener> all = new ArrayList<>(serving.listeners().values());
        all.addAll(retired);
        all.forEach(PoolListener::stopAccepting);
        all.forEach(PoolListener::endClientInput);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            for (PoolListener listener : all) {
                listener.awaitClients(deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pools().forEach(p -> p.close("rproxy is shutting down"));
        draining.forEach(p -> p.close("rproxy is shutting down"));
        backends.close();
        log.info("stopped");
    }
}
