package io.rproxy.proxy;

import io.rproxy.backend.BackendException;
import io.rproxy.backend.DedicatedConnection;
import io.rproxy.backend.ProxyError;
import io.rproxy.backend.Targets;
import io.rproxy.command.CommandClass;
import io.rproxy.command.CommandClasses;
import io.rproxy.command.CommandSpec;
import io.rproxy.command.KeyFinderException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The commands that hold state on a backend connection ({@code stateful} in command-classes.tsv): MULTI, EXEC,
 * DISCARD, WATCH, UNWATCH, and the blocking commands. They run on a {@link DedicatedConnection} to the one server
 * of their keys, leased from that server's reserve ({@link Targets#lease}), so a shared pipelined connection is
 * never blocked and never left in a state. Replies are Redis's own wherever rproxy can be Redis; where it cannot
 * (keys on two servers), the whole transaction is refused, and nothing of it runs anywhere.
 *
 * <p>Stateless apart from its pool; called on each client's own session thread, which it blocks while a
 * dedicated connection answers.
 */
final class StatefulCommands {
    private static final Reply QUEUED = Reply.simple("QUEUED");
    private static final Reply NESTED = Reply.error("ERR MULTI calls can not be nested");
    private static final Reply EXEC_WITHOUT = Reply.error("ERR EXEC without MULTI");
    private static final Reply DISCARD_WITHOUT = Reply.error("ERR DISCARD without MULTI");
    private static final Reply WATCH_INSIDE = Reply.error("ERR WATCH inside MULTI is not allowed");
    private static final Reply EXECABORT = Reply.error("EXECABORT Transaction discarded because of previous errors.");
    private static final byte[] MULTI = RespCommand.of("MULTI").frame();
    private static final byte[] EXEC = RespCommand.of("EXEC").frame();
    private static final byte[] UNWATCH = RespCommand.of("UNWATCH").frame();
    /** Commands Redis runs at once inside MULTI rather than queue them. */
    private static final Set<String> RUN_INSIDE_MULTI = Set.of("multi", "exec", "discard", "watch", "quit", "reset");
    /** Local commands that mean the same on a server, so they may be queued and sent with the transaction. */
    private static final Set<String> LOCAL_QUEUEABLE = Set.of("ping", "echo");

    private final Pool pool;
    /** The dispatcher's refusal, which counts and logs it. */
    private final java.util.function.Function<String, Reply> refusal;
    /** For the shape of a channel command, which says where its channels are. */
    private final CommandClasses classes;

    StatefulCommands(Pool pool, java.util.function.Function<String, Reply> refusal, CommandClasses classes) {
        this.pool = pool;
        this.refusal = refusal;
        this.classes = classes;
    }

    /** Whether a command, sent while the client is inside MULTI, is queued (else it runs at once, as in Redis). */
    static boolean queuedInsideMulti(CommandSpec spec) {
        return spec == null || !RUN_INSIDE_MULTI.contains(spec.name());
    }

    /**
     * Queues a command sent after MULTI. {@code rejected} is the error the command got before its class was
     * looked at (unknown, arity, NOAUTH): like any other queuing error, it dooms the transaction.
     */
    Reply queue(CommandSpec spec, CommandClass commandClass, RespCommand command, Reply rejected, ClientState client) {
        Transaction tx = client.transaction();
        Reply refused = rejected != null ? rejected : refusalInMulti(spec, commandClass, command, tx);
        long limit = pool.config().clientQueryBufferLimit();
        if (refused == null && limit > 0 && tx.queuedBytes() + command.frame().length > limit) {
            refused = ProxyError.of("the transaction's queued commands passed client_query_buffer_limit ("
                    + limit + " bytes)");
        }
        if (refused != null) {
            tx.doom();
            return refused;
        }
        tx.queue(command.frame());
        return QUEUED;
    }

