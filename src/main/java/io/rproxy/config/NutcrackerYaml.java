package io.rproxy.config;

import io.rproxy.resp.RespLimits;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a nutcracker.yml as it is: every pool with every key nutcracker knows (see {@link YamlTable} for how
 * values are typed), validated by the same {@link PoolReader} as a TOML pool, problems reported as
 * {@code file:line: pool.key: message}. The file has no place for the admin port, stats port, metrics or limits:
 * those are {@code admin} (from the command line) and the defaults. Stateless; any thread may call it.
 */
final class NutcrackerYaml {
    private NutcrackerYaml() {
    }

    static ProxyConfig parse(String text, Path source, AdminConfig admin) {
        Problems problems = new Problems(source.toString());
        List<YamlDocument.Pool> read = YamlDocument.read(text.startsWith("\uFEFF") ? text.substring(1) : text,
                problems);
        ListenAddresses listeners = new ListenAddresses();
        listeners.reserve(admin.listen(), "the admin port");
        admin.statsListen().ifPresent(stats -> listeners.reserve(stats, "the stats port"));
        if (read.isEmpty() && problems.count() == 0) {
            problems.add(0, "", "no pools defined; add at least one pool (name:, then listen: and servers:)");
        }
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        for (YamlDocument.Pool pool : read) {
            if (!pool.values().containsKey("redis")) {
                // nutcracker's default is redis: false, a memcached pool; taking it for Redis would be wrong.
                problems.add(pool.line(), pool.name() + ".redis", "missing; nutcracker takes a pool without"
                        + " 'redis: true' for a memcached pool, and rproxy proxies Redis only: add 'redis: true'"
                        + " if its servers are Redis servers");
            }
            TableReader table = new TableReader(new YamlTable(pool, problems), List.of(pool.name()), pool.line(),
                    problems);
            for (String key : List.of("tls", "server_tls")) {
                if (table.has(key)) {
                    table.problem(key, "TLS is set in rproxy's TOML only ([pools." + pool.name() + "." + key
                            + "] tables); convert this file with 'rproxy convert' and add it there");
                }
            }
            Optional<PoolConfig> config = new PoolReader(table, listeners, PoolTls.NONE).read(pool.name(), problems);
            config.ifPresent(c -> pools.put(pool.name(), c));
        }
        problems.throwIfAny();
        return new ProxyConfig(source, text, admin, RespLimits.DEFAULT, pools, MetricsConfig.DISABLED,
                ConfigFormat.YAML);
    }
}
