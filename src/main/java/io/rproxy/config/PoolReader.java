package io.rproxy.config;

import io.rproxy.command.CommandTable;
import io.rproxy.routing.Distribution;
import io.rproxy.routing.HashFunction;
import io.rproxy.routing.HashTag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.tomlj.TomlArray;

/**
 * Reads one {@code [pools.NAME]} table into a {@link PoolConfig}, recording every problem it finds. Keys and
 * defaults are twemproxy's (nc_conf.c); see conf/rproxy.example.toml. Used by one thread, for one load.
 */
final class PoolReader {
    static final List<String> KEYS = List.of(
            "listen", "hash", "hash_tag", "distribution", "timeout", "backlog", "redis", "redis_auth", "redis_db",
            "server_connections", "preconnect", "auto_eject_hosts", "server_retry_timeout",
            "server_failure_limit", "tcpkeepalive", "reuseport", "servers", "cluster", "client_connections",
            "client_output_buffer_limit", "client_query_buffer_limit", "deny_commands",
            "max_dedicated_connections", "sentinels", "sentinel_password", "tls", "server_tls");
    /** Keys that place keys on independent servers; a Redis Cluster places them itself. */
    private static final List<String> NOT_FOR_CLUSTER = List.of("hash", "distribution", "hash_tag");

    private static final String SERVER_FORMAT = "\"host:port:weight [name]\"";

    private final TableReader table;
    private final ListenAddresses listeners;
    /** The pool's tls and server_tls tables, read by {@link TlsReader} (their problems are recorded already). */
    private final PoolTls tls;

    PoolReader(TableReader table, ListenAddresses listeners, PoolTls tls) {
        this.table = table;
        this.listeners = listeners;
        this.tls = tls;
    }

