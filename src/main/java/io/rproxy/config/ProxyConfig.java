package io.rproxy.config;

import io.rproxy.resp.RespLimits;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A whole validated configuration, built once from one TOML file and never changed: a reload builds a new one.
 *
 * @param source the file it was read from
 * @param text   the file's text as read, for {@code CONFIG ACTIVE} and its sha256
 * @param pools  by name, in file order
 */
public record ProxyConfig(Path source, String text, AdminConfig admin, RespLimits limits,
                          Map<String, PoolConfig> pools, MetricsConfig metrics) {
    public ProxyConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(metrics, "metrics");
        pools.forEach((name, pool) -> {
            if (!name.equals(pool.name())) {
                throw new IllegalArgumentException("pool '" + pool.name() + "' filed under '" + name + "'");
            }
        });
        pools = Collections.unmodifiableMap(new LinkedHashMap<>(pools));
    }

    /** A configuration without a metrics endpoint. */
    public ProxyConfig(Path source, String text, AdminConfig admin, RespLimits limits,
                       Map<String, PoolConfig> pools) {
        this(source, text, admin, limits, pools, MetricsConfig.DISABLED);
    }
}
