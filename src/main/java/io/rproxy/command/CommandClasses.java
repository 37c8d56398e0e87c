package io.rproxy.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The class of every runnable command of a {@link CommandTable}, loaded once from the hand-written
 * {@code command-classes.tsv} (its header explains each class and detail). Loading checks the file against the
 * table: every runnable entry classified exactly once, no name the table does not know, a {@code forward}
 * command has keys to route by, a {@code split} names a known merge, an
 * {@code all} a known shape and a {@code refuse} a known reason.
 *
 * <p>Immutable after construction and shared by every client thread.
 */
public final class CommandClasses {
    static final String RESOURCE = "command-classes.tsv";
    /** The merges a split command may name: how its parts' replies become one. */
    public static final Set<String> SPLIT_MERGES = Set.of("in-order", "all-ok", "sum");
    /** What an {@code all} command does with the pool's servers: a merge of every server's reply, or a scan. */
    public static final Set<String> ALL_SHAPES = Set.of("all-ok", "any-ok", "sum", "concat", "same", "and",
            "random", "min", "scan", "config", "info", "slowlog", "union", "max");
    /** Why a command is refused: the {@code refuse} details the file may use (its header says what each means). */
    static final Set<String> REFUSAL_REASONS = Set.of("admin", "keyspace", "replication", "cluster", "connection",
            "scripting");
    /** How a {@code channel} command uses its channels: the {@code channel} details the file may use. */
    public static final Set<String> CHANNEL_SHAPES = Set.of("publish", "numsub");
    /** What state a stateful command holds: the {@code stateful} details the file may use. */
    public static final Set<String> STATEFUL_KINDS = Set.of("transaction", "blocking", "subscription");

    /** One command's line: its class and the detail column ({@code -} when the class takes none). */
    public record Entry(CommandClass commandClass, String detail) {}

    private final Map<String, Entry> byName;

    public static CommandClasses load(CommandTable table) {
        try (InputStream in = CommandClasses.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + RESOURCE);
            }
            List<String> lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
            return new CommandClasses(lines, table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IllegalArgumentException listing every problem: bad lines, and table entries left unclassified */
    CommandClasses(List<String> lines, CommandTable table) {
        Map<String, Entry> entries = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            try {
                String[] cols = line.split("\t", -1);
                if (cols.length != 3) {
                    throw new IllegalArgumentException("expected 3 tab-separated columns, got " + cols.length);
                }
                Entry entry = new Entry(CommandClass.ofFileName(cols[1]), cols[2]);
                check(table.byName(cols[0]), cols[0], entry);
                if (entries.put(cols[0], entry) != null) {
                    throw new IllegalArgumentException("'" + cols[0] + "' is listed twice");
                }
            } catch (IllegalArgumentException e) {
                problems.add(RESOURCE + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        for (CommandSpec spec : table) {
            if (runnable(spec) && !entries.containsKey(spec.name())) {
                problems.add(RESOURCE + ": '" + spec.name() + "' of " + CommandTable.RESOURCE + " has no class");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        this.byName = Map.copyOf(entries);
    }

    /** Whether Redis can run the entry: a container (CLIENT, CONFIG) only when its arity needs no subcommand. */
    public static boolean runnable(CommandSpec spec) {
        return !spec.hasSubcommands() || spec.arityAllows(1);
    }

    private static void check(CommandSpec spec, String name, Entry entry) {
        if (spec == null) {
            throw new IllegalArgumentException("'" + name + "' is not in " + CommandTable.RESOURCE);
        }
        if (!runnable(spec)) {
            throw new IllegalArgumentException("'" + name + "' is a container that needs a subcommand; classify "
                    + "its subcommands");
        }
        String detail = entry.detail();
        boolean detailOk = switch (entry.commandClass()) {
            case SPLIT -> SPLIT_MERGES.contains(detail);
            case ALL -> ALL_SHAPES.contains(detail);
            case REFUSE -> REFUSAL_REASONS.contains(detail);
            case STATEFUL -> STATEFUL_KINDS.contains(detail);
            case CHANNEL -> CHANNEL_SHAPES.contains(detail);
            case FORWARD, LOCAL, ANY -> detail.equals("-");
        };
        if (!detailOk) {
            throw new IllegalArgumentException("'" + name + "': detail '" + detail + "' does not fit class "
                    + entry.commandClass().fileName());
        }
        if (entry.commandClass() == CommandClass.FORWARD && !spec.keys().findsKeys()) {
            throw new IllegalArgumentException("'" + name + "' has no key to route by; it cannot be forward");
        }
    }

    /** The entry of a runnable command of the table. */
    public Entry of(CommandSpec spec) {
        Entry entry = byName.get(spec.name());
        if (entry == null) {
            throw new IllegalArgumentException("'" + spec.name() + "' has no class");
        }
        return entry;
    }

    public CommandClass classOf(CommandSpec spec) {
        return of(spec).commandClass();
    }

    /** How many commands each class has. */
    public Map<CommandClass, Integer> counts() {
        Map<CommandClass, Integer> counts = new EnumMap<>(CommandClass.class);
        byName.values().forEach(e -> counts.merge(e.commandClass(), 1, Integer::sum));
        return counts;
    }
}
