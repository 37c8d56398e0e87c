package io.rproxy.config;

import io.rproxy.resp.RespLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;

/**
 * Reads and validates a TOML configuration (twemproxy's keys, one {@code [pools.NAME]} table per pool; see
 * conf/rproxy.example.toml), or a nutcracker.yml as it is ({@link NutcrackerYaml}), into a {@link ProxyConfig}.
 * It never stops at the first problem: a {@link ConfigException} lists them all, each with file, line and key. Stateless; each call works alone, so
 * any thread may call it (the CLI at start-up, the admin thread on reload).
 */
public final class ConfigLoader {
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
    /** What a load does with a warning (an expired certificate): logs it, in the problems' own form. */
    private static final Consumer<ConfigProblem> LOG_WARNING = warning -> log.warn("{}", warning);

    static final List<String> TOP_LEVEL_KEYS = List.of("admin", "limits", "metrics", "pools");
    static final List<String> ADMIN_KEYS = List.of("listen", "password", "stats_listen", "tls");
    static final List<String> METRICS_KEYS = List.of("listen");
    static final List<String> LIMITS_KEYS = List.of("max_bulk_len", "max_arguments", "max_inline_len",
            "maxmemory_clients");

    private final Problems problems;
    private final ListenAddresses listeners = new ListenAddresses();
    /** The folder relative paths in the file (TLS certificates and keys) are taken from: the file's own. */
    private final Path base;
    /** What certificates' validity is checked against. */
    private final Clock clock;

    private ConfigLoader(Problems problems, Path source, Clock clock) {
        this.problems = problems;
        Path parent = source.toAbsolutePath().getParent();
        this.base = parent == null ? source.toAbsolutePath() : parent;
        this.clock = clock;
    }

    /**
     * Loads and validates a file; ConfigException listing every problem (a missing file is one, and so is what
     * {@link ConfigFile} refuses to read: not a regular file, over 4 MiB, or a read that hangs for 5 s).
     */
    public static ProxyConfig load(Path file) {
        Objects.requireNonNull(file, "file");
        return parse(ConfigFile.read(file), file);
    }

    /** Loads and validates a file in {@code format} (null: {@link ConfigFormat#of} decides). */
    public static ProxyConfig load(Path file, ConfigFormat format) {
        Objects.requireNonNull(file, "file");
        return parse(ConfigFile.read(file), file, format);
    }

    /**
     * Validates the text of a TOML file or a nutcracker.yml, told apart by {@link ConfigFormat#of}; {@code source}
     * names it in messages and in {@link ProxyConfig#source()}.
     */
    public static ProxyConfig parse(String text, Path source) {
        return parse(text, source, null);
    }

    /**
     * Validates the text of a nutcracker.yml whose admin and stats ports are {@code admin} (given on the command
     * line, as {@code rproxy nutcracker -s/-a} does): no pool may listen there.
     */
    public static ProxyConfig parseYaml(String text, Path source, AdminConfig admin) {
        return NutcrackerYaml.parse(text, source, admin);
    }

    /** Validates text in {@code format}; null lets {@link ConfigFormat#of} decide. */
    public static ProxyConfig parse(String text, Path source, ConfigFormat format) {
        return parse(text, source, format, Clock.systemUTC(), LOG_WARNING);
    }

