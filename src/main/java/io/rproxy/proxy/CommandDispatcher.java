package io.rproxy.proxy;

import io.rproxy.backend.BackendRequest;
import io.rproxy.backend.PendingReply;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.util.Map;
import java.util.Set;

/**
 * Decides what happens to each command of one pool's clients: answered by the proxy, forwarded by key to the
 * server that owns its keys, split over several servers and merged, or refused with a clear error. Checks
 * come in redis-server's order: unknown command, arity, authentication.
 *
 * <p>Stateless apart from its pool; called on each client's own thread.
 */
final class CommandDispatcher {
    private static final Map<String, Splitter> SPLITTERS = Map.of(
            "mget", new Splitter.MultiGet(),
            "mset", new Splitter.MultiSet(),
            "del", new Splitter.KeyCount(),
            "unlink", new Splitter.KeyCount(),
            "exists", new Splitter.KeyCount(),
            "touch", new Splitter.KeyCount());

    /**
     * Keyed commands that cannot work through a proxy that multiplexes clients on shared backend connections:
     * they would block or change the state of a connection other clients share.
     */
    private static final Set<String> CONNECTION_STATEFUL = Set.of(
            "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop",
            "watch", "subscribe", "psubscribe", "ssubscribe", "xread", "xreadgroup");

    private final Pool pool;
    private final CommandTable table;
    private final LocalCommands local;

    CommandDispatcher(Pool pool, CommandTable table) {
        this.pool = pool;
        this.table = table;
        this.local = new LocalCommands(pool.config().redisAuth(), pool.config().redisDb(), table.redisVersion());
    }

    boolean requiresAuth() {
        return pool.config().redisAuth().isPresent();
    }

    PendingReply dispatch(RespCommand command, ClientState client) {
        CommandSpec spec = table.lookup(command);
        if (spec != null && spec.hasSubcommands() && LocalCommands.isClientSetInfo(command)) {
            return PendingReply.of(Reply.OK);
        }
        if (spec == null) {
            return error(CommandErrors.unknownCommand(command));
        }
        if (!spec.arityAllows(command.argCount())) {
            return error(CommandErrors.wrongArity(spec));
        }
        if (spec.hasSubcommands()) {
            return error(CommandErrors.unknownSubcommand(command));
        }
        String name = spec.name();
        if (!client.authenticated() && !LocalCommands.allowedBeforeAuth(name)) {
            return PendingReply.of(Errors.NOAUTH);
        }
        Reply answer = local.answer(name, command, client);
        if (answer != null) {
            return PendingReply.of(answer);
        }
        Splitter splitter = SPLITTERS.get(name);
        if (splitter != null) {
            return splitter.argCountFits(command.argCount())
                    ? splitter.split(command, pool, client.id())
                    : error(CommandErrors.wrongArity(spec));
        }
        if (CONNECTION_STATEFUL.contains(name)) {
            return PendingReply.of(Errors.notSupported(name));
        }
        return forwardByKey(spec, command, client);
    }

    private static PendingReply error(String message) {
        return PendingReply.of(Reply.error(message));
    }

    private PendingReply forwardByKey(CommandSpec spec, RespCommand command, ClientState client) {
        int[] keys;
        try {
            keys = spec.keys().keyIndexes(command);
        } catch (KeyFinderException e) {
            return error(e.getMessage());
        }
        if (keys.length == 0) {
            return PendingReply.of(Errors.notSupported(spec.name()));
        }
        byte[] frame = command.frame();
        int server = pool.route(frame, command.argOffset(keys[0]), command.argLength(keys[0]));
        if (server < 0) {
            return PendingReply.of(Errors.noServer(pool.name()));
        }
        for (int i = 1; i < keys.length; i++) {
            if (pool.route(frame, command.argOffset(keys[i]), command.argLength(keys[i])) != server) {
                return PendingReply.of(Errors.CROSSSLOT);
            }
        }
        BackendRequest request = new BackendRequest(frame);
        pool.server(server).send(request, client.id());
        return request;
    }
}
