package io.rproxy.config;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * One nutcracker.yml pool seen through tomlj's table interface, so that {@link PoolReader} validates a YAML pool
 * exactly as a TOML one: the same keys, defaults, checks and messages. Values are typed here the way nutcracker
 * reads each key (nc_conf.c: conf_set_num, conf_set_bool, conf_set_string, conf_add_server), from their text
 * whether quoted or not; a value nutcracker would refuse is recorded as a problem and left out. Keys nutcracker
 * does not know (rproxy's own, or typos that PoolReader then refuses) are typed from plain YAML: true/false,
 * integers, else text. Read-only; used by one thread, for one load.
 */
final class YamlTable implements TomlTable {
    static final List<String> NUMBERS = List.of("timeout", "backlog", "client_connections", "redis_db",
            "server_connections", "server_retry_timeout", "server_failure_limit");
    static final List<String> BOOLEANS = List.of("redis", "preconnect", "auto_eject_hosts", "tcpkeepalive",
            "reuseport", "cluster");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");

    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, Integer> lines;

    YamlTable(YamlDocument.Pool pool, Problems problems) {
        this.lines = pool.keyLines();
        pool.values().forEach((key, value) -> {
            Object typed = nutcrackersZero(key, typed(key, value, pool.name() + "." + key, problems));
            if (typed != null) {
                values.put(key, typed);
            }
        });
    }

    /**
     * A 0 that nutcracker accepts where rproxy's own minimum is 1, read with the meaning it has in nutcracker:
     * {@code timeout: 0} sets no deadline (as leaving it out); {@code server_failure_limit: 0} ejects at the first
     * failure, as 1 does; {@code server_retry_timeout: 0} retries at once, 1 ms here; {@code backlog: 0} is
     * listen(2)'s smallest queue, as 1 is. Null for "as if absent".
     */
    private static Object nutcrackersZero(String key, Object value) {
        if (!Long.valueOf(0).equals(value)) {
            return value;
        }
        return switch (key) {
            case "timeout" -> null;
            case "server_failure_limit", "server_retry_timeout", "backlog" -> 1L;
            default -> value;
        };
    }

    private static Object typed(String key, YamlDocument.Value value, String dotted, Problems problems) {
        if (value instanceof YamlDocument.Items items) {
            for (YamlDocument.Scalar item : items.items()) {
                if (key.equals("servers") && item.text().startsWith("/")) {
                    problems.add(item.line(), dotted, "'" + item.text() + "' is a unix socket; rproxy connects to"
                            + " servers over TCP only (\"host:port:weight [name]\")");
                }
            }
            return new Array(items.items().stream().map(i -> (Object) i.text()).toList(), items.items().stream()
                    .map(YamlDocument.Scalar::line).toList());
        }
        YamlDocument.Scalar scalar = (YamlDocument.Scalar) value;
        String text = scalar.text();
        if (NUMBERS.contains(key) || (scalar.plain() && INTEGER.matcher(text).matches())) {
            if (INTEGER.matcher(text).matches()) {
                return Long.parseLong(text);
            }
            problems.add(scalar.line(), dotted, "expected an integer, got '" + text + "'");
            return null;
        }
        if (BOOLEANS.contains(key) || (scalar.plain() && (text.equals("true") || text.equals("false")))) {
            if (text.equals("true") || text.equals("false")) {
                return Boolean.valueOf(text);
            }
            problems.add(scalar.line(), dotted, "expected true or false (as nutcracker spells them), got '"
                    + text + "'");
            return null;
        }
        if (key.equals("listen") && text.startsWith("/")) {
            problems.add(scalar.line(), dotted, "'" + text + "' is a unix socket; rproxy listens on TCP only"
                    + " (\"host:port\")");
        }
        return text;
    }

    @Override
    public int size() {
        return values.size();
    }

    @Override
    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public Set<String> keySet() {
        return new LinkedHashSet<>(values.keySet());
    }

    @Override
    public Set<List<String>> keyPathSet(boolean includeTables) {
        Set<List<String>> paths = new LinkedHashSet<>();
        values.keySet().forEach(key -> paths.add(List.of(key)));
        return paths;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return new LinkedHashSet<>(values.entrySet());
    }

    @Override
    public Set<Map.Entry<List<String>, Object>> entryPathSet(boolean includeTables) {
        Set<Map.Entry<List<String>, Object>> entries = new LinkedHashSet<>();
        values.forEach((key, value) -> entries.add(new AbstractMap.SimpleImmutableEntry<>(List.of(key), value)));
        return entries;
    }

    @Override
    public Object get(List<String> path) {
        return path.size() == 1 ? values.get(path.getFirst()) : null;
    }

    @Override
    public TomlPosition inputPositionOf(List<String> path) {
        Integer line = path.size() == 1 ? lines.get(path.getFirst()) : null;
        return line == null || line < 1 ? null : TomlPosition.positionAt(line, 1);
    }

    @Override
    public Map<String, Object> toMap() {
        return new LinkedHashMap<>(values);
    }

    /** A YAML list of scalars (a pool's servers) as a tomlj array of strings. */
    record Array(List<Object> items, List<Integer> lines) implements TomlArray {
        @Override
        public int size() {
            return items.size();
        }

        @Override
        public boolean isEmpty() {
            return items.isEmpty();
        }

        @Override
        public boolean containsStrings() {
            return !items.isEmpty();
        }

        @Override
        public boolean containsLongs() {
            return false;
        }

        @Override
        public boolean containsDoubles() {
            return false;
        }

        @Override
        public boolean containsBooleans() {
            return false;
        }

        @Override
        public boolean containsOffsetDateTimes() {
            return false;
        }

        @Override
        public boolean containsLocalDateTimes() {
            return false;
        }

        @Override
        public boolean containsLocalDates() {
            return false;
        }

        @Override
        public boolean containsLocalTimes() {
            return false;
        }

        @Override
        public boolean containsArrays() {
            return false;
        }

        @Override
        public boolean containsTables() {
            return false;
        }

        @Override
        public Object get(int index) {
            return items.get(index);
        }

        @Override
        public TomlPosition inputPositionOf(int index) {
            return TomlPosition.positionAt(lines.get(index), 1);
        }

        @Override
        public List<Object> toList() {
            return items;
        }
    }
}