    /**
     * As {@link #parse(String, Path, ConfigFormat)}, checking certificates' validity as of {@code clock} and handing
     * each warning to {@code warnings} (the public methods log them), before any problem is thrown.
     */
    static ProxyConfig parse(String text, Path source, ConfigFormat format, Clock clock,
                             Consumer<ConfigProblem> warnings) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
        if ((format == null ? ConfigFormat.of(source, text) : format) == ConfigFormat.YAML) {
            return NutcrackerYaml.parse(text, source, AdminConfig.DEFAULT);
        }
        Problems problems = new Problems(source.toString());
        // A byte order mark is legal in a UTF-8 file but not in TOML's grammar; some editors write one.
        TomlParseResult toml = Toml.parse(text.startsWith("\uFEFF") ? text.substring(1) : text);
        for (TomlParseError error : toml.errors()) {
            TomlPosition position = error.position();
            problems.add(position == null ? 0 : position.line(), "", error.getMessage());
        }
        problems.throwIfAny();
        try {
            return new ConfigLoader(problems, source, clock).build(new TableReader(toml, List.of(), 0, problems),
                    source, text);
        } finally {
            problems.warnings().forEach(warnings);
        }
    }

    private ProxyConfig build(TableReader root, Path source, String text) {
        root.rejectUnknownKeys(TOP_LEVEL_KEYS);
        Optional<TableReader> adminTable = root.table("admin");
        if (adminTable.map(t -> !t.has("listen")).orElse(true)) {
            // The admin port binds its default address too: a pool must not take it.
            listeners.reserve(AdminConfig.DEFAULT_LISTEN, "admin.listen (by default)");
        }
        AdminConfig admin = adminTable.map(this::admin).orElse(AdminConfig.DEFAULT);
        Optional<TableReader> limitsTable = root.table("limits");
        RespLimits limits = limitsTable.map(this::limits).orElse(RespLimits.DEFAULT);
        // A share of the heap, as Redis reads a percentage of maxmemory: the replies are held on the heap.
        long maxmemoryClients = limitsTable
                .flatMap(t -> t.bytes("maxmemory_clients", 0, Runtime.getRuntime().maxMemory()))
                .orElse(ProxyConfig.defaultMaxmemoryClients());
        MetricsConfig metrics = root.table("metrics").map(this::metrics).orElse(MetricsConfig.DISABLED);
        Map<String, PoolConfig> pools = pools(root);
        problems.throwIfAny();
        return new ProxyConfig(source, text, admin, limits, pools, metrics, ConfigFormat.TOML, maxmemoryClients);
    }

    private AdminConfig admin(TableReader table) {
        table.rejectUnknownKeys(ADMIN_KEYS);
        HostPort listen = listeners.read(table, "listen").orElse(AdminConfig.DEFAULT_LISTEN);
        Optional<String> password = table.string("password");
        if (password.isPresent() && password.get().isEmpty()) {
            table.problem("password", "must not be empty; leave the key out for an admin port without password");
            password = Optional.empty();
        }
        Optional<HostPort> statsListen = listeners.read(table, "stats_listen");
        Optional<TlsConfig> tls = table.table("tls").flatMap(t -> new TlsReader(t, base, problems, clock).listener());
        return new AdminConfig(listen, password, statsListen, tls);
    }

    private MetricsConfig metrics(TableReader table) {
        table.rejectUnknownKeys(METRICS_KEYS);
        return new MetricsConfig(listeners.read(table, "listen"));
    }

    private RespLimits limits(TableReader table) {
        table.rejectUnknownKeys(LIMITS_KEYS);
        RespLimits d = RespLimits.DEFAULT;
        long maxBulk = table.longInRange("max_bulk_len", 1, Integer.MAX_VALUE - 16).orElse(d.maxBulkLength());
        int maxArguments = table.integer("max_arguments", 1).orElse(d.maxArguments());
        int maxInline = table.integer("max_inline_len", 16).orElse(d.maxInlineLength());
        return new RespLimits(maxBulk, maxArguments, maxInline);
    }

    /** A pool's tls and server_tls tables. */
    private PoolTls tls(TableReader pool) {
        return new PoolTls(pool.table("tls").flatMap(t -> new TlsReader(t, base, problems, clock).listener()),
                pool.table("server_tls").flatMap(t -> new TlsReader(t, base, problems, clock).servers()));
    }

    private Map<String, PoolConfig> pools(TableReader root) {
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        if (!root.has("pools")) {
            problems.add(0, "pools", "no pools defined; add at least one [pools.NAME] table with listen and servers");
            return pools;
        }
        Optional<TableReader> table = root.table("pools");
        if (table.isEmpty()) {
            return pools;
        }
        if (table.get().keys().isEmpty()) {
            problems.add(table.get().line(), "pools", "no pools defined; add at least one [pools.NAME] table");
        }
        for (String name : table.get().keys()) {
            table.get().table(name)
                    .flatMap(pool -> new PoolReader(pool, listeners, tls(pool)).read(name, problems))
                    .ifPresent(pool -> pools.put(name, pool));
        }
        return pools;
    }
}
