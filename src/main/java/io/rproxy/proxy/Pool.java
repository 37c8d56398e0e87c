package io.rproxy.proxy;

import io.rproxy.backend.BackendRequest;
import io.rproxy.backend.BackendRuntime;
import io.rproxy.backend.BackendServer;
import io.rproxy.backend.BackendSettings;
import io.rproxy.backend.PendingReply;
import io.rproxy.backend.Sender;
import io.rproxy.cluster.Cluster;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.ServerSpec;
import io.rproxy.resp.RespLimits;
import io.rproxy.routing.ClusterSlot;
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
 *
 * <p>A cluster pool ({@code cluster = true}) has a {@link Cluster} instead of servers and a router: its "server
 * index" is a hash slot, and requests go to the slot's master through redirection-following requests.
 */
public final class Pool {
    private final PoolConfig config;
    private final RespLimits limits;
    private final RandomGenerator random;
    private final List<BackendServer> servers;
    /** The Redis Cluster a cluster pool fronts; null for a pool of independent servers. */
    private final Cluster cluster;
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
        if (config.cluster()) {
            this.servers = List.of();
            this.cluster = new Cluster(config.name(), config.servers(), withoutEjection(settings), runtime,
                    config.serverConnections());
            return;
        }
        this.cluster = null;
        List<BackendServer> built = new ArrayList<>();
        for (ServerSpec spec : config.servers()) {
            built.add(new BackendServer(config.name(), spec, config.serverConnections(), settings, runtime,
                    this::rebuildRouter));
        }
        this.servers = List.copyOf(built);
        rebuildRouter();
    }

    /** A cluster's nodes are never ejected: the cluster itself fails a master over. */
    private static BackendSettings withoutEjection(BackendSettings s) {
        return new BackendSettings(s.password(), s.database(), s.timeout(), s.connectTimeout(), s.tcpKeepAlive(),
                s.limits(), s.outboxCapacity(), false, s.failureLimit(), s.retryTimeout());
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

    /** The pool's servers, in configuration order; a cluster pool's masters now, in its slot map's order. */
    public List<BackendServer> servers() {
        return cluster != null ? cluster.servers() : servers;
    }

    /** The Redis Cluster behind a cluster pool; null for any other pool. */
    public Cluster cluster() {
        return cluster;
    }

    boolean isCluster() {
        return cluster != null;
    }

    public PoolStats stats() {
        return stats;
    }

    RespLimits limits() {
        return limits;
    }

    /**
     * Sends a request to a target {@link #route} chose: a server's index, or for a cluster pool a hash slot.
     *
     * @param sender the client: its requests to one server share a connection, in order
     */
    PendingReply forward(int target, byte[] frame, Sender sender) {
        if (cluster != null) {
            return cluster.send(target, frame, sender);
        }
        BackendRequest request = new BackendRequest(frame);
        servers.get(target).send(request, sender);
        return request;
    }

    /** How a split command's failed part names its target: the server, or the slot of a cluster pool. */
    String describeTarget(int target) {
        return cluster != null ? "slot " + target : servers.get(target).spec().describe();
    }

    /** Index of the server that owns the key at {@code frame[offset, offset+length)}; -1 when none is live. */
    int route(byte[] frame, int offset, int length) {
        if (cluster != null) {
            return ClusterSlot.of(frame, offset, length);
        }
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
        if (cluster != null) {
            return (int) Math.floorMod(clientId, (long) ClusterSlot.COUNT);
        }
        return (int) Math.floorMod(clientId, (long) servers.size());
    }

    void bound(int listenPort) {
        port = listenPort;
    }

    int port() {
        return port;
    }


    void preconnect() {
        if (cluster != null) {
            cluster.preconnect();
        } else if (config.preconnect()) {
            servers.forEach(BackendServer::preconnect);
        }
    }

    /** Requests queued or in flight on the pool's servers now. */
    long outstanding() {
        long sum = 0;
        for (BackendServer server : servers()) {
            sum += server.stats().queued() + server.stats().inFlight();
        }
        return sum;
    }

    void close(String reason) {
        servers.forEach(s -> s.close(reason));
        if (cluster != null) {
            cluster.close(reason);
        }
    }
}
