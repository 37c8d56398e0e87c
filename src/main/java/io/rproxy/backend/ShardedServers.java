package io.rproxy.backend;

import io.rproxy.config.PoolConfig;
import io.rproxy.config.ServerSpec;
import io.rproxy.resp.Reply;
import io.rproxy.routing.Router;
import io.rproxy.routing.WeightedServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;
import java.util.random.RandomGenerator;

/**
 * The targets of a pool of independent servers, as twemproxy shards them: a target is a server's index in the
 * configuration, chosen by the pool's hash, distribution and hash tag over the servers that are not ejected.
 * Keys of an ejected server move to the others exactly as twemproxy moves them (it rebuilds its continuum the
 * same way). A Sentinel pool is one of these too: its servers are masters whose addresses Sentinel gives, each
 * placed by its name, so a failover moves no key.
 *
 * <p>Client threads route and send; a server's connection or probe thread rebuilds the router when it is
 * ejected or comes back.
 */
public final class ShardedServers implements Targets {
    private static final Reply CROSSSLOT = Reply.error("CROSSSLOT Keys in request don't hash to the same server");

    private final PoolConfig config;
    private final RandomGenerator random;
    private final List<BackendServer> servers;
    /** Guards rebuilding the router, so that concurrent ejections cannot install a stale live set last. */
    private final ReentrantLock routerLock = new ReentrantLock();
    private volatile Router router;

    /** @param random for the random distribution; null means a ThreadLocalRandom per client thread */
    public ShardedServers(PoolConfig config, BackendSettings settings, BackendRuntime runtime,
                          RandomGenerator random) {
        this(config, config.servers(), java.util.Collections.nCopies(config.servers().size(), null), settings,
                runtime, random);
    }

    /**
     * Servers other than the configuration's lines: a Sentinel pool's masters at the addresses Sentinel gave.
     *
     * @param specs     the servers in configuration order; their names place the keys
     * @param addresses for each server where it is found before each attempt to reach it (null: a fixed address)
     */
    public ShardedServers(PoolConfig config, List<ServerSpec> specs, List<AddressSource> addresses,
                          BackendSettings settings, BackendRuntime runtime, RandomGenerator random) {
        this.config = config;
        this.random = random;
        List<BackendServer> built = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            built.add(new BackendServer(config.name(), specs.get(i), config.serverConnections(), settings, runtime,
                    this::rebuildRouter, addresses.get(i)));
        }
        this.servers = List.copyOf(built);
        rebuildRouter();
    }

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

    @Override
    public int of(byte[] frame, int offset, int length) {
        int server = router.route(frame, offset, length);
        return server < 0 ? NONE : server;
    }

    @Override
    public int any(long clientId) {
        return (int) Math.floorMod(clientId, (long) servers.size());
    }

    @Override
    public PendingReply send(int target, byte[] frame, Sender sender) {
        BackendRequest request = new BackendRequest(frame);
        servers.get(target).send(request, sender);
        return request;
    }

    @Override
    public List<Integer> everyTarget() {
        return IntStream.range(0, servers.size()).boxed().toList();
    }

    @Override
    public DedicatedConnection lease(int target) {
        return servers.get(target).lease();
    }

    @Override
    public String describe(int target) {
        return servers.get(target).spec().describe();
    }

    @Override
    public Reply crossSlot() {
        return CROSSSLOT;
    }

    @Override
    public List<BackendServer> servers() {
        return servers;
    }

    @Override
    public void preconnect() {
        if (config.preconnect()) {
            servers.forEach(BackendServer::preconnect);
        }
    }

    @Override
    public void close(String reason) {
        servers.forEach(s -> s.close(reason));
    }
}
