package io.rproxy.command;

import io.rproxy.resp.RespCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Every Redis command and subcommand the proxy knows, loaded once from {@code commands.tsv}: a table generated
 * from a real server's {@code COMMAND} and {@code COMMAND DOCS} output (see its header). Lookups hash the
 * request's name bytes in place, ignoring ASCII case, and allocate nothing.
 *
 * <p>Immutable after construction and shared by every client thread.
 */
public final class CommandTable implements Iterable<CommandSpec> {
    /** The generated table, next to this class on the classpath. */
    public static final String RESOURCE = "commands.tsv";
    static final String VERSION_PREFIX = "# redis-version: ";

    private final String redisVersion;
    private final List<CommandSpec> specs;
    /** Open addressing, linear probing: lower-case full names and their specs, null when free. */
    private final byte[][] slotNames;
    private final CommandSpec[] slotSpecs;
    private final int mask;
    private final int maxNameLength;

    /** Reads the generated table from the classpath. */
    public static CommandTable load() {
        try (InputStream in = CommandTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + RESOURCE);
            }
            return new CommandTable(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses the table's lines: {@code #} comments (one of them {@code # redis-version: X}), then tab-separated
     * {@code name arity flags group first last step keyspec...}.
     *
     * @throws IllegalArgumentException naming the line of the first malformed entry
     */
    public CommandTable(List<String> lines) {
        String version = "unknown";
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        Set<String> containers = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith(VERSION_PREFIX)) {
                version = line.substring(VERSION_PREFIX.length()).trim();
            } else if (!line.isBlank() && !line.startsWith("#")) {
                String[] cols = line.split("\t", -1);
                rows.add(cols);
                lineNumbers.add(i + 1);
                int bar = cols[0].indexOf('|');
                if (bar > 0) {
                    containers.add(cols[0].substring(0, bar));
                }
            }
        }
        List<CommandSpec> parsed = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            try {
                parsed.add(parseRow(rows.get(r), containers));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(RESOURCE + " line " + lineNumbers.get(r) + ": " + e.getMessage(), e);
            }
        }
        this.redisVersion = version;
        this.specs = Collections.unmodifiableList(parsed);
        int capacity = Integer.highestOneBit(Math.max(4, parsed.size() * 3)) << 1;
        this.slotNames = new byte[capacity][];
        this.slotSpecs = new CommandSpec[capacity];
        this.mask = capacity - 1;
        int longest = 0;
        for (CommandSpec spec : parsed) {
            insert(spec);
            longest = Math.max(longest, spec.name().length());
        }
        this.maxNameLength = longest;
    }

    private static CommandSpec parseRow(String[] c, Set<String> containers) {
        if (c.length < 7) {
            throw new IllegalArgumentException("expected at least 7 tab-separated columns, got " + c.length);
        }
        String name = c[0];
        if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("command name must be non-empty lower case: '" + name + "'");
        }
        Set<CommandFlag> flags = EnumSet.noneOf(CommandFlag.class);
        if (!c[2].equals("-")) {
            for (String f : c[2].split(",")) {
                flags.add(CommandFlag.ofRedisName(f));
            }
        }
        List<KeyFinderSpec> keySpecs = new ArrayList<>();
        for (int i = 7; i < c.length; i++) {
            keySpecs.add(KeyFinderSpec.parse(c[i]));
        }
        return new CommandSpec(name, Integer.parseInt(c[1]), flags, c[3], Integer.parseInt(c[4]),
                Integer.parseInt(c[5]), Integer.parseInt(c[6]), new KeyFinder(name, keySpecs), containers.contains(name));
    }

    private void insert(CommandSpec spec) {
        byte[] name = spec.name().getBytes(StandardCharsets.US_ASCII);
        int slot = mix(hash(name, 0, name.length, SEED)) & mask;
        while (slotSpecs[slot] != null) {
            if (slotSpecs[slot].name().equals(spec.name())) {
                throw new IllegalArgumentException("duplicate command '" + spec.name() + "'");
            }
            slot = (slot + 1) & mask;
        }
        slotNames[slot] = name;
        slotSpecs[slot] = spec;
    }

    /** The Redis version the table was generated from, as its header says. */
    public String redisVersion() {
        return redisVersion;
    }

    /** Number of entries: top-level commands plus subcommands. */
    public int size() {
        return specs.size();
    }

    /** All entries in table order (each container followed by its subcommands). */
    public List<CommandSpec> all() {
        return specs;
    }

    @Override
    public Iterator<CommandSpec> iterator() {
        return specs.iterator();
    }

    /**
     * The spec for a request, ignoring case. For a container (CLIENT, CONFIG, OBJECT, ...) followed by a known
     * subcommand, that subcommand's spec ({@code client|setname}).
     *
     * @return null for an unknown command (reply {@link CommandErrors#unknownCommand}); the container itself when
     *         the request names no subcommand (its arity check then fails, as in Redis) or an unknown one: then
     *         {@code spec.hasSubcommands() && argCount >= 2}, reply {@link CommandErrors#unknownSubcommand}
     */
    public CommandSpec lookup(RespCommand cmd) {
        return lookup(CommandArgs.RESP, cmd);
    }

    /** As {@link #lookup(RespCommand)}, over one array per argument. */
    public CommandSpec lookup(byte[]... args) {
        return lookup(CommandArgs.ARRAYS, args);
    }

    /** By full lower-case name ({@code get}, {@code client|setname}); null when absent. */
    public CommandSpec byName(String fullName) {
        byte[] b = fullName.getBytes(StandardCharsets.UTF_8);
        return find(b, 0, b.length, null, 0, 0);
    }

    <T> CommandSpec lookup(CommandArgs<T> a, T src) {
        int argc = a.count(src);
        if (argc == 0) {
            return null;
        }
        CommandSpec top = find(a.buffer(src, 0), a.offset(src, 0), a.length(src, 0), null, 0, 0);
        if (top != null && top.isSubcommand()) {
            return null; // "client|setname" is the table's name for it, not something a client may send
        }
        if (top == null || !top.hasSubcommands() || argc < 2) {
            return top;
        }
        CommandSpec sub = find(a.buffer(src, 0), a.offset(src, 0), a.length(src, 0),
                a.buffer(src, 1), a.offset(src, 1), a.length(src, 1));
        return sub != null ? sub : top;
    }

    /** Finds {@code name} or, when {@code sub} is non-null, {@code name|sub}; both compared ignoring ASCII case. */
    private CommandSpec find(byte[] name, int off, int len, byte[] sub, int subOff, int subLen) {
        int total = sub == null ? len : len + 1 + subLen;
        if (total > maxNameLength) {
            return null;
        }
        int h = hash(name, off, len, SEED);
        if (sub != null) {
            h = hash(sub, subOff, subLen, step(h, '|'));
        }
        for (int slot = mix(h) & mask; slotSpecs[slot] != null; slot = (slot + 1) & mask) {
            byte[] candidate = slotNames[slot];
            if (candidate.length == total && regionMatches(candidate, 0, name, off, len)
                    && (sub == null || candidate[len] == '|' && regionMatches(candidate, len + 1, sub, subOff, subLen))) {
                return slotSpecs[slot];
            }
        }
        return null;
    }

    private static boolean regionMatches(byte[] lower, int at, byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            if (lower[at + i] != CommandArgs.toLower(b[off + i])) {
                return false;
            }
        }
        return true;
    }

    private static final int SEED = 0x811c9dc5;

    /** FNV-1a over ASCII-lower-cased bytes, continuing from {@code h}. */
    private static int hash(byte[] b, int off, int len, int h) {
        for (int i = 0; i < len; i++) {
            h = step(h, CommandArgs.toLower(b[off + i]));
        }
        return h;
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    private static int step(int h, int c) {
        return (h ^ c) * 0x01000193;
    }
}
