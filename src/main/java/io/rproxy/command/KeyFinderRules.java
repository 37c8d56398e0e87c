package io.rproxy.command;

/**
 * What the generated table cannot say: the error Redis replies when a command's {@code numkeys} is malformed,
 * and the few commands whose keys Redis finds with its own procedure instead of key specs ({@code SORT},
 * {@code MIGRATE}) or whose key list must be balanced ({@code XREAD}). Hand-written from Redis 7.0's sources
 * and checked against a real server by {@code CommandKeysVsServerTest}; keyed by full command name.
 */
final class KeyFinderRules {
    private KeyFinderRules() {}

    static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
    static final String SYNTAX = "ERR syntax error";
    static final String TOO_MANY_KEYS = "ERR Number of keys can't be greater than number of args";
    static final String NUMKEYS_POSITIVE = "ERR numkeys should be greater than 0";
    static final String XREAD_UNBALANCED =
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
    static final String MIGRATE_KEYS_NONEMPTY =
            "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";

    /** Redis's wording for a bad {@code numkeys}, one family of commands each. */
    enum NumKeys {
        /** EVAL, EVALSHA and their _RO forms: zero keys is fine. */
        SCRIPT(NOT_AN_INTEGER, "ERR Number of keys can't be negative", null, TOO_MANY_KEYS),
        /** FCALL, FCALL_RO: checked after the function is found, so only for a function that exists. */
        FUNCTION("ERR Bad number of keys provided", "ERR Number of keys can't be negative", null, TOO_MANY_KEYS),
        /** ZUNION/ZINTER/ZDIFF[STORE] and ZINTERCARD: '%s' is the command name. */
        ZSET_SETOP(NOT_AN_INTEGER, "ERR at least 1 input key is needed for '%s' command",
                "ERR at least 1 input key is needed for '%s' command", SYNTAX),
        SINTERCARD(NUMKEYS_POSITIVE, NUMKEYS_POSITIVE, NUMKEYS_POSITIVE, TOO_MANY_KEYS),
        /** LMPOP, BLMPOP, ZMPOP, BZMPOP. */
        MPOP(NUMKEYS_POSITIVE, NUMKEYS_POSITIVE, NUMKEYS_POSITIVE, SYNTAX),
        /** A keynum command this class does not know: Redis's generic wording. */
        OTHER(NOT_AN_INTEGER, SYNTAX, null, SYNTAX);

        final String notInteger;
        final String negative;
        /** Null when zero keys is allowed. */
        final String zero;
        final String tooMany;

        NumKeys(String notInteger, String negative, String zero, String tooMany) {
            this.notInteger = notInteger;
            this.negative = negative;
            this.zero = zero;
            this.tooMany = tooMany;
        }

        static NumKeys of(String command) {
            return switch (command) {
                case "eval", "evalsha", "eval_ro", "evalsha_ro" -> SCRIPT;
                case "fcall", "fcall_ro" -> FUNCTION;
                case "zunion", "zinter", "zdiff", "zintercard", "zunionstore", "zinterstore", "zdiffstore" -> ZSET_SETOP;
                case "sintercard" -> SINTERCARD;
                case "lmpop", "blmpop", "zmpop", "bzmpop" -> MPOP;
                default -> OTHER;
            };
        }

        static String format(String wording, String command) {
            return wording.contains("%s") ? String.format(wording, command) : wording;
        }
    }

    /** Commands whose keys are not (only) found from their key specs. */
    enum Procedure {
        SPECS, SORT, SORT_RO, MIGRATE, XREAD;

        static Procedure of(String command) {
            return switch (command) {
                case "sort" -> SORT;
                case "sort_ro" -> SORT_RO;
                case "migrate" -> MIGRATE;
                case "xread", "xreadgroup" -> XREAD;
                default -> SPECS;
            };
        }
    }
}
