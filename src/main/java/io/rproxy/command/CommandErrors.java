package io.rproxy.command;

import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Redis 7.0's own wording for requests the command table rejects before any backend sees them. Each method
 * returns the error line without the leading {@code -} and trailing CRLF. Arguments are quoted as Redis does
 * (at most 128 bytes; CR and LF become spaces) and decoded as UTF-8.
 */
public final class CommandErrors {
    private static final int MAX = 128;

    private CommandErrors() {}

    /** {@code ERR unknown command 'foo', with args beginning with: 'a' 'b' } (note Redis's trailing space). */
    public static String unknownCommand(RespCommand cmd) {
        return unknownCommand(CommandArgs.RESP, cmd);
    }

    public static String unknownCommand(byte[]... args) {
        return unknownCommand(CommandArgs.ARRAYS, args);
    }

    /** {@code ERR unknown subcommand 'x'. Try CLIENT HELP.}: the container as typed, upper-cased. */
    public static String unknownSubcommand(RespCommand cmd) {
        return unknownSubcommand(CommandArgs.RESP, cmd);
    }

    public static String unknownSubcommand(byte[]... args) {
        return unknownSubcommand(CommandArgs.ARRAYS, args);
    }

    /** {@code ERR wrong number of arguments for 'client|setname' command}: Redis names the full command. */
    public static String wrongArity(CommandSpec spec) {
        return "ERR wrong number of arguments for '" + spec.name() + "' command";
    }

    static <T> String unknownCommand(CommandArgs<T> a, T src) {
        StringBuilder args = new StringBuilder();
        int argsBytes = 0;
        for (int i = 1; i < a.count(src) && argsBytes < MAX; i++) {
            String arg = text(a, src, i, MAX - argsBytes);
            args.append('\'').append(arg).append("' ");
            argsBytes += arg.getBytes(StandardCharsets.UTF_8).length + 3;
        }
        return "ERR unknown command '" + text(a, src, 0, MAX) + "', with args beginning with: " + args;
    }

    static <T> String unknownSubcommand(CommandArgs<T> a, T src) {
        return "ERR unknown subcommand '" + text(a, src, 1, MAX) + "'. Try "
                + text(a, src, 0, Integer.MAX_VALUE).toUpperCase(Locale.ROOT) + " HELP.";
    }

    /** Argument i cut to {@code max} bytes, as printf's {@code %.*s} would, with CR/LF made spaces. */
    private static <T> String text(CommandArgs<T> a, T src, int i, int max) {
        int off = a.offset(src, i);
        byte[] b = Arrays.copyOfRange(a.buffer(src, i), off, off + Math.min(max, a.length(src, i)));
        for (int k = 0; k < b.length; k++) {
            if (b[k] == 0) {
                b = Arrays.copyOf(b, k); // %s stops at a NUL byte
                break;
            }
            if (b[k] == '\r' || b[k] == '\n') {
                b[k] = ' ';
            }
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