    /**
     * The pool, or empty if anything about it was wrong (each thing recorded in {@code problems}).
     *
     * @param problems the same collector {@code table} records into, to tell whether this pool added any
     */
    Optional<PoolConfig> read(String name, Problems problems) {
        int before = problems.count();
        if (!PoolConfig.isValidName(name)) {
            problems.add(table.line(), table.dotted(), "pool name '" + name
                    + "' may only contain letters, digits, '_' and '-'");
        }
        table.rejectUnknownKeys(KEYS);
        Optional<HostPort> listen = listeners.read(table, "listen");
        if (!table.has("listen")) {
            table.missing("listen", "every pool needs the address its clients connect to, e.g. \"127.0.0.1:22121\"");
        }
        HashFunction hash = hash().orElse(PoolConfig.DEFAULT_HASH);
        Optional<HashTag> hashTag = hashTag();
        Distribution distribution = distribution().orElse(PoolConfig.DEFAULT_DISTRIBUTION);
        Optional<Duration> timeout = table.integer("timeout", 1).map(Duration::ofMillis);
        int backlog = table.integer("backlog", 1).orElse(PoolConfig.DEFAULT_BACKLOG);
        checkRedis();
        Optional<String> redisAuth = nonEmptyString("redis_auth");
        int redisDb = table.integer("redis_db", 0).orElse(PoolConfig.DEFAULT_REDIS_DB);
        int serverConnections = table.integer("server_connections", 1)
                .orElse(PoolConfig.DEFAULT_SERVER_CONNECTIONS);
        boolean preconnect = table.bool("preconnect").orElse(false);
        boolean autoEject = table.bool("auto_eject_hosts").orElse(false);
        Duration retry = table.integer("server_retry_timeout", 1).map(Duration::ofMillis)
                .orElse(PoolConfig.DEFAULT_SERVER_RETRY_TIMEOUT);
        int failureLimit = table.integer("server_failure_limit", 1)
                .orElse(PoolConfig.DEFAULT_SERVER_FAILURE_LIMIT);
        boolean tcpKeepalive = table.bool("tcpkeepalive").orElse(false);
        boolean reusePort = table.bool("reuseport").orElse(false);
        boolean cluster = table.bool("cluster").orElse(false);
        int clientConnections = table.integer("client_connections", 0).orElse(PoolConfig.DEFAULT_CLIENT_CONNECTIONS);
        long outputLimit = table.bytes("client_output_buffer_limit", 0)
                .orElse(PoolConfig.DEFAULT_CLIENT_OUTPUT_BUFFER_LIMIT);
        long queryLimit = table.bytes("client_query_buffer_limit", 0)
                .orElse(PoolConfig.DEFAULT_CLIENT_QUERY_BUFFER_LIMIT);
        Set<String> denied = denyCommands();
        int maxDedicated = table.integer("max_dedicated_connections", 1)
                .orElse(PoolConfig.DEFAULT_MAX_DEDICATED_CONNECTIONS);
        SentinelReader sentinels = new SentinelReader(table);
        Optional<SentinelConfig> sentinel = sentinels.read(cluster, autoEject);
        // A Sentinel pool's servers are master names, read with its other Sentinel keys.
        List<ServerSpec> servers = cluster ? seeds() : sentinels.present() ? List.of() : servers();
        if (problems.count() > before || listen.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PoolConfig(name, listen.get(), hash, hashTag, distribution, timeout, backlog,
                    redisAuth, redisDb, preconnect, serverConnections, autoEject, retry, failureLimit,
                    tcpKeepalive, reusePort, servers, cluster, clientConnections, outputLimit, queryLimit, denied,
                    maxDedicated, sentinel, tls));
        } catch (IllegalArgumentException e) {
            // The checks above should have caught it; report rather than crash if they did not.
            problems.add(table.line(), table.dotted(), e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<HashFunction> hash() {
        return table.string("hash").flatMap(text -> {
            Optional<HashFunction> hash = HashFunction.byConfigName(text);
            if (hash.isEmpty()) {
                table.problem("hash", "unknown hash '" + text + "', expected one of: " + Arrays
                        .stream(HashFunction.values()).map(HashFunction::configName).collect(Collectors.joining(", ")));
            }
            return hash;
        });
    }

    private Optional<Distribution> distribution() {
        return table.string("distribution").flatMap(text -> {
            Optional<Distribution> distribution = Distribution.byConfigName(text);
            if (distribution.isEmpty()) {
                table.problem("distribution", "unknown distribution '" + text + "', expected one of: " + Arrays
                        .stream(Distribution.values()).map(Distribution::configName).collect(Collectors.joining(", ")));
            }
            return distribution;
        });
    }

    private Optional<HashTag> hashTag() {
        return table.string("hash_tag").flatMap(text -> {
            if (text.length() != 2 || text.chars().anyMatch(c -> c > 0x7f)) {
                table.problem("hash_tag", "must be exactly two ASCII characters, the opening and the closing"
                        + " delimiter (e.g. \"{}\"), got \"" + text + "\"");
                return Optional.empty();
            }
            return Optional.of(new HashTag((byte) text.charAt(0), (byte) text.charAt(1)));
        });
    }

    /**
     * deny_commands: names of the command table, case-insensitive, a subcommand as {@code "config|get"} or
     * {@code "config get"}; a name the table does not know is a problem (a typo would deny nothing).
     */
    private Set<String> denyCommands() {
        TomlArray array = table.array("deny_commands").orElse(null);
        if (array == null) {
            return Set.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof String text)) {
                table.problem("deny_commands", "entry " + (i + 1) + ": expected a command name as a string, got "
                        + TableReader.describe(array.get(i)));
                continue;
            }
            String name = text.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", "|");
            if (CommandNames.TABLE.byName(name) == null) {
                table.problem("deny_commands", "'" + text + "' is not a command of Redis "
                        + CommandNames.TABLE.redisVersion() + " (a subcommand is written \"config|get\")");
            } else {
                names.add(name);
            }
        }
        return names;
    }

    /** The command table, read once: deny_commands is checked against it at every load and reload. */
    private static final class CommandNames {
        static final CommandTable TABLE = CommandTable.load();
    }

    /** twemproxy's {@code redis: true} is accepted so nutcracker.yml translates key for key; false is not. */
    private void checkRedis() {
        if (!table.bool("redis").orElse(true)) {
            table.problem("redis", "false is not supported: rproxy speaks only the Redis protocol (no memcached);"
                    + " set it to true or leave it out");
        }
    }

    private Optional<String> nonEmptyString(String key) {
        Optional<String> value = table.string(key);
        if (value.isPresent() && value.get().isEmpty()) {
            table.problem(key, "must not be empty; leave the key out for no password");
            return Optional.empty();
        }
        return value;
    }

