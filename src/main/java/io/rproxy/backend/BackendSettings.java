package io.rproxy.backend;

import io.rproxy.config.PoolConfig;
import io.rproxy.config.ServerTlsConfig;
import io.rproxy.resp.RespLimits;
import io.rproxy.tls.ServerTls;
import java.time.Duration;
import java.util.Optional;

/**
 * What every connection to one pool's servers needs to know: the handshake (AUTH, SELECT), timeouts, liveness
 * rules and socket options.
 *
 * @param timeout        per-request deadline; empty means wait forever
 * @param connectTimeout bound on connect plus handshake, on a recovery probe, and on how long a request waits
 *                       for the probe it started
 * @param outboxCapacity requests that may wait for a connection's writer before senders block (backpressure)
 * @param maxDedicatedConnections the pool's {@code max_dedicated_connections}: leases one server allows at once
 * @param requireMaster  the handshake asks ROLE and refuses a server that is not a master (a Sentinel pool's: a
 *                       demoted master or a stale answer must never be written to)
 * @param tls            the pool's {@code server_tls}: every connection to its servers shakes hands over TLS first
 *                       (within the connect timeout); empty for plain TCP
 */
public record BackendSettings(Optional<String> password, int database, Optional<Duration> timeout,
                              Duration connectTimeout, boolean tcpKeepAlive, RespLimits limits, int outboxCapacity,
                              boolean autoEject, int failureLimit, Duration retryTimeout,
                              int maxDedicatedConnections, boolean requireMaster, Optional<ServerTls> tls) {
    /** Used when a pool sets no timeout: a connect to a dead host must not hang a client forever. */
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /** Settings with the default bound on dedicated connections. */
    public BackendSettings(Optional<String> password, int database, Optional<Duration> timeout,
                           Duration connectTimeout, boolean tcpKeepAlive, RespLimits limits, int outboxCapacity,
                           boolean autoEject, int failureLimit, Duration retryTimeout) {
        this(password, database, timeout, connectTimeout, tcpKeepAlive, limits, outboxCapacity, autoEject,
                failureLimit, retryTimeout, PoolConfig.DEFAULT_MAX_DEDICATED_CONNECTIONS, false, Optional.empty());
    }

    public static BackendSettings of(PoolConfig pool, RespLimits limits) {
        return new BackendSettings(pool.redisAuth(), pool.redisDb(), pool.timeout(),
                pool.timeout().orElse(DEFAULT_CONNECT_TIMEOUT), pool.tcpKeepalive(), limits, 4096,
                pool.autoEjectHosts(), pool.serverFailureLimit(), pool.serverRetryTimeout(),
                pool.maxDedicatedConnections(), pool.sentinel().isPresent(),
                pool.tls().servers().map(ServerTlsConfig::context));
    }

    /** The same settings with ejection off (a Redis Cluster's nodes: the cluster fails a master over itself). */
    public BackendSettings withoutEjection() {
        return new BackendSettings(password, database, timeout, connectTimeout, tcpKeepAlive, limits, outboxCapacity,
                false, failureLimit, retryTimeout, maxDedicatedConnections, requireMaster, tls);
    }

    /**
     * Settings for a connection to a node that is not one of the pool's servers (a Sentinel): its own password,
     * database 0, no ROLE check, plain TCP (server_tls is for the pool's servers: a Sentinel is reached without
     * TLS); timeouts and socket options as the pool's.
     */
    public BackendSettings forNode(Optional<String> nodePassword) {
        return new BackendSettings(nodePassword, 0, timeout, connectTimeout, tcpKeepAlive, limits, outboxCapacity,
                false, failureLimit, retryTimeout, maxDedicatedConnections, false, Optional.empty());
    }
}