    private Reply refusalInMulti(CommandSpec spec, CommandClass commandClass, RespCommand command, Transaction tx) {
        return switch (commandClass) {
            case REFUSE -> refusal.apply(spec.name());
            case LOCAL -> LOCAL_QUEUEABLE.contains(spec.name()) ? null
                    : ProxyError.of("'" + spec.name() + "' cannot be queued in a transaction through rproxy");
            case ANY -> null;
            // Whole-pool commands run on every server: inside a transaction of one server they would half-run.
            case ALL -> ProxyError.of("'" + spec.name() + "' runs on every server of the pool and cannot be queued in"
                    + " a transaction through rproxy");
            // A channel lives where a key of its name would, and rproxy's subscribers listen there: routed as a
            // key, PUBLISH reaches them from the transaction's server (Celery's results: MULTI SET k PUBLISH k EXEC).
            case CHANNEL -> onOneServer(ChannelCommands.channelArgs(classes.of(spec).detail(), command), spec,
                    command, tx);
            case STATEFUL -> spec.keys().findsKeys() ? chooseTarget(spec, command, tx) : null; // UNWATCH: keyless
            case FORWARD, SPLIT -> chooseTarget(spec, command, tx);
        };
    }

    /**
     * Routes the command's keys and makes their server the transaction's: null when they all live on the server
     * it already has (or choose it), else the error to answer.
     */
    private Reply chooseTarget(CommandSpec spec, RespCommand command, Transaction tx) {
        int[] keys;
        try {
            keys = spec.keys().keyIndexes(command);
        } catch (KeyFinderException e) {
            return Reply.error(e.getMessage());
        }
        return onOneServer(keys, spec, command, tx);
    }

    /** As {@link #chooseTarget}, for the arguments at {@code keys} (keys, or channels placed as keys). */
    private Reply onOneServer(int[] keys, CommandSpec spec, RespCommand command, Transaction tx) {
        Pool routing = tx.pool(pool);
        if (keys.length == 0) {
            return null; // EVAL with numkeys 0 runs on whichever server the transaction has
        }
        int target = Targets.NONE;
        for (int key : keys) {
            int t = routing.route(command.frame(), command.argOffset(key), command.argLength(key));
            if (t == Targets.NONE) {
                return Errors.noServer(routing.name());
            }
            if (target != Targets.NONE && t != target) {
                return routing.targets().crossSlot();
            }
            target = t;
        }
        if (tx.hasTarget() && tx.target() != target) {
            return routing.targets().crossSlot();
        }
        boolean sort = spec.name().equals("sort") || spec.name().equals("sort_ro");
        if (sort && !SortPatterns.stayOn(command, target, routing)) {
            return routing.targets().crossSlot();
        }
        tx.target(routing, target);
        return null;
    }

    /**
     * Runs a stateful command outside MULTI's queue. Null when it holds no state after all (XREAD without
     * BLOCK): the dispatcher forwards it as any keyed command.
     */
    Reply run(CommandSpec spec, RespCommand command, ClientState client) {
        Transaction tx = client.transaction();
        return switch (spec.name()) {
            case "multi" -> multi(tx);
            case "exec" -> exec(tx, client);
            case "discard" -> discard(tx);
            case "watch" -> watch(spec, command, tx, client);
            case "unwatch" -> unwatch(tx);
            default -> Blocking.run(this, spec, command, client);
        };
    }

    private static Reply multi(Transaction tx) {
        if (tx.queuing()) {
            return NESTED;
        }
        tx.begin();
        return Reply.OK;
    }

    private Reply exec(Transaction tx, ClientState client) {
        if (!tx.queuing()) {
            return EXEC_WITHOUT;
        }
        boolean dirty = tx.dirty();
        List<byte[]> queued = tx.end();
        if (dirty) {
            endWatch(tx);
            return EXECABORT;
        }
        client.hooks().settle();
        DedicatedConnection connection = tx.watching();
        tx.watching(null);
        Pool routing = tx.pool(pool);
        try {
            if (connection == null) {
                connection = routing.targets().lease(tx.hasTarget() ? tx.target() : routing.targets().any(client.id()));
            }
        } catch (BackendException e) {
            tx.forgetTarget();
            return ProxyError.of(e.getMessage());
        }
        tx.forgetTarget();
        List<byte[]> frames = new ArrayList<>(queued.size() + 2);
        frames.add(MULTI);
        frames.addAll(queued);
        frames.add(EXEC);
        return execOn(connection, frames, routing);
    }

