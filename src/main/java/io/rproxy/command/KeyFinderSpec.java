package io.rproxy.command;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Redis 7 key specification, reduced to what a proxy needs to find keys: where the search begins
 * ({@code begin_search}) and how keys are taken from there ({@code find_keys}), plus the spec's flags.
 *
 * <p>Its text form is one column of {@code commands.tsv}, written by the generator and parsed at start-up:
 * {@code index(1) range(lastkey=0,step=1,limit=0) RW,access}, {@code keyword(STREAMS,startfrom=1) ...},
 * {@code index(1) keynum(idx=0,first=1,step=1) ...}, or {@code unknown} for either half. Immutable.
 */
public record KeyFinderSpec(Begin begin, Find find, Set<Flag> flags) {

    /** Where the search for the first key starts. */
    public sealed interface Begin permits Index, Keyword, UnknownBegin {}

    /** The first key is at a fixed argument index. */
    public record Index(int pos) implements Begin {}

    /**
     * The first key follows a keyword, searched from {@code startFrom} forwards (positive) or from
     * {@code argc + startFrom} backwards (negative).
     */
    public record Keyword(String keyword, int startFrom) implements Begin {}

    /** Redis could not describe it (e.g. SORT's STORE): the command's own procedure finds these keys. */
    public record UnknownBegin() implements Begin {}

    /** How the keys are taken once the first is found. */
    public sealed interface Find permits Range, KeyNum, UnknownFind {}

    /**
     * Keys from the first up to {@code first + lastKey} (when {@code lastKey >= 0}), or up to {@code argc + lastKey}
     * (when negative and {@code limit == 0}), or the first {@code 1/limit} of the remaining arguments.
     */
    public record Range(int lastKey, int keyStep, int limit) implements Find {}

    /** The number of keys is argument {@code first + keyNumIdx}; keys start at {@code first + firstKey}. */
    public record KeyNum(int keyNumIdx, int firstKey, int keyStep) implements Find {}

    public record UnknownFind() implements Find {}

    /** Key-spec flags as Redis names them; a proxy cares about NOT_KEY, INCOMPLETE and VARIABLE_FLAGS. */
    public enum Flag {
        RW, RO, OW, RM, ACCESS, UPDATE, INSERT, DELETE, NOT_KEY, INCOMPLETE, VARIABLE_FLAGS;

        /** Redis's spelling: upper case for the four access modes, lower case for the rest. */
        public String redisName() {
            return ordinal() <= RM.ordinal() ? name() : name().toLowerCase(Locale.ROOT);
        }

        static Flag ofRedisName(String s) {
            for (Flag f : values()) {
                if (f.redisName().equals(s)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown key-spec flag '" + s + "'");
        }
    }

    public KeyFinderSpec {
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
    }

    public boolean has(Flag flag) {
        return flags.contains(flag);
    }

    private static final Pattern INDEX = Pattern.compile("index\\((-?\\d+)\\)");
    private static final Pattern KEYWORD = Pattern.compile("keyword\\(([^,()\\s]+),startfrom=(-?\\d+)\\)");
    private static final Pattern RANGE = Pattern.compile("range\\(lastkey=(-?\\d+),step=(\\d+),limit=(\\d+)\\)");
    private static final Pattern KEYNUM = Pattern.compile("keynum\\(idx=(\\d+),first=(\\d+),step=(\\d+)\\)");

    /** The text form written to the table; {@link #parse} reads it back. */
    public String format() {
        String b = switch (begin) {
            case Index i -> "index(" + i.pos() + ")";
            case Keyword k -> "keyword(" + k.keyword() + ",startfrom=" + k.startFrom() + ")";
            case UnknownBegin u -> "unknown";
        };
        String f = switch (find) {
            case Range r -> "range(lastkey=" + r.lastKey() + ",step=" + r.keyStep() + ",limit=" + r.limit() + ")";
            case KeyNum n -> "keynum(idx=" + n.keyNumIdx() + ",first=" + n.firstKey() + ",step=" + n.keyStep() + ")";
            case UnknownFind u -> "unknown";
        };
        List<String> names = new ArrayList<>();
        for (Flag flag : Flag.values()) {
            if (flags.contains(flag)) {
                names.add(flag.redisName());
            }
        }
        return b + " " + f + " " + (names.isEmpty() ? "-" : String.join(",", names));
    }

    /** Parses {@link #format()}'s output; throws IllegalArgumentException naming what is wrong. */
    public static KeyFinderSpec parse(String text) {
        String[] parts = text.trim().split(" ");
        if (parts.length != 3) {
            throw new IllegalArgumentException("key spec needs 'begin find flags': " + text);
        }
        return new KeyFinderSpec(parseBegin(parts[0]), parseFind(parts[1]), parseFlags(parts[2]));
    }

    private static Begin parseBegin(String s) {
        Matcher m;
        if ((m = INDEX.matcher(s)).matches()) {
            return new Index(Integer.parseInt(m.group(1)));
        } else if ((m = KEYWORD.matcher(s)).matches()) {
            return new Keyword(m.group(1), Integer.parseInt(m.group(2)));
        } else if (s.equals("unknown")) {
            return new UnknownBegin();
        }
        throw new IllegalArgumentException("bad begin_search '" + s + "'");
    }

    private static Find parseFind(String s) {
        Matcher m;
        if ((m = RANGE.matcher(s)).matches()) {
            return new Range(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } else if ((m = KEYNUM.matcher(s)).matches()) {
            return new KeyNum(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } else if (s.equals("unknown")) {
            return new UnknownFind();
        }
        throw new IllegalArgumentException("bad find_keys '" + s + "'");
    }

    private static Set<Flag> parseFlags(String s) {
        if (s.equals("-")) {
            return Set.of();
        }
        EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
        for (String name : s.split(",")) {
            set.add(Flag.ofRedisName(name));
        }
        return set;
    }
}
