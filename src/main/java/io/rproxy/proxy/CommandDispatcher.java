package io.rproxy.proxy;

import io.rproxy.command.CommandClass;
import io.rproxy.command.CommandClasses;
import io.rproxy.command.CommandErrors;
import io.rproxy.command.CommandFlag;
import io.rproxy.command.CommandSpec;
import io.rproxy.command.CommandTable;
import io.rproxy.command.KeyFinderException;
import io.rproxy.backend.PendingReply;
import io.rproxy.backend.ProxyError;
import io.rproxy.backend.Targets;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Decides what happens to each command of one pool's clients, by the command's class ({@link CommandClasses}):
 * forwarded by key to the server that owns its keys, split over several servers and merged, sent to every server
 * ({@link WholePool}), answered by the proxy, sent to any one server, or refused with a clear error. Checks come
 * first, in redis-server's order: unknown command, arity, authentication.
 *
 * <p>Stateless apart from its pool; called on each client's own thread.
 */
final class CommandDispatcher {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CommandDispatcher.class);
    private final Pool pool;
    private final CommandTable table;
    private final CommandClasses classes;
    private final LocalCommands local;
    private final StatefulCommands stateful;
    /** The splitter of each split command, by full name, from its merge in the class table. */
    private final Map<String, Splitter> splitters = new HashMap<>();
    /** The shape of each whole-pool command, by full name, from its detail in the class table. */
    private final Map<String, WholePool> wholePool = new HashMap<>();

    CommandDispatcher(Pool pool, CommandTable table, CommandClasses classes, Clock clock) {
        this.pool = pool;
        this.table = table;
        this.classes = classes;
        this.local = new LocalCommands(pool, table, clock);
        this.stateful = new StatefulCommands(pool, this::refuse, classes);
        for (CommandSpec spec : table) {
            if (CommandClasses.runnable(spec) && classes.classOf(spec) == CommandClass.SPLIT) {
                splitters.put(spec.name(), Splitter.of(classes.of(spec).detail()));
            }
            if (CommandClasses.runnable(spec) && classes.classOf(spec) == CommandClass.ALL) {
                wholePool.put(spec.name(), WholePool.of(classes.of(spec).detail(), local.info()));
            }
        }
    }

    boolean requiresAuth() {
        return pool.config().redisAuth().isPresent();
    }

    /** @param readAt System.nanoTime when the session read the command */
    PendingReply dispatch(RespCommand command, ClientState client, long readAt) {
        CommandSpec spec = table.lookup(command);
        client.commandArrived(spec == null ? null : spec.name(), readAt);
        Reply rejected = rejection(spec, command, client);
        if (rejected == null && denied(spec)) {
            // Before the transaction's queue: a denied command inside MULTI dooms it rather than run at EXEC.
            rejected = Errors.denied(spec.name(), pool.name());
        }
        Subscriptions subscriptions = client.subscriptions();
        if (rejected == null && subscriptions != null && subscriptions.active()) {
            rejected = Subscriptions.refusal(spec.name());
            if (rejected == null && spec.name().equals("ping")) {
                return PendingReply.of(Subscriptions.ping(command));
            }
        }
        Transaction tx = client.transaction();
        if (rejected == null && tx.queuing() && subscription(spec)) {
            // Queued, it would subscribe the transaction's dedicated connection and leave it so.
            rejected = ProxyError.of("'" + spec.name() + "' cannot be queued in a transaction through rproxy");
        }
        if (rejected != null && spec != null && spec.name().equals("exec")) {
            return PendingReply.of(StatefulCommands.execRejected(rejected, tx));
        }
        if (tx.queuing() && StatefulCommands.queuedInsideMulti(spec)) {
            // After MULTI nothing of the client's runs until EXEC: a command is queued, or refused and dooms it.
            CommandClass commandClass = rejected != null ? null
                    : LocalCommands.isClientSetInfo(command) ? CommandClass.LOCAL : classOf(spec);
            return PendingReply.of(stateful.queue(spec, commandClass, command, rejected, client));
        }
        if (rejected != null) {
            if (tx.queuing()) {
                tx.doom(); // MULTI x, WATCH, DISCARD x inside MULTI: Redis flags the transaction for these too
            }
            return PendingReply.of(rejected);
        }
        if (LocalCommands.isClientSetInfo(command)) {
            return PendingReply.of(Reply.OK);
        }
        return switch (classOf(spec)) {
            case FORWARD -> forwardByKey(spec, command, client);
            case SPLIT -> split(spec, command, client);
            case LOCAL -> PendingReply.of(local.answer(spec.name(), command, client));
            case ANY -> send(pool.targets().any(client.id()), command, client);
            case ALL -> wholePool.get(spec.name()).send(command, pool, client);
            case REFUSE -> PendingReply.of(refuse(spec.name()));
            case STATEFUL -> stateful(spec, command, client);
            case CHANNEL -> ChannelCommands.send(classes.of(spec).detail(), command, pool, client);
        };
    }

    /** Whether the pool's deny_commands names the command, or the container of a subcommand. */
    private boolean denied(CommandSpec spec) {
        Set<String> deny = pool.config().denyCommands();
        if (deny.isEmpty()) {
            return false;
        }
        int bar = spec.name().indexOf('|');
        return deny.contains(spec.name()) || bar > 0 && deny.contains(spec.name().substring(0, bar));
    }

    /** Refuses a command: counted by name in STATUS and /metrics, logged the first time a name is refused. */
    Reply refuse(String name) {
        if (pool.stats().refused(name)) {
            log.info("pool '{}': refused '{}' for the first time; refusals are counted per command in STATUS and"
                    + " /metrics", pool.name(), name);
        }
        return Errors.notSupported(name);
    }

    private CommandClass classOf(CommandSpec spec) {
        return classes.classOf(spec);
    }

    /** The error a command gets before its class is looked at, in redis-server's order; null when none. */
    private static Reply rejection(CommandSpec spec, RespCommand command, ClientState client) {
        if (spec == null) {
            return Reply.error(CommandErrors.unknownCommand(command));
        }
        if (!spec.arityAllows(command.argCount())) {
            return Reply.error(CommandErrors.wrongArity(spec));
        }
        boolean setInfo = LocalCommands.isClientSetInfo(command); // Redis 7.2's, not in the 7.0 table
        if (spec.hasSubcommands() && command.argCount() > 1 && !setInfo) { // COMMAND alone runs, COMMAND FOO not
            return Reply.error(CommandErrors.unknownSubcommand(command));
        }
        if (!client.authenticated() && !spec.has(CommandFlag.NO_AUTH)) {
            return Errors.NOAUTH;
        }
        return null;
    }

    private boolean subscription(CommandSpec spec) {
        return classOf(spec) == CommandClass.STATEFUL && classes.of(spec).detail().equals("subscription");
    }

    private PendingReply stateful(CommandSpec spec, RespCommand command, ClientState client) {
        if (subscription(spec)) {
            Subscriptions subscriptions = client.startSubscriptions();
            return PendingReply.of(subscriptions == null ? refuse(spec.name())
                    : subscriptions.run(spec.name(), command, pool, client));
        }
        Reply reply = stateful.run(spec, command, client);
        return reply == null ? forwardByKey(spec, command, client) : PendingReply.of(reply);
    }

    private static PendingReply error(String message) {
        return PendingReply.of(Reply.error(message));
    }

    private PendingReply split(CommandSpec spec, RespCommand command, ClientState client) {
        Splitter splitter = splitters.get(spec.name());
        return splitter.argCountFits(command.argCount())
                ? splitter.split(command, pool, client, spec.name())
                : error(CommandErrors.wrongArity(spec));
    }

    private PendingReply forwardByKey(CommandSpec spec, RespCommand command, ClientState client) {
        int[] keys;
        try {
            keys = spec.keys().keyIndexes(command);
        } catch (KeyFinderException e) {
            return error(e.getMessage());
        }
        if (keys.length == 0) {
            return PendingReply.of(Errors.noKeys(spec.name())); // EVAL, FCALL with numkeys 0
        }
        byte[] frame = command.frame();
        int server = pool.route(frame, command.argOffset(keys[0]), command.argLength(keys[0]));
        if (server == Targets.NONE) {
            return PendingReply.of(Errors.noServer(pool.name()));
        }
        for (int i = 1; i < keys.length; i++) {
            if (pool.route(frame, command.argOffset(keys[i]), command.argLength(keys[i])) != server) {
                return crossSlot();
            }
        }
        boolean sort = spec.name().equals("sort") || spec.name().equals("sort_ro");
        if (sort && !SortPatterns.stayOn(command, server, pool)) {
            return crossSlot();
        }
        return send(server, command, client);
    }

    private PendingReply crossSlot() {
        return PendingReply.of(pool.targets().crossSlot());
    }

    private PendingReply send(int server, RespCommand command, ClientState client) {
        return pool.targets().send(server, command.frame(), client);
    }
}
