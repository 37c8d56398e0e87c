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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pool at run time: its configuration, its servers and the router that maps keys onto them.
 * Shared by every client session of the pool.
 */
final class Pool {
    private final PoolConfig config;
    private final RespLimits limits;
    private final List<BackendServer> servers;
    private volatile Router router;
    /** Client connections open now, for INFO. */
    private final AtomicInteger clients = new AtomicInteger();
    /** The port the pool's listener bound (the configured one, unless that was 0); 0 before it is bound. */
    private volatile int port;

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

    PoolConfig config() {
        return config;
    }

    String name() {
        return config.name();
    }

    RespLimits limits() {
        return limits;
    }

    /** Index of the server that owns the key at {@code frame[offset, offset+length)}; -1 when none is live. */
    int route(byte[] frame, int offset, int length) {
        return router.route(frame, offset, length);
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

    void clientConnected() {
        clients.incrementAndGet();
    }

    void clientDisconnected() {
        clients.decrementAndGet();
    }

    int clientCount() {
        return clients.get();
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
