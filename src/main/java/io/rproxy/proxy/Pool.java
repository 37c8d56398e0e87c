package io.rproxy.proxy;

import io.rproxy.backend.BackendRuntime;
import io.rproxy.backend.BackendServer;
import io.rproxy.backend.BackendSettings;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.ServerSpec;
import io.rproxy.resp.RespLimits;
import io.rproxy.routing.Router;
import io.rproxy.routing.WeightedServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * One pool at run time: its configuration, its servers, the router that maps keys onto them and its client-side
 * counters. Shared by every client session of the pool; the admin port reads its configuration, servers and
 * stats.
 */
public final class Pool {
    private final PoolConfig config;
    private final RespLimits limits;
    private final RandomGenerator random;
    private final List<BackendServer> servers;
    /** Carried from one generation of the pool to the next by a reload, so its counters survive it. */
    private final PoolStats stats;
    /** Guards rebuilding the router, so that concurrent ejections cannot install a stale live set last. */
    private final ReentrantLock routerLock = new ReentrantLock();
    private volatile Router router;
    /** The port the pool's listener bound (the configured one, unless that was 0); 0 before it is bound. */
    private volatile int port;

    /** @param random for the random distribution; null means a ThreadLocalRandom per client thread */
    Pool(PoolConfig config, RespLimits limits, BackendRuntime runtime, RandomGenerator random) {
        this(config, limits, runtime, random, new PoolStats());
    }

    /** @param stats the counters of the pool's previous generation when a reload replaces it */
    Pool(PoolConfig config, RespLimits limits, BackendRuntime runtime, RandomGenerator random, PoolStats stats) {
        this.config = config;
        this.stats = stats;
        this.limits = limits;
        this.random = random;
        BackendSettings settings = BackendSettings.of(config, limits);
        List<BackendServer> built = new ArrayList<>();
        for (ServerSpec spec : config.servers()) {
            built.add(new BackendServer(config.name(), spec, config.serverConnections(), settings, runtime,
                    this::rebuildRouter));
        }
        this.servers = List.copyOf(built);
        rebuildRouter();
    }

    /**
     * Builds the distribution over the servers that are not ejected; keys of an ejected server move to the
     * others exactly as twemproxy moves them (it rebuilds its continuum the same way).
     */
    private void rebuildRouter() {
        routerLock.lock();
        try {
            List<WeightedServer> live = new ArrayList<>(servers.size());
            for (int i = 0; i < servers.size(); i++) {
                ServerSpec spec = servers.get(i).spec();
                if (servers.get(i).inDistribution()) {
                    live.add(new WeightedServer(i, spec.identity(), spec.weight()));
                }
            }
            router = new Router(config.hash(), config.distribution(), config.hashTag().orElse(null), live, random);
        } finally {
            routerLock.unlock();
        }
    }

    public PoolConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** The pool's servers, in configuration order. */
    public List<BackendServer> servers() {
        return servers;
    }

    public PoolStats stats() {
        return stats;
    }

    RespLimits limits() {
        return limits;
    }

    /** Index of the server that owns the key at {@code frame[offset, offset+length)}; -1 when none is live. */
    int route(byte[] frame, int offset, int length) {
        int server = router.route(frame, offset, length);
        if (server < 0) {
            stats.noServer();
        }
        return server;
    }

    BackendServer server(int index) {
        return servers.get(index);
    }

    int serverCount() {
        return servers.size();
    }

    /**
     * The server for a command every server answers alike (COMMAND DOCS, help texts): spread by client id,
     * and stable for one client.
     */
    int anyServer(long clientId) {
        return (int) Math.floorMod(clientId, (long) servers.size());
    }

    void bound(int listenPort) {
        port = listenPort;
    }

    int port() {
        return port;
    }


    void preconnect() {
        if (config.preconnect()) {
            servers.forEach(BackendServer::preconnect);
        }
    }

    /** Requests queued or in flight on the pool's servers now. */
    long outstanding() {
        long sum = 0;
        for (BackendServer server : servers) {
            sum += server.stats().queued() + server.stats().inFlight();
        }
        return sum;
    }

    void close(String reason) {
        servers.forEach(s -> s.close(reason));
    }
}
