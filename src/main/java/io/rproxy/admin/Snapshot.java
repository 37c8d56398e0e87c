package io.rproxy.admin;

import io.rproxy.backend.BackendServer;
import io.rproxy.backend.ServerState;
import io.rproxy.backend.ServerStats;
import io.rproxy.backend.ServerStatus;
import io.rproxy.routing.SlotMap;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.ProxyConfig;
import io.rproxy.config.ServerSpec;
import io.rproxy.proxy.Pool;
import io.rproxy.proxy.PoolStats;
import io.rproxy.sentinel.Sentinels;
import io.rproxy.sentinel.SentinelStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * What the admin port reports about a running rproxy, taken at one moment: STATUS, STATS and /metrics are each
 * rendered from one snapshot. Server states are copied; counters are read live (LongAdder sums) while rendering,
 * which is as consistent as counters updated by many threads can be.
 *
 * @param source   the host name, as twemproxy reports it in its stats
 * @param active   the configuration running now
 * @param staged   the configuration staged by LOAD for the next commit; null when none is
 * @param openFiles the process's open descriptors and their limit, as of {@code now}
 */
public record Snapshot(String version, String source, Instant startedAt, Instant now, LoadedConfig active,
                       LoadedConfig staged, List<PoolSample> pools, OpenFiles openFiles) {
    public Snapshot {
        pools = List.copyOf(pools);
    }

    /** A snapshot with the open descriptors read now. */
    public Snapshot(String version, String source, Instant startedAt, Instant now, LoadedConfig active,
                    LoadedConfig staged, List<PoolSample> pools) {
        this(version, source, startedAt, now, active, staged, pools, OpenFiles.now());
    }

    public Duration uptime() {
        return Duration.between(startedAt, now);
    }

    /** A configuration as the admin port shows it: where it came from, its digest, when it was loaded. */
    public record LoadedConfig(ProxyConfig config, Instant loadedAt) {
        /** Hex sha256 of the file's text (UTF-8), so two hosts can tell whether they run the same file. */
        public String sha256() {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256")
                        .digest(config.text().getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
    }

    /**
     * One running pool: its configuration, client-side counters and servers (a cluster pool's: its masters now).
     *
     * @param clusterMap a cluster pool's slot map as last read; null for other pools
     * @param sentinel   a Sentinel pool's sentinels and masters now; null for other pools
     */
    public record PoolSample(PoolConfig config, PoolStats stats, List<ServerSample> servers, SlotMap clusterMap,
                             SentinelStatus sentinel) {
        public PoolSample {
            servers = List.copyOf(servers);
        }

        public PoolSample(PoolConfig config, PoolStats stats, List<ServerSample> servers) {
            this(config, stats, servers, null, null);
        }

        public static PoolSample of(Pool pool) {
            return new PoolSample(pool.config(), pool.stats(),
                    pool.servers().stream().map(ServerSample::of).toList(),
                    pool.targets().slotMap().orElse(null), pool.sentinels().map(Sentinels::status).orElse(null));
        }

        public String name() {
            return config.name();
        }

        /** Requests the proxy could not have answered by a server: no live server, or its connection failed. */
        public long forwardErrors() {
            return stats.noServerErrors() + servers.stream().mapToLong(s -> s.stats().errors()).sum();
        }

        public long ejections() {
            return servers.stream().mapToLong(s -> s.stats().ejections()).sum();
        }

        public long serverConnections() {
            return servers.stream().mapToLong(s -> s.stats().openConnections()).sum();
        }
    }

    /** One server of a pool: its configuration line, its state now and its counters. */
    public record ServerSample(ServerSpec spec, ServerStatus status, ServerStats stats) {
        static ServerSample of(BackendServer server) {
            return new ServerSample(server.spec(), server.status(), server.stats());
        }

        /** The server's name as configured, else host:port: what twemproxy's stats key it by. */
        public String name() {
            return spec.identity();
        }

        public boolean up() {
            return status.state() == ServerState.UP;
        }
    }
}
