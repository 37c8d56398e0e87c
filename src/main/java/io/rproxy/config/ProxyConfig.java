package io.rproxy.config;

import io.rproxy.resp.RespLimits;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A whole validated configuration, built once from one file (TOML, or a nutcracker.yml) and never changed: a
 * reload builds a new one.
 *
 * @param source the file it was read from
 * @param text   the file's text as read, for {@code CONFIG ACTIVE} and its sha256
 * @param pools  by name, in file order
 * @param format the file's language; a YAML file has no place for admin, limits and metrics
 * @param maxmemoryClients bytes of replies all clients together may leave unread before the clients holding the
 *                         most are disconnected, as Redis's maxmemory-clients; 0 for no limit
 */
public record ProxyConfig(Path source, String text, AdminConfig admin, RespLimits limits,
                          Map<String, PoolConfig> pools, MetricsConfig metrics, ConfigFormat format,
                          long maxmemoryClients) {
    /** Of the JVM's maximum heap: room for replies beside everything else a proxy holds. */
    public static final int DEFAULT_MAXMEMORY_CLIENTS_PERCENT = 25;

    public ProxyConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(format, "format");
        if (maxmemoryClients < 0) {
            throw new IllegalArgumentException("maxmemoryClients must be >= 0 (0 for none), got " + maxmemoryClients);
        }
        pools.forEach((name, pool) -> {
            if (!name.equals(pool.name())) {
                throw new IllegalArgumentException("pool '" + pool.name() + "' filed under '" + name + "'");
            }
        });
        pools = Collections.unmodifiableMap(new LinkedHashMap<>(pools));
    }

    /** A configuration with the default maxmemory_clients. */
    public ProxyConfig(Path source, String text, AdminConfig admin, RespLimits limits,
                       Map<String, PoolConfig> pools, MetricsConfig metrics, ConfigFormat format) {
        this(source, text, admin, limits, pools, metrics, format, defaultMaxmemoryClients());
    }

    /** A configuration read from TOML, with the default maxmemory_clients. */
    public ProxyConfig(Path source, String text, AdminConfig admin, RespLimits limits,
                       Map<String, PoolConfig> pools, MetricsConfig metrics) {
        this(source, text, admin, limits, pools, metrics, ConfigFormat.TOML);
    }

    /** {@value #DEFAULT_MAXMEMORY_CLIENTS_PERCENT}% of this JVM's maximum heap. */
    public static long defaultMaxmemoryClients() {
        return Runtime.getRuntime().maxMemory() / 100 * DEFAULT_MAXMEMORY_CLIENTS_PERCENT;
    }

    /**
     * What a reload to this configuration should run with. A nutcracker.yml says nothing about the admin port,
     * the stats port, metrics or limits, so loading one keeps those of {@code active} (e.g. the stats port given
     * to {@code rproxy nutcracker -s}); a TOML file says it all.
     */
    public ProxyConfig keepingEndpointsOf(ProxyConfig active) {
        return format == ConfigFormat.TOML ? this
                : new ProxyConfig(source, text, active.admin(), active.limits(), pools, active.metrics(), format,
                        active.maxmemoryClients());
    }

    /** The same pools with these admin and stats addresses (what {@code rproxy nutcracker} gives a YAML file). */
    public ProxyConfig withAdmin(AdminConfig replacement) {
        return new ProxyConfig(source, text, replacement, limits, pools, metrics, format, maxmemoryClients);
    }

    /** A configuration without a metrics endpoint. */
    public ProxyConfig(Path source, String text, AdminConfig admin, RespLimits limits,
                       Map<String, PoolConfig> pools) {
        this(source, text, admin, limits, pools, MetricsConfig.DISABLED, ConfigFormat.TOML);
    }
}
