package io.rproxy.config;

import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Typed access to one TOML table that records a {@link ConfigProblem} (with the key's line) instead of
 * throwing, so that reading goes on and every problem of a file is reported at once. Each getter returns empty
 * both when the key is absent and when its value was wrong; the caller applies the default, and the problem
 * count tells whether the result may be built. Used by one thread, for one load.
 */
final class TableReader {
    private final TomlTable table;
    private final List<String> path;
    private final int line;
    private final Problems problems;

    /**
     * @param path key path from the document root ({@code ["pools", "alpha"]}); empty for the root
     * @param line where the table starts, for problems about keys that are missing
     */
    TableReader(TomlTable table, List<String> path, int line, Problems problems) {
        this.table = table;
        this.path = List.copyOf(path);
        this.line = line;
        this.problems = problems;
    }

    /** A reader for the sub-table under {@code key}, or empty (and a problem) if the value is not a table. */
    Optional<TableReader> table(String key) {
        return value(key, TomlTable.class, "a table")
                .map(t -> new TableReader(t, append(key), line(key), problems));
    }

    List<String> keys() {
        return new ArrayList<>(table.keySet());
    }

    boolean has(String key) {
        return table.get(List.of(key)) != null;
    }

    Optional<String> string(String key) {
        return value(key, String.class, "a string");
    }

    Optional<Boolean> bool(String key) {
        return value(key, Boolean.class, "a boolean (true or false)");
    }

    Optional<TomlArray> array(String key) {
        return value(key, TomlArray.class, "an array");
    }

    /**
     * Entry {@code index} of the array at {@code key} when it is a string; else a problem that counts entries from 1
     * and says what was expected ({@code format}, e.g. {@code "host:port"} in quotes) and what was found.
     */
    Optional<String> stringEntry(String key, TomlArray array, int index, String format) {
        Object entry = array.get(index);
        if (entry instanceof String text) {
            return Optional.of(text);
        }
        problem(key, "entry " + (index + 1) + ": expected a string " + format + ", got " + describe(entry));
        return Optional.empty();
    }

    /** An integer in [min, max]; {@code max} is at most Integer.MAX_VALUE so the result fits in an int. */
    Optional<Integer> integer(String key, int min) {
        return longInRange(key, min, Integer.MAX_VALUE).map(Long::intValue);
    }

    Optional<Long> longInRange(String key, long min, long max) {
        Optional<Long> value = value(key, Long.class, "an integer");
        if (value.isPresent() && value.get() < min) {
            problem(key, "must be at least " + min + ", got " + value.get());
            return Optional.empty();
        }
        if (value.isPresent() && value.get() > max) {
            problem(key, "must be at most " + max + ", got " + value.get());
            return Optional.empty();
        }
        return value;
    }

    /**
     * A size in bytes of at least {@code min}: an integer, or a string with one of redis.conf's units, which are
     * case-insensitive and, as in Redis, decimal without a "b" and binary with one ("500k" is 500000, "64mb" is
     * 67108864; b, k, kb, m, mb, g, gb).
     */
    Optional<Long> bytes(String key, long min) {
        return bytes(key, min, -1);
    }

    /**
     * As {@link #bytes(String, long)}, or a percentage of {@code whole} ("25%", from 1% to 100%), as Redis
     * reads {@code maxmemory-clients} as a share of {@code maxmemory}; {@code whole} < 0 allows no percentage.
     */
    Optional<Long> bytes(String key, long min, long whole) {
        Object value = table.get(List.of(key));
        if (value == null) {
            return Optional.empty();
        }
        long bytes = value instanceof String text ? parseBytes(text.strip(), whole)
                : value instanceof Long number ? number : -1;
        if (bytes < 0 && !(value instanceof Long)) {
            problem(key, "expected a size in bytes: an integer or a string such as \"64mb\" (units b, k, kb, m,"
                    + " mb, g, gb, as in redis.conf)" + (whole < 0 ? "" : " or a percentage such as \"25%\"")
                    + ", got " + describe(value));
            return Optional.empty();
        }
        if (bytes < min) {
            problem(key, "must be at least " + min + " bytes, got " + describe(value));
            return Optional.empty();
        }
        return Optional.of(bytes);
    }

    /** Bytes, or -1 when {@code text} is not a size redis.conf would read. */
    static long parseBytes(String text, long whole) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (whole >= 0 && lower.endsWith("%")) {
            long percent = digits(lower.substring(0, lower.length() - 1));
            return percent >= 1 && percent <= 100 ? whole / 100 * percent : -1;
        }
        String[] units = {"gb", "mb", "kb", "g", "m", "k", "b"};
        long[] factors = {1L << 30, 1L << 20, 1L << 10, 1_000_000_000L, 1_000_000L, 1_000L, 1L};
        for (int i = 0; i < units.length; i++) {
            if (lower.endsWith(units[i])) {
                long number = digits(lower.substring(0, lower.length() - units[i].length()));
                return number < 0 || number > Long.MAX_VALUE / factors[i] ? -1 : number * factors[i];
            }
        }
        return digits(lower);
    }

    /** A non-negative decimal integer without sign or spaces, or -1. */
    private static long digits(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }

    /** Records a problem for every key not in {@code known}, suggesting the nearest known key. */
    void rejectUnknownKeys(List<String> known) {
        for (String key : table.keySet()) {
            if (!known.contains(key)) {
                problem(key, "unknown key" + suggestion(key, known) + "; expected one of: "
                        + String.join(", ", known));
            }
        }
    }

    /** Records that a required key is absent, at the line where this table starts. */
    void missing(String key, String what) {
        problems.add(line, dotted(key), "missing; " + what);
    }

    void problem(String key, String message) {
        problems.add(line(key), dotted(key), message);
    }

    /** Where {@code key} is set, else where this table starts. */
    int line(String key) {
        TomlPosition position = table.inputPositionOf(List.of(key));
        return position == null ? line : position.line();
    }

    /** The key's path from the root as TOML writes it, e.g. {@code pools.alpha.hash}. */
    String dotted(String key) {
        return Toml.joinKeyPath(append(key));
    }

    /** This table's own path, e.g. {@code pools.alpha}. */
    String dotted() {
        return Toml.joinKeyPath(path);
    }

    /** The line where this table starts. */
    int line() {
        return line;
    }

    private <T> Optional<T> value(String key, Class<T> type, String expected) {
        Object value = table.get(List.of(key));
        if (value == null) {
            return Optional.empty();
        }
        if (!type.isInstance(value)) {
            problem(key, "expected " + expected + ", got " + describe(value));
            return Optional.empty();
        }
        return Optional.of(type.cast(value));
    }

    private List<String> append(String key) {
        List<String> full = new ArrayList<>(path);
        full.add(key);
        return full;
    }

    /** "a string (\"400\")": the TOML type of a value and, for scalars, the value itself. */
    static String describe(Object value) {
        return switch (value) {
            case String s -> "a string (" + Toml.tomlEscape(s).insert(0, '"').append('"') + ")";
            case Long l -> "an integer (" + l + ")";
            case Double d -> "a float (" + d + ")";
            case Boolean b -> "a boolean (" + b + ")";
            case TomlArray a -> "an array";
            case TomlTable t -> "a table";
            case TemporalAccessor t -> "a date/time (" + t + ")";
            default -> "a " + value.getClass().getSimpleName();
        };
    }

    private static String suggestion(String key, List<String> known) {
        String best = null;
        int bestDistance = 3; // beyond two edits a "did you mean" is more noise than help
        for (String candidate : known) {
            int d = editDistance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
