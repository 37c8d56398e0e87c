package io.rproxy.admin;

import io.rproxy.resp.Reply;
import java.util.List;

/**
 * One command of the admin port. Adding a command is one small class implementing this and one line in
 * {@link AdminCommands#standard}. Implementations are stateless and run on the thread of the admin connection
 * that sent them, after AUTH when the admin port has a password.
 */
interface AdminCommand {
    /** Upper case, with its subcommand if it has one: {@code STATUS}, {@code CONFIG ACTIVE}. */
    String name();

    /** The arguments after the name as HELP shows them ({@code "[message]"}); none by default. */
    default String arguments() {
        return "";
    }

    /** What it does, in one line for HELP. */
    String summary();

    /** Whether it takes {@code argCount} arguments after its name; by default, none. */
    default boolean accepts(int argCount) {
        return argCount == 0;
    }

    /**
     * Runs the command. Error replies are data ({@code Reply.error}); an exception is answered with
     * {@code -ERR} and logged, and the connection stays open.
     *
     * @param args the arguments after the name (and subcommand), UTF-8 decoded
     */
    Reply run(List<String> args, ProxyControl proxy);
}
