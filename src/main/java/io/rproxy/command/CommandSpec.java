package io.rproxy.command;

import io.rproxy.resp.RespCommand;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One Redis command or subcommand as the generated table describes it. Immutable; shared by every client thread.
 *
 * @param name           lower case; a subcommand is {@code container|sub}, e.g. {@code client|setname}
 * @param arity          Redis's rule: positive is the exact argument count, negative the minimum; the count
 *                       includes the command name (and for a subcommand, the container's name)
 * @param group          COMMAND DOCS group ({@code string}, {@code server}, ...), {@code -} when Redis has none
 * @param legacyFirstKey COMMAND's legacy first/last/step key positions, kept for COMMAND replies
 * @param keys           finds the key arguments of a request
 * @param hasSubcommands true for containers such as CLIENT, CONFIG, OBJECT: {@link CommandTable#lookup} returns
 *                       the container itself only when no known subcommand was named
 */
public record CommandSpec(String name, int arity, Set<CommandFlag> flags, String group, int legacyFirstKey,
                          int legacyLastKey, int legacyKeyStep, KeyFinder keys, boolean hasSubcommands) {

    public CommandSpec {
        // An unmodifiable view over an EnumSet keeps contains() a bit test.
        flags = Collections.unmodifiableSet(flags.isEmpty() ? EnumSet.noneOf(CommandFlag.class) : EnumSet.copyOf(flags));
    }

    public boolean has(CommandFlag flag) {
        return flags.contains(flag);
    }

    /** Whether a request of {@code argCount} arguments (name included) passes Redis's arity check. */
    public boolean arityAllows(int argCount) {
        return arity > 0 ? argCount == arity : argCount >= -arity;
    }

    public boolean isSubcommand() {
        return name.indexOf('|') >= 0;
    }

    /** Argument indexes of the request's keys; shared array, do not modify. See {@link KeyFinder}. */
    public int[] keyIndexes(RespCommand cmd) {
        return keys.keyIndexes(cmd);
    }
}
