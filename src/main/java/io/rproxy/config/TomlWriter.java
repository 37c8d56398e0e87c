package io.rproxy.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.tomlj.Toml;
import org.tomlj.TomlArray;

/**
 * Writes a validated nutcracker.yml as the equivalent TOML ({@code rproxy convert}): one {@code [pools.NAME]}
 * table per pool, each key with a comment saying what it means, the keys the YAML sets with their values and the
 * others commented out with their defaults, so a user can move to TOML when they want to. Loading the result gives
 * the same pools. Stateless; any thread may call it.
 */
public final class TomlWriter {
    /** Every pool key in the order written, with what it means. */
    private static final Map<String, String> MEANINGS = meanings();

    private TomlWriter() {
    }

    /**
     * @param config a configuration read from YAML (its text is read again for which keys it sets)
     * @param header lines to start with, e.g. which file and which rproxy version
     */
    public static String fromYaml(ProxyConfig config, String header) {
        if (config.format() != ConfigFormat.YAML) {
            throw new IllegalArgumentException(config.source() + " is TOML already");
        }
        Problems problems = new Problems(config.source().toString());
        StringBuilder out = new StringBuilder();
        header.lines().forEach(line -> out.append("# ").append(line).append('\n'));
        out.append("""
                #
                # Every key of each pool below has the name, meaning and default it has in nutcracker.yml; keys the
                # YAML file left out are commented out with their default. All keys: conf/rproxy.example.toml.
                #
                # The YAML file had no admin port settings, so rproxy's defaults apply; uncomment to change them.
                # [admin]
                # listen = "127.0.0.1:22222"
                # stats_listen = "0.0.0.0:22222"   # nutcracker's stats port (-s/-a), if exporters read it

                """);
        for (YamlDocument.Pool pool : YamlDocument.read(config.text(), problems)) {
            pool(out, new YamlTable(pool, problems), pool.name());
        }
        return out.toString();
    }

    private static void pool(StringBuilder out, YamlTable values, String name) {
        out.append("[pools.").append(Toml.joinKeyPath(List.of(name))).append("]\n");
        for (String key : MEANINGS.keySet()) {
            out.append("# ").append(MEANINGS.get(key)).append('\n');
            Object value = values.get(List.of(key));
            if (value != null) {
                out.append(key).append(" = ").append(literal(value)).append('\n');
            } else {
                out.append("# ").append(key).append(" = ").append(defaultOf(key)).append('\n');
            }
        }
        // Keys rproxy knows that this list does not describe (newer ones): written as they are.
        for (String key : values.keySet()) {
            if (!MEANINGS.containsKey(key)) {
                out.append(key).append(" = ").append(literal(values.get(List.of(key)))).append('\n');
            }
        }
        out.append('\n');
    }

    private static String literal(Object value) {
        return switch (value) {
            case String s -> quoted(s);
            case TomlArray a -> a.toList().stream().map(item -> "    " + quoted((String) item) + ",\n")
                    .collect(Collectors.joining("", "[\n", "]"));
            default -> value.toString();
        };
    }

    private static String quoted(String s) {
        return "\"" + Toml.tomlEscape(s) + "\"";
    }

    /** What an absent key means, written as TOML, or a note where it has no value. */
    private static String defaultOf(String key) {
        return switch (key) {
            case "hash" -> quoted(PoolConfig.DEFAULT_HASH.configName());
            case "distribution" -> quoted(PoolConfig.DEFAULT_DISTRIBUTION.configName());
            case "hash_tag" -> "\"{}\"   (not set: the whole key is hashed)";
            case "timeout" -> "400   (not set: wait forever)";
            case "backlog" -> Integer.toString(PoolConfig.DEFAULT_BACKLOG);
            case "client_connections" -> Integer.toString(PoolConfig.DEFAULT_CLIENT_CONNECTIONS);
            case "redis_auth" -> "\"...\"   (not set: no AUTH)";
            case "redis_db" -> Integer.toString(PoolConfig.DEFAULT_REDIS_DB);
            case "server_connections" -> Integer.toString(PoolConfig.DEFAULT_SERVER_CONNECTIONS);
            case "server_retry_timeout" -> Long.toString(PoolConfig.DEFAULT_SERVER_RETRY_TIMEOUT.toMillis());
            case "server_failure_limit" -> Integer.toString(PoolConfig.DEFAULT_SERVER_FAILURE_LIMIT);
            default -> "false"; // the booleans; listen and servers are required, redis is always set
        };
    }

    private static Map<String, String> meanings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("listen", "Address clients connect to, \"host:port\".");
        m.put("hash", "Hash function applied to each key (or its hash tag) to choose a server.");
        m.put("hash_tag", "Two characters around the part of a key that is hashed, e.g. \"{}\".");
        m.put("distribution", "How hashes map to servers: ketama (consistent hashing), modula or random.");
        m.put("timeout", "Per-request timeout in milliseconds; a timed-out request fails and closes its connection.");
        m.put("backlog", "Backlog of the listening socket.");
        m.put("client_connections", "Most clients served at once; 0 for no limit. One more is closed on connect.");
        m.put("redis", "The Redis protocol (rproxy speaks nothing else).");
        m.put("redis_auth", "Password sent with AUTH on every new server connection.");
        m.put("redis_db", "Database selected (SELECT) on every new server connection when above 0.");
        m.put("server_connections", "Connections to each server; requests of all clients are pipelined on them.");
        m.put("preconnect", "Connect to the servers at start-up instead of on the first request.");
        m.put("auto_eject_hosts", "Take a server out of the distribution after server_failure_limit failures.");
        m.put("server_retry_timeout", "Milliseconds an ejected server stays out of the distribution.");
        m.put("server_failure_limit", "Consecutive failures that eject a server (with auto_eject_hosts).");
        m.put("tcpkeepalive", "TCP keepalive on server connections.");
        m.put("reuseport", "SO_REUSEPORT on the listening socket (several processes on one address).");
        m.put("cluster", "rproxy only: the servers are seed nodes of one Redis Cluster.");
        m.put("servers", "The servers keys are sharded over, \"host:port:weight [name]\"; order, names and weights"
                + " decide where keys live.");
        return m;
    }
}