    /**
     * A cluster pool's servers are seed nodes ("host:port", a weight of 1 tolerated): the cluster's own slot map
     * places keys, so what only steers twemproxy's placement is refused rather than silently ignored.
     */
    private List<ServerSpec> seeds() {
        for (String key : NOT_FOR_CLUSTER) {
            if (table.has(key)) {
                table.problem(key, "means nothing in a cluster pool (cluster = true): the Redis Cluster's slot map"
                        + " decides where keys live; remove it");
            }
        }
        if (!table.has("servers")) {
            table.missing("servers", "a cluster pool needs at least one seed node, e.g. servers = [\"127.0.0.1:7000\"]");
            return List.of();
        }
        TomlArray array = table.array("servers").orElse(null);
        if (array == null) {
            return List.of();
        }
        if (array.isEmpty()) {
            table.problem("servers", "must list at least one seed node as \"host:port\"");
            return List.of();
        }
        List<ServerSpec> seeds = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            table.stringEntry("servers", array, i, "\"host:port\"").flatMap(this::parseSeed).ifPresent(seeds::add);
        }
        rejectRepeats(seeds);
        return seeds;
    }

    private Optional<ServerSpec> parseSeed(String line) {
        try {
            ServerSpec seed = ServerSpec.parseSeed(line);
            if (seed.weight() != 1) {
                table.problem("servers", "'" + line + "': weights mean nothing in a cluster pool (cluster = true);"
                        + " list seed nodes as \"host:port\"");
                return Optional.empty();
            }
            return Optional.of(seed);
        } catch (IllegalArgumentException e) {
            table.problem("servers", e.getMessage());
            return Optional.empty();
        }
    }

    private List<ServerSpec> servers() {
        if (!table.has("servers")) {
            table.missing("servers", "every pool needs at least one server, e.g. servers = [\"127.0.0.1:6379:1\"]");
            return List.of();
        }
        TomlArray array = table.array("servers").orElse(null);
        if (array == null) {
            return List.of();
        }
        if (array.isEmpty()) {
            table.problem("servers", "must list at least one server as " + SERVER_FORMAT);
            return List.of();
        }
        List<ServerSpec> servers = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            table.stringEntry("servers", array, i, SERVER_FORMAT).flatMap(this::parseServer).ifPresent(servers::add);
        }
        rejectRepeats(servers);
        return servers;
    }

    // Problems about one entry carry the line of the array: tomlj's positions for array elements are not
    // reliable (in 1.1.1 they can point at the previous element), so the entry is quoted in the message instead.
    private Optional<ServerSpec> parseServer(String line) {
        try {
            return Optional.of(ServerSpec.parse(line));
        } catch (IllegalArgumentException e) {
            table.problem("servers", e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * twemproxy refuses two servers with one name; two entries for one address are refused too, as they would
     * be two shards silently sharing one keyspace. A name equal to another server's "host:port" would give two
     * servers one identity on the ketama ring.
     */
    private void rejectRepeats(List<ServerSpec> servers) {
        Map<HostPort, ServerSpec> byAddress = new HashMap<>();
        Map<String, ServerSpec> byIdentity = new HashMap<>();
        for (ServerSpec server : servers) {
            ServerSpec sameAddress = byAddress.putIfAbsent(server.address(), server);
            if (sameAddress != null) {
                table.problem("servers", "server address " + server.address() + " is listed twice (" + sameAddress
                        .describe() + " and " + server.describe() + "): two entries for one backend would be two"
                        + " shards sharing one keyspace");
                continue;
            }
            ServerSpec sameIdentity = byIdentity.putIfAbsent(server.identity(), server);
            if (sameIdentity != null && server.name().isPresent() && sameIdentity.name().isPresent()) {
                table.problem("servers", "duplicate server name '" + server.identity() + "' (" + sameIdentity
                        .describe() + " and " + server.describe() + "); server names must be unique in a pool");
            } else if (sameIdentity != null) {
                table.problem("servers", sameIdentity.describe() + " and " + server.describe() + " would share the"
                        + " identity '" + server.identity() + "' on the hash ring; rename one");
            }
        }
    }
}
