package io.rproxy.command;

import io.rproxy.command.KeyFinderRules.NumKeys;
import io.rproxy.command.KeyFinderRules.Procedure;
import io.rproxy.command.KeyFinderSpec.Find;
import io.rproxy.command.KeyFinderSpec.Flag;
import io.rproxy.command.KeyFinderSpec.Index;
import io.rproxy.command.KeyFinderSpec.KeyNum;
import io.rproxy.command.KeyFinderSpec.Keyword;
import io.rproxy.command.KeyFinderSpec.Range;
import io.rproxy.resp.RespCommand;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Finds which arguments of one command are keys, the way Redis 7.0's {@code COMMAND GETKEYS} does: from the
 * command's key specs, falling back to Redis's own procedure for {@code SORT} and {@code MIGRATE}. A malformed
 * {@code numkeys}, or an unbalanced {@code XREAD} stream list, throws {@link KeyFinderException} carrying the
 * error Redis would reply.
 *
 * <p>Immutable and shared by every client thread. Commands whose keys sit at fixed positions (GET, SET, HSET,
 * LMOVE, ...) are answered with a cached array and allocate nothing. <b>Returned arrays are shared: callers must
 * not modify them.</b> Arguments are assumed to have passed {@link CommandSpec#arityAllows}; with fewer, the
 * result is whatever keys are present, never an exception.
 */
public final class KeyFinder {
    private static final int[] NONE = {};
    private static final int[] FIRST = {1};

    private final String command;
    private final List<KeyFinderSpec> specs;
    /** The specs that name real keys (Redis skips NOT_KEY specs, e.g. SPUBLISH's shard channel). */
    private final KeyFinderSpec[] keySpecs;
    /** Lower-case keyword of each key spec that searches for one (else null), parallel to keySpecs. */
    private final String[] keywords;
    private final NumKeys numKeys;
    private final Procedure procedure;
    /** Key positions when they do not depend on the arguments' content; null otherwise. */
    private final int[] fixed;
    /** Arguments needed for {@link #fixed} to be all present. */
    private final int fixedMinArgs;

    /**
     * @param command full lower-case name ({@code zunionstore}, {@code object|encoding}), for the rules that
     *                key off it and for error wording
     */
    public KeyFinder(String command, List<KeyFinderSpec> specs) {
        this.command = command;
        this.specs = List.copyOf(specs);
        this.keySpecs = specs.stream().filter(s -> !s.has(Flag.NOT_KEY)).toArray(KeyFinderSpec[]::new);
        this.keywords = Arrays.stream(keySpecs)
                .map(s -> s.begin() instanceof Keyword k ? k.keyword().toLowerCase(Locale.ROOT) : null)
                .toArray(String[]::new);
        this.numKeys = NumKeys.of(command);
        this.procedure = Procedure.of(command);
        this.fixed = procedure == Procedure.SPECS ? fixedPositions(keySpecs) : null;
        this.fixedMinArgs = fixed == null || fixed.length == 0 ? 0 : fixed[fixed.length - 1] + 1;
    }

    public String command() {
        return command;
    }

    /** All key specs as generated, including NOT_KEY ones. */
    public List<KeyFinderSpec> specs() {
        return specs;
    }

    /** Whether any request of this command can name a key (it has a key spec that is not NOT_KEY). */
    public boolean findsKeys() {
        return keySpecs.length > 0;
    }

    /** True when the key positions never depend on the arguments' content. */
    public boolean isFixed() {
        return fixed != null;
    }

    /** Argument indexes of every key, in order. The array is shared: do not modify it. */
    public int[] keyIndexes(RespCommand cmd) {
        return keyIndexes(CommandArgs.RESP, cmd);
    }

    /** As {@link #keyIndexes(RespCommand)}, over one array per argument (argument 0 is the command name). */
    public int[] keyIndexes(byte[]... args) {
        return keyIndexes(CommandArgs.ARRAYS, args);
    }

    <T> int[] keyIndexes(CommandArgs<T> a, T src) {
        int argc = a.count(src);
        if (fixed != null && argc >= fixedMinArgs) {
            return fixed;
        }
        return switch (procedure) {
            case SPECS -> fromSpecs(a, src, argc);
            case SORT -> sortKeys(a, src, argc);
            case SORT_RO -> argc > 1 ? FIRST : NONE;
            case MIGRATE -> migrateKeys(a, src, argc);
            case XREAD -> xreadKeys(a, src, argc);
        };
    }

    private static int[] fixedPositions(KeyFinderSpec[] specs) {
        List<Integer> positions = new ArrayList<>();
        for (KeyFinderSpec s : specs) {
            if (!(s.begin() instanceof Index(int pos)) || !(s.find() instanceof Range r) || r.lastKey() < 0
                    || s.has(Flag.INCOMPLETE)) {
                return null;
            }
            for (int i = pos; i <= pos + r.lastKey(); i += r.keyStep()) {
                positions.add(i);
            }
        }
        int[] p = positions.stream().mapToInt(Integer::intValue).toArray();
        for (int i = 1; i < p.length; i++) {
            if (p[i] <= p[i - 1]) {
                return null; // not ascending: leave it to the general path, which keeps spec order
            }
        }
        return p.length == 0 ? NONE : Arrays.equals(p, FIRST) ? FIRST : p;
    }

    /**
     * Redis's getKeysUsingKeySpecs. Where Redis would call a spec invalid and fall back to the command's own
     * procedure, this skips that spec: the procedures return the other specs' keys for such input.
     */
    private <T> int[] fromSpecs(CommandArgs<T> a, T src, int argc) {
        int[] out = new int[Math.max(argc, 1)];
        int n = 0;
        for (int j = 0; j < keySpecs.length; j++) {
            KeyFinderSpec s = keySpecs[j];
            int first = switch (s.begin()) {
                case Index i -> i.pos();
                case Keyword k -> searchKeyword(k, keywords[j], a, src, argc);
                case KeyFinderSpec.UnknownBegin u -> 0;
            };
            if (first <= 0) {
                continue;
            }
            long last;
            int step;
            Find find = s.find();
            if (find instanceof Range r) {
                step = r.keyStep();
                last = lastOfRange(r, first, argc);
            } else if (find instanceof KeyNum k) {
                step = k.keyStep();
                long keys = numKeys(k, first, a, src, argc);
                first += k.firstKey();
                last = first + keys - 1;
            } else {
                continue;
            }
            if (last >= argc || last < first || first >= argc) {
                continue;
            }
            for (long i = first; i <= last; i += step) {
                out[n++] = (int) i;
            }
        }
        return n == 0 ? NONE : Arrays.copyOf(out, n);
    }

    private static long lastOfRange(Range r, int first, int argc) {
        if (r.lastKey() >= 0) {
            return (long) first + r.lastKey();
        } else if (r.limit() == 0) {
            return (long) argc + r.lastKey();
        }
        return first + ((argc - first) / r.limit() + r.lastKey());
    }

    /** The number of keys of a keynum spec, or an exception in the command's own words; 0 means none. */
    private <T> long numKeys(KeyNum k, int first, CommandArgs<T> a, T src, int argc) {
        int at = first + k.keyNumIdx();
        if (at >= argc) {
            return 0;
        }
        long keys = a.parseLong(src, at);
        if (keys == CommandArgs.NOT_AN_INTEGER) {
            throw error(numKeys.notInteger);
        } else if (keys < 0) {
            throw error(numKeys.negative);
        } else if (keys == 0) {
            if (numKeys.zero != null) {
                throw error(numKeys.zero);
            }
            return 0;
        } else if (first + k.firstKey() + keys - 1 >= argc) {
            throw error(numKeys.tooMany);
        }
        return keys;
    }

    /**
     * Redis 7.0's keyword search: forwards from {@code startfrom} up to, not including, the last argument; or
     * backwards from {@code argc + startfrom} down to, not including, argument 1. Returns the index after the
     * keyword, 0 when absent.
     */
    private static <T> int searchKeyword(Keyword k, String word, CommandArgs<T> a, T src, int argc) {
        int start = k.startFrom() > 0 ? k.startFrom() : argc + k.startFrom();
        int end = k.startFrom() > 0 ? argc - 1 : 1;
        for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
            if (i >= argc || i < 1) {
                break;
            }
            if (a.equalsIgnoreCase(src, i, word)) {
                return i + 1;
            }
        }
        return 0;
    }

    /** XREAD/XREADGROUP: the keys are the first half of what follows STREAMS, which must split evenly. */
    private <T> int[] xreadKeys(CommandArgs<T> a, T src, int argc) {
        int first = keySpecs.length == 1 && keySpecs[0].begin() instanceof Keyword k
                ? searchKeyword(k, keywords[0], a, src, argc) : 0;
        if (first == 0) {
            throw error(KeyFinderRules.SYNTAX);
        }
        int rest = argc - first;
        if (rest % 2 != 0) {
            throw error(KeyFinderRules.XREAD_UNBALANCED);
        }
        int[] keys = new int[rest / 2];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = first + i;
        }
        return keys;
    }

    /** Redis's sortGetKeys: the sorted key, then the last STORE destination; BY/GET patterns are not keys. */
    private static <T> int[] sortKeys(CommandArgs<T> a, T src, int argc) {
        int store = 0;
        for (int i = 2; i < argc; i++) {
            if (a.equalsIgnoreCase(src, i, "limit")) {
                i += 2;
            } else if (a.equalsIgnoreCase(src, i, "store") && i + 1 < argc) {
                store = i + 1; // keep scanning: SORT uses the last STORE
            } else if (a.equalsIgnoreCase(src, i, "get") || a.equalsIgnoreCase(src, i, "by")) {
                i += 1;
            }
        }
        return store == 0 ? (argc > 1 ? FIRST : NONE) : new int[] {1, store};
    }

    /**
     * Redis's migrateGetKeys: argument 3, or with {@code KEYS} (which needs argument 3 empty) everything after it.
     * AUTH and AUTH2 skip their credentials, so a password spelled "keys" is not the keyword.
     */
    private <T> int[] migrateKeys(CommandArgs<T> a, T src, int argc) {
        for (int i = 6; i < argc; i++) {
            if (a.equalsIgnoreCase(src, i, "keys")) {
                if (a.length(src, 3) > 0) {
                    throw error(KeyFinderRules.MIGRATE_KEYS_NONEMPTY);
                }
                int[] keys = new int[argc - i - 1];
                for (int k = 0; k < keys.length; k++) {
                    keys[k] = i + 1 + k;
                }
                return keys.length == 0 ? NONE : keys;
            } else if (a.equalsIgnoreCase(src, i, "auth")) {
                i += 1;
            } else if (a.equalsIgnoreCase(src, i, "auth2")) {
                i += 2;
            }
        }
        return argc > 3 ? new int[] {3} : NONE;
    }

    private KeyFinderException error(String wording) {
        return new KeyFinderException(NumKeys.format(wording, command));
    }

    @Override
    public String toString() {
        return command + " " + specs.stream().map(KeyFinderSpec::format).toList();
    }
}
