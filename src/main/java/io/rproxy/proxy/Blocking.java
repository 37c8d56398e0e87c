package io.rproxy.proxy;

import io.rproxy.backend.BackendException;
import io.rproxy.backend.DedicatedConnection;
import io.rproxy.backend.ProxyError;
import io.rproxy.command.CommandSpec;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A blocking command (BLPOP ... BZMPOP, XREAD/XREADGROUP with BLOCK) on a dedicated connection to the server of its
 * keys, leased for the one command: the server may hold the reply for the command's own block time, and the
 * pool's timeout applies on top of that (block time 0: forever). While it waits, the client's input is watched:
 * a client that leaves has the connection closed at once, so the server pops nothing for nobody.
 *
 * <p>Stateless; runs on the client's session thread, which it blocks until the reply.
 */
final class Blocking {
    /** What {@link #blockMs} answers when the command may wait forever. */
    static final long FOREVER = -1;
    /** What {@link #blockMs} answers for an XREAD without BLOCK: no state, an ordinary keyed command. */
    static final long NOT_BLOCKING = -2;

    private Blocking() {
    }

    /** The reply; null when the command does not block after all (the dispatcher forwards it). */
    static Reply run(StatefulCommands commands, CommandSpec spec, RespCommand command, ClientState client) {
        long blockMs = blockMs(spec.name(), command);
        if (blockMs == NOT_BLOCKING) {
            return null;
        }
        Transaction scratch = new Transaction(); // a blocking command's state lasts one command
        Reply refused = commands.routeBlocking(spec, command, scratch);
        if (refused != null) {
            return refused;
        }
        client.hooks().settle();
        DedicatedConnection connection;
        try {
            connection = scratch.pool(commands.pool()).targets().lease(scratch.target());
        } catch (BackendException e) {
            return ProxyError.of(e.getMessage());
        }
        AtomicBoolean armed = new AtomicBoolean(true);
        client.hooks().watchForLeave(StatefulCommands.abortOnce(armed, connection));
        client.blocked(true);
        try {
            Reply reply = connection.call(List.of(command.frame()), blockMs).getFirst();
            connection.release(armed.compareAndSet(true, false)); // false: the client left as the reply came
            Reply redirected = StatefulCommands.redirection(reply, connection,
                    scratch.pool(commands.pool()), "nothing was popped");
            return redirected != null ? redirected : reply;
        } catch (BackendException e) {
            armed.set(false);
            connection.release(false);
            return ProxyError.of(e.getMessage());
        } finally {
            client.blocked(false);
        }
    }

    /**
     * How long the server may hold the reply, in ms: {@link #FOREVER} for a block time of 0, 0 for a time that
     * does not parse (the server answers the error at once), {@link #NOT_BLOCKING} for XREAD without BLOCK.
     */
    static long blockMs(String name, RespCommand command) {
        return switch (name) {
            case "blmpop", "bzmpop" -> seconds(command, 1);
            case "xread", "xreadgroup" -> xreadBlock(command);
            default -> seconds(command, command.argCount() - 1); // BLPOP k... timeout, BLMOVE ... timeout
        };
    }

    private static long seconds(RespCommand command, int index) {
        try {
            double s = Double.parseDouble(command.argString(index));
            if (!(s >= 0) || Double.isInfinite(s)) {
                return 0;
            }
            return s == 0 ? FOREVER : (long) Math.ceil(s * 1000);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long xreadBlock(RespCommand command) {
        for (int i = 1; i < command.argCount() - 1; i++) {
            if (command.argEqualsIgnoreCase(i, "streams")) {
                return NOT_BLOCKING;
            }
            if (command.argEqualsIgnoreCase(i, "block")) {
                try {
                    long ms = Long.parseLong(command.argString(i + 1));
                    return ms == 0 ? FOREVER : Math.max(0, ms);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return NOT_BLOCKING;
    }
}
