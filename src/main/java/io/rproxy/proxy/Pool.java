package io.rproxy.proxy;

import io.rproxy.backend.BackendRuntime;
import io.rproxy.backend.BackendServer;
import io.rproxy.backend.BackendSettings;
import io.rproxy.backend.ShardedServers;
import io.rproxy.backend.Targets;
import io.rproxy.cluster.Cluster;
import io.rproxy.config.PoolConfig;
import io.rproxy.resp.RespLimits;
import io.rproxy.sentinel.Sentinels;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One pool at run time: its configuration, the {@link Targets} its requests go to (independent servers or a
 * Redis Cluster, chosen here once; a Sentinel pool is independent servers whose addresses its {@link Sentinels}
 * give and follow) and its client-side counters. Shared by every client session of the pool; the
 * admin port reads its configuration, servers and stats.
 */
public final class Pool {
    private final PoolConfig config;
    private final RespLimits limits;
    private final Targets targets;
    /** A Sentinel pool's sentinels, which move its servers; null for other pools. */
    private final Sentinels sentinels;
    /** Carried from one generation of the pool to the next by a reload, so its counters survive it. */
    private final PoolStats stats;
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
        BackendSettings settings = BackendSettings.of(config, limits);
        if (config.sentinel().isEmpty()) {
            this.sentinels = null;
            this.targets = targets(config, settings, runtime, random);
            return;
        }
        // The sentinels say where the masters are (or fail the configuration); the pool is then a sharded one.
        this.sentinels = Sentinels.resolve(config, settings);
        ShardedServers servers = new ShardedServers(config, sentinels.specs(), sentinels.sources(), settings,
                runtime, random);
        this.targets = servers;
        sentinels.follow(servers.servers());
    }

    private static Targets targets(PoolConfig config, BackendSettings settings, BackendRuntime runtime,
                                   RandomGenerator random) {
        if (!config.cluster()) {
            return new ShardedServers(config, settings, runtime, random);
        }
        // A cluster's nodes are never ejected: the cluster itself fails a master over.
        return new Cluster(config.name(), config.servers(), settings.withoutEjection(), runtime,
                config.serverConnections());
    }

    public PoolConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** Where the pool's requests go. */
    public Targets targets() {
        return targets;
    }

    /** The pool's servers, in configuration order; a cluster pool's masters now, in its slot map's order. */
    public List<BackendServer> servers() {
        return targets.servers();
    }

    /** A Sentinel pool's sentinels and masters; empty for other pools. */
    public Optional<Sentinels> sentinels() {
        return Optional.ofNullable(sentinels);
    }

    public PoolStats stats() {
        return stats;
    }

    RespLimits limits() {
        return limits;
    }

    /**
     * The target of the key at {@code frame[offset, offset+length)}, counting a miss; {@link Targets#NONE} when no
     * server is live.
     */
    int route(byte[] frame, int offset, int length) {
        int target = targets.of(frame, offset, length);
        if (target == Targets.NONE) {
            stats.noServer();
        }
        return target;
    }

    void bound(int listenPort) {
        port = listenPort;
    }

    int port() {
        return port;
    }

    void preconnect() {
        targets.preconnect();
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
        if (sentinels != null) {
            sentinels.close(); // first: nothing may move a server that is closing
        }
        targets.close(reason);
    }
}