    private static Reply execOn(DedicatedConnection connection, List<byte[]> frames, Pool routing) {
        List<Reply> replies;
        try {
            replies = connection.call(frames, 0);
        } catch (BackendException e) {
            connection.release(false);
            return ProxyError.of(e.getMessage());
        }
        connection.release(true); // EXEC ended the transaction and every WATCH: the connection is clean
        for (int i = 1; i < replies.size() - 1; i++) {
            Reply redirected = redirection(replies.get(i), connection, routing, "the transaction was discarded, "
                    + "nothing of it ran");
            if (redirected != null) {
                return redirected;
            }
        }
        return replies.getLast();
    }

    /**
     * A cluster node's redirection of a request on a dedicated connection, as a clear error (a client of rproxy
     * does not follow MOVED itself); the pool learns the slot's new owner. Null when {@code reply} is no
     * redirection.
     */
    static Reply redirection(Reply reply, DedicatedConnection connection, Pool routing, String consequence) {
        if (!reply.isError()
                || !(reply.errorMessage().startsWith("MOVED ") || reply.errorMessage().startsWith("ASK "))) {
            return null;
        }
        routing.targets().redirected(reply, connection.host());
        return ProxyError.of(connection.describe() + " redirected the request (" + reply.errorMessage()
                + ") in pool '" + routing.name() + "'; " + consequence + "; try again");
    }

    /**
     * EXEC itself rejected (wrong arity, NOAUTH): Redis discards the transaction and every WATCH, and answers in
     * EXECABORT's words, inside MULTI or not.
     */
    static Reply execRejected(Reply rejected, Transaction tx) {
        tx.end();
        endWatch(tx);
        String message = rejected.errorMessage();
        return Reply.error("EXECABORT Transaction discarded because of: "
                + (message.startsWith("ERR ") ? message.substring(4) : message));
    }

    private static Reply discard(Transaction tx) {
        if (!tx.queuing()) {
            return DISCARD_WITHOUT;
        }
        tx.end();
        endWatch(tx);
        return Reply.OK;
    }

    private static Reply unwatch(Transaction tx) {
        endWatch(tx);
        return Reply.OK;
    }

    /** Ends a WATCH: UNWATCH on its connection, which goes back clean to the reserve (or is closed on error). */
    private static void endWatch(Transaction tx) {
        DedicatedConnection connection = tx.watching();
        tx.watching(null);
        if (connection != null) {
            try {
                connection.call(UNWATCH);
                connection.release(true);
            } catch (BackendException e) {
                connection.release(false);
            }
        }
        tx.forgetTarget();
    }

    private Reply watch(CommandSpec spec, RespCommand command, Transaction tx, ClientState client) {
        if (tx.queuing()) {
            return WATCH_INSIDE;
        }
        Reply refused = chooseTarget(spec, command, tx);
        if (refused != null) {
            return refused;
        }
        client.hooks().settle();
        DedicatedConnection connection = tx.watching();
        boolean fresh = connection == null;
        try {
            if (fresh) {
                connection = tx.pool(pool).targets().lease(tx.target());
            }
            Reply reply = connection.call(command.frame());
            Reply redirected = redirection(reply, connection, tx.pool(pool), "these keys are not watched");
            if (redirected != null) {
                if (fresh) { // the keys watched before, if any, stay watched on the connection that has them
                    connection.release(true);
                    tx.forgetTarget();
                }
                return redirected;
            }
            tx.watching(connection);
            return reply;
        } catch (BackendException e) {
            if (connection != null) {
                connection.release(false);
            }
            tx.watching(null);
            tx.forgetTarget();
            return ProxyError.of(e.getMessage());
        }
    }

    /** The target of a blocking command's keys, or the error to answer; see {@link Blocking}. */
    Reply routeBlocking(CommandSpec spec, RespCommand command, Transaction scratch) {
        return chooseTarget(spec, command, scratch);
    }

    Pool pool() {
        return pool;
    }

    /** For a client that leaves while blocked: its connection is closed at once, exactly once. */
    static Runnable abortOnce(AtomicBoolean armed, DedicatedConnection connection) {
        return () -> {
            if (armed.compareAndSet(true, false)) {
                connection.abort();
            }
        };
    }
}
