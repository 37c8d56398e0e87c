package io.rproxy.config;

import io.rproxy.routing.Distribution;
import io.rproxy.routing.HashFunction;
import io.rproxy.routing.HashTag;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One {@code [pools.NAME]} table, with twemproxy's keys and defaults (see conf/rproxy.example.toml).
 *
 * @param timeout            per-request deadline; empty means wait forever, as twemproxy does
 * @param serverRetryTimeout how long an ejected server stays out of the distribution
 */
public record PoolConfig(
        String name,
        HostPort listen,
        HashFunction hash,
        Optional<HashTag> hashTag,
        Distribution distribution,
        Optional<Duration> timeout,
        int backlog,
        Optional<String> redisAuth,
        int redisDb,
        boolean preconnect,
        int serverConnections,
        boolean autoEjectHosts,
        Duration serverRetryTimeout,
        int serverFailureLimit,
        boolean tcpKeepalive,
        boolean reusePort,
        List<ServerSpec> servers) {

    public PoolConfig {
        servers = List.copyOf(servers);
    }
}
