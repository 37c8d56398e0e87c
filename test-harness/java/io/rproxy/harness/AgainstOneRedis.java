package io.rproxy.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The setup of a differential test class, as a JUnit extension: one plain redis-server (the reference, "direct")
 * and rproxy in front of a pool, either sharded over N redis-servers or a cluster pool over an N-master Redis
 * Cluster. Everything starts before the class's first test and stops after its last, in the order that leaves
 * nothing running, even when a start fails halfway. Register it on a static field:
 *
 * <pre>{@code @RegisterExtension static final AgainstOneRedis setup = AgainstOneRedis.sharded(3, "hash_tag = \"{}\"");}</pre>
 *
 * <p>A cluster pool is named {@value #CLUSTER_POOL}; a sharded pool is {@link RunningProxy#POOL}.
 */
public final class AgainstOneRedis implements BeforeAllCallback, AfterAllCallback {
    public static final String CLUSTER_POOL = "orders";

    private final Supplier<Started> starter;
    private Started started;

    /** What one start made; closed in reverse order. */
    private record Started(RedisServer direct, ProxiedServers proxied, RedisCluster cluster, RunningProxy proxy) {
        List<RedisServer> backends() {
            return proxied != null ? List.of(proxied.redis()) : cluster.masters();
        }
    }

    private AgainstOneRedis(Supplier<Started> starter) {
        this.starter = starter;
    }

    /** @param poolKeys further pool keys, TOML lines such as {@code hash_tag = "{}"} */
    public static AgainstOneRedis sharded(int servers, String poolKeys) {
        return new AgainstOneRedis(() -> {
            ProxiedServers proxied = ProxiedServers.start(servers, poolKeys);
            return new Started(startDirect(proxied), proxied, null, proxied.proxy());
        });
    }

    /** A cluster pool over a fresh cluster of {@code masters} masters without replicas. */
    public static AgainstOneRedis cluster(int masters, int timeoutMillis) {
        return new AgainstOneRedis(() -> {
            RedisCluster cluster = RedisCluster.start(masters, 0);
            RunningProxy proxy;
            try {
                proxy = RunningProxy.start("[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n\n[pools."
                        + CLUSTER_POOL + "]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\ncluster = true\n"
                        + "timeout = " + timeoutMillis + "\nservers = [" + cluster.seeds(1) + "]\n");
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            return new Started(startDirect(() -> {
                proxy.close();
                cluster.close();
            }), null, cluster, proxy);
        });
    }

    private static RedisServer startDirect(AutoCloseable started) {
        try {
            return RedisServer.start();
        } catch (RuntimeException e) {
            try {
                started.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        started = starter.get();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Started s = started;
        started = null;
        if (s == null) {
            return;
        }
        try {
            if (s.proxied() != null) {
                s.proxied().close();
            } else {
                s.proxy().close();
                s.cluster().close();
            }
        } finally {
            s.direct().close();
        }
    }

    private Started started() {
        if (started == null) {
            throw new IllegalStateException("AgainstOneRedis is used outside the tests of the class it serves");
        }
        return started;
    }

    public RunningProxy proxy() {
        return started().proxy();
    }

    /** The reference redis-server, alone, no proxy. */
    public RedisServer direct() {
        return started().direct();
    }

    /** The servers behind the proxy: the sharded pool's servers in ring order, or the cluster's masters. */
    public RedisServer[] backends() {
        return started().backends().toArray(RedisServer[]::new);
    }

    /** The sharded pool's servers and proxy; only for a {@link #sharded} setup. */
    public ProxiedServers proxied() {
        ProxiedServers proxied = started().proxied();
        if (proxied == null) {
            throw new IllegalStateException("a cluster setup has no ProxiedServers");
        }
        return proxied;
    }

    /** Only for a {@link #cluster} setup. */
    public RedisCluster cluster() {
        RedisCluster cluster = started().cluster();
        if (cluster == null) {
            throw new IllegalStateException("a sharded setup has no cluster");
        }
        return cluster;
    }

    /** The backends and the reference server: what a test compares and resets. */
    public List<RedisServer> everyServer() {
        List<RedisServer> all = new ArrayList<>(started().backends());
        all.add(direct());
        return all;
    }

    /** Empties the backends and the reference server, so that each test starts from nothing. */
    public void flushAll() {
        everyServer().forEach(RedisServer::flushAll);
    }
}
