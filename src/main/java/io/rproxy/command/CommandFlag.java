package io.rproxy.command;

import java.util.Locale;

/**
 * The command flags Redis 7.0 reports in {@code COMMAND} (its {@code CMD_*} flags, as spelled in the reply).
 * Loading a table that names a flag missing here fails, so a table regenerated from a newer server makes
 * this list grow on purpose rather than silently drop a flag.
 */
public enum CommandFlag {
    WRITE, READONLY, DENYOOM, MODULE, ADMIN, PUBSUB, NOSCRIPT, BLOCKING, LOADING, STALE, SKIP_MONITOR,
    SKIP_SLOWLOG, ASKING, FAST, NO_AUTH, MAY_REPLICATE, NO_MANDATORY_KEYS, NO_ASYNC_LOADING, NO_MULTI,
    MOVABLEKEYS, ALLOW_BUSY;

    /** The name as Redis writes it in {@code COMMAND}: lower case, e.g. {@code no_mandatory_keys}. */
    public String redisName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for a flag this build does not know */
    public static CommandFlag ofRedisName(String name) {
        for (CommandFlag f : values()) {
            if (f.redisName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown command flag '" + name + "'");
    }
}
