package io.rproxy.harness;

import java.util.stream.Stream;

/**
 * Real redis-servers behind one in-process rproxy pool ({@link RunningProxy#POOL}, servers named redis1, ...),
 * the setup most integration test classes share. Closing it stops the proxy, then the servers.
 */
public final class ProxiedServers implements AutoCloseable {
    private final RedisServer[] redis;
    private final RunningProxy proxy;

    private ProxiedServers(RedisServer[] redis, RunningProxy proxy) {
        this.redis = redis;
        this.proxy = proxy;
    }

    /** @param poolKeys further pool keys, TOML lines such as {@code hash_tag = "{}"} */
    public static ProxiedServers start(int servers, String poolKeys) {
        RedisServer[] redis = new RedisServer[servers];
        try {
            for (int i = 0; i < servers; i++) {
                redis[i] = RedisServer.start();
            }
            return new ProxiedServers(redis, RunningProxy.startPool(poolKeys, redis));
        } catch (RuntimeException e) {
            Stream.of(redis).filter(r -> r != null).forEach(RedisServer::close);
            throw e;
        }
    }

    public RedisServer[] redis() {
        return redis.clone();
    }

    public RunningProxy proxy() {
        return proxy;
    }

    /** Empties every server, so that each test starts from nothing. */
    public void flushAll() {
        Stream.of(redis).forEach(RedisServer::flushAll);
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } finally {
            Stream.of(redis).forEach(RedisServer::close);
        }
    }
}
