package io.rproxy.config;

import io.rproxy.resp.RespLimits;
import java.nio.file.Path;
import java.util.Map;

/**
 * A whole validated configuration, built once from one TOML file and never changed: a reload builds a new one.
 *
 * @param source the file it was read from
 * @param text   the file's text as read, for {@code CONFIG ACTIVE} and its sha256
 * @param pools  by name, in file order
 */
public record ProxyConfig(Path source, String text, AdminConfig admin, RespLimits limits,
                          Map<String, PoolConfig> pools) {
    public ProxyConfig {
        pools = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(pools));
    }
}
