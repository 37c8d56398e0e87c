package io.rproxy.harness;

import io.rproxy.Rproxy;
import io.rproxy.config.ConfigLoader;
import io.rproxy.config.ProxyConfig;
import io.rproxy.proxy.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import redis.clients.jedis.Jedis;

/**
 * An rproxy running inside the test JVM, started from TOML text exactly as {@code bin/rproxy run} starts it from
 * a file (admin port included), on free loopback ports. Closing it stops it as SIGTERM would.
 */
public final class RunningProxy implements AutoCloseable {
    /** The pool that {@link #startPool} creates. */
    public static final String POOL = "test";

    private final Rproxy rproxy;
    private final Proxy proxy;

    private RunningProxy(Rproxy rproxy) {
        this.rproxy = rproxy;
        this.proxy = rproxy.proxy();
    }

    /** Starts a proxy from a whole configuration text. */
    public static RunningProxy start(String toml) {
        return start(toml, null);
    }

    /** As {@link #start(String)}, with the random distribution drawing from {@code random}. */
    public static RunningProxy start(String toml, RandomGenerator random) {
        ProxyConfig config = ConfigLoader.parse(toml, Path.of("test.toml"));
        return new RunningProxy(Rproxy.start(config, Clock.systemUTC(), random));
    }

    /**
     * Starts a proxy from a loaded configuration (a nutcracker.yml, say), its admin port moved to a free port so
     * that tests running side by side do not meet on the default one.
     */
    public static RunningProxy start(ProxyConfig config) {
        ProxyConfig onFreePort = config.withAdmin(new io.rproxy.config.AdminConfig(
                new io.rproxy.config.HostPort("127.0.0.1", FreePorts.pick()), config.admin().password(),
                config.admin().statsListen()));
        return new RunningProxy(Rproxy.start(onFreePort, Clock.systemUTC(), null));
    }

    /**
     * Starts a proxy with one pool named {@value #POOL} over the given servers, named redis1, redis2, ... with
     * weight 1, plus any further pool keys in {@code poolKeys} (TOML lines such as {@code hash = "md5"}).
     */
    public static RunningProxy startPool(String poolKeys, RedisServer... servers) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < servers.length; i++) {
            lines.add("\"" + servers[i].address() + ":1 redis" + (i + 1) + "\"");
        }
        return start(poolToml(POOL, FreePorts.pick(), poolKeys, lines));
    }

    /** One {@code [pools.NAME]} table plus an admin address, both on free ports. */
    public static String poolToml(String pool, int port, String poolKeys, List<String> quotedServerLines) {
        return "[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n\n"
                + "[pools." + pool + "]\n"
                + "listen = \"127.0.0.1:" + port + "\"\n"
                + "servers = [" + String.join(", ", quotedServerLines) + "]\n"
                + poolKeys + "\n";
    }

    public Proxy proxy() {
        return proxy;
    }

    /** The whole running rproxy: the proxy and its admin port, stats port and metrics endpoint. */
    public Rproxy rproxy() {
        return rproxy;
    }

    /** The admin port. */
    public int adminPort() {
        return rproxy.adminPort();
    }

    /** The port of the pool {@value #POOL} (or of the only pool). */
    public int port() {
        return proxy.port(proxy.config().pools().keySet().iterator().next());
    }

    public int port(String pool) {
        return proxy.port(pool);
    }

    /** A Jedis client of the first pool, with a generous timeout so that a hang fails the test, not the build. */
    public Jedis jedis() {
        return new Jedis("127.0.0.1", port(), 10_000);
    }

    @Override
    public void close() {
        rproxy.stop(Duration.ofSeconds(5));
    }
}
