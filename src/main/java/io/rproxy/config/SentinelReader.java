package io.rproxy.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlArray;

/**
 * Reads the Sentinel keys of one {@code [pools.NAME]} table ({@code sentinels}, {@code sentinel_password}, and
 * {@code servers} as master names) into a {@link SentinelConfig}, recording every problem. Only the file is
 * checked here; whether the sentinels know the masters is asked when the pool is built (start, LOAD). Used by one
 * thread, for one load.
 */
final class SentinelReader {
    private static final String MASTER_FORMAT = "\"master-name:weight [name]\"";

    private final TableReader table;

    SentinelReader(TableReader table) {
        this.table = table;
    }

    /** Whether the pool is a Sentinel pool: its servers are then master names, not addresses. */
    boolean present() {
        return table.has("sentinels");
    }

    /**
     * The pool's Sentinel settings; empty when it has none or when something was wrong (recorded).
     *
     * @param cluster    the pool's {@code cluster}: a Redis Cluster follows its own failovers
     * @param autoEject  the pool's {@code auto_eject_hosts}: ejection would move a master's keys, which a
     *                   failover never does
     */
    Optional<SentinelConfig> read(boolean cluster, boolean autoEject) {
        if (!present()) {
            if (table.has("sentinel_password")) {
                table.problem("sentinel_password", "means nothing without sentinels; add sentinels = [\"host:port\","
                        + " ...] or remove it");
            }
            return Optional.empty();
        }
        if (cluster) {
            table.problem("sentinels", "a cluster pool (cluster = true) follows its own failovers; a pool has either"
                    + " sentinels or cluster = true");
        }
        if (autoEject) {
            table.problem("auto_eject_hosts", "must be false in a Sentinel pool: ejection moves a master's keys to"
                    + " the other masters, while Sentinel fails a master over to its replica and moves none");
        }
        List<HostPort> sentinels = sentinels();
        Optional<String> password = table.string("sentinel_password");
        if (password.isPresent() && password.get().isEmpty()) {
            table.problem("sentinel_password", "must not be empty; leave the key out for sentinels without a password");
            password = Optional.empty();
        }
        List<SentinelConfig.Master> masters = masters();
        if (sentinels.isEmpty() || masters.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SentinelConfig(sentinels, password, masters));
        } catch (IllegalArgumentException e) { // the checks above should have caught it
            table.problem("servers", e.getMessage());
            return Optional.empty();
        }
    }

    private List<HostPort> sentinels() {
        TomlArray array = table.array("sentinels").orElse(null);
        if (array == null) {
            return List.of();
        }
        if (array.isEmpty()) {
            table.problem("sentinels", "must list at least one sentinel as \"host:port\" (three, for a quorum)");
            return List.of();
        }
        Set<HostPort> sentinels = new LinkedHashSet<>();
        for (int i = 0; i < array.size(); i++) {
            Optional<String> entry = table.stringEntry("sentinels", array, i, "\"host:port\"");
            if (entry.isEmpty()) {
                continue;
            }
            String text = entry.get();
            try {
                HostPort sentinel = HostPort.parse(text.strip());
                if (sentinel.port() == 0) {
                    table.problem("sentinels", "'" + text + "' has port 0, which no sentinel listens on");
                } else if (!sentinels.add(sentinel)) {
                    table.problem("sentinels", "sentinel " + sentinel + " is listed twice");
                }
            } catch (IllegalArgumentException e) {
                table.problem("sentinels", e.getMessage());
            }
        }
        return List.copyOf(sentinels);
    }

    private List<SentinelConfig.Master> masters() {
        if (!table.has("servers")) {
            table.missing("servers", "a Sentinel pool lists the masters its sentinels monitor, e.g. servers ="
                    + " [\"mymaster:1\"]");
            return List.of();
        }
        TomlArray array = table.array("servers").orElse(null);
        if (array == null) {
            return List.of();
        }
        if (array.isEmpty()) {
            table.problem("servers", "must list at least one master as " + MASTER_FORMAT);
            return List.of();
        }
        List<SentinelConfig.Master> masters = new ArrayList<>();
        Map<String, SentinelConfig.Master> byName = new HashMap<>();
        Map<String, SentinelConfig.Master> byIdentity = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            Optional<String> entry = table.stringEntry("servers", array, i, MASTER_FORMAT);
            if (entry.isEmpty()) {
                continue;
            }
            String line = entry.get();
            SentinelConfig.Master master;
            try {
                master = SentinelConfig.Master.parse(line);
            } catch (IllegalArgumentException e) {
                table.problem("servers", e.getMessage());
                continue;
            }
            if (byName.putIfAbsent(master.name(), master) != null) {
                table.problem("servers", "master '" + master.name() + "' is listed twice: two entries for one master"
                        + " would be two shards sharing one keyspace");
            } else if (byIdentity.putIfAbsent(master.identity(), master) != null) {
                table.problem("servers", "'" + line + "': the name '" + master.identity() + "' on the hash ring is"
                        + " taken by master '" + byIdentity.get(master.identity()).name() + "'; names must be unique"
                        + " in a pool");
            } else {
                masters.add(master);
            }
        }
        return masters;
    }
}
