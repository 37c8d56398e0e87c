package io.rproxy.proxy;

import io.rproxy.backend.BackendServer;
import io.rproxy.backend.BackendSettings;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.ServerSpec;
import io.rproxy.resp.RespLimits;
import io.rproxy.routing.Router;
import io.rproxy.routing.WeightedServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One pool at run time: its configuration, its servers, the router that maps keys onto them and its client-side
 * counters. Shared by every client session of the pool; the admin port reads its configuration, servers and
 * stats.
 */
public final class Pool {
    private final PoolConfig config;
    private final RespLimits limits;
    private final List<BackendServer> servers;
    private final PoolStats stats = new PoolStats();
    private volatile Router router;

    Pool(PoolConfig config, RespLimits limits) {
        this.config = config;
        this.limits = limits;
        BackendSettings settings = BackendSettings.of(config, limits);
        List<BackendServer> built = new ArrayList<>();
        for (ServerSpec spec : config.servers()) {
            built.add(new BackendServer(config.name(), spec, config.serverConnections(), settings));
        }
        this.servers = List.copyOf(built);
        this.router = new Router(config.hash(), config.distribution(), config.hashTag().orElse(null),
                weighted(config.servers()), new Random());
    }

    private static List<WeightedServer> weighted(List<ServerSpec> specs) {
        List<WeightedServer> list = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            list.add(new WeightedServer(i, specs.get(i).identity(), specs.get(i).weight()));
        }
        return list;
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

    void preconnect() {
        if (config.preconnect()) {
            servers.forEach(BackendServer::preconnect);
        }
    }

    void close(String reason) {
        servers.forEach(s -> s.close(reason));
    }
}
