package io.rproxy.proxy;

import io.rproxy.backend.PendingReply;
import io.rproxy.backend.ProxyError;
import io.rproxy.backend.Sender;
import io.rproxy.backend.Targets;
import io.rproxy.config.PoolConfig;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CONFIG GET pattern ... answered for the pool: sent to one server (spread by client, as {@code any} commands
 * are), the server matches the patterns, and where rproxy's own value differs from that server's it replaces it:
 * {@code maxclients} (the pool's client_connections, when it sets one), {@code timeout} (0: rproxy never closes
 * an idle client), {@code databases} (redis_db + 1: only the pool's database can be selected), {@code port} and
 * {@code bind} (the pool's listener). The servers' passwords ({@code requirepass}, {@code masterauth},
 * {@code masteruser}) are left out. Tools that read a few settings (redis-benchmark's {@code save} and
 * {@code appendonly}) get the servers' values, as they would from one server.
 *
 * <p>Immutable; called on client threads.
 */
final class ConfigGet implements WholePool {
    private static final Set<String> WITHHELD = Set.of("requirepass", "masterauth", "masteruser");

    @Override
    public PendingReply send(RespCommand command, Pool pool, Sender sender) {
        Targets targets = pool.targets();
        int target = targets.any(sender.affinity());
        String server = targets.describeServer(target);
        PendingReply part = targets.send(target, command.frame(), sender);
        Map<String, String> own = ownValues(pool);
        return () -> answer(part, server, own);
    }

    private static Map<String, String> ownValues(Pool pool) {
        PoolConfig config = pool.config();
        Map<String, String> own = new HashMap<>();
        if (config.clientConnections() > 0) {
            own.put("maxclients", Integer.toString(config.clientConnections()));
        }
        own.put("timeout", "0");
        own.put("databases", Integer.toString(config.redisDb() + 1));
        own.put("port", Integer.toString(pool.port()));
        own.put("bind", config.listen().host());
        return own;
    }

    private static Reply answer(PendingReply part, String server, Map<String, String> own) {
        Reply reply = part.await();
        if (reply.isError()) {
            return Splitter.namingServer(reply, server);
        }
        try {
            List<Reply> pairs = reply.type() == '*' && !reply.isNull() ? reply.elements() : null;
            if (pairs == null || pairs.size() % 2 != 0) {
                throw new ProtocolException("expected name-value pairs, got " + reply);
            }
            List<Reply> answer = new ArrayList<>(pairs.size());
            for (int i = 0; i < pairs.size(); i += 2) {
                String name = new String(pairs.get(i).bulkValue(), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
                if (WITHHELD.contains(name)) {
                    continue;
                }
                String value = own.get(name);
                answer.add(pairs.get(i));
                answer.add(value == null ? pairs.get(i + 1) : Reply.bulk(value.getBytes(StandardCharsets.UTF_8)));
            }
            return Reply.array(answer);
        } catch (ProtocolException e) {
            String message = "malformed reply to CONFIG GET: " + e.getMessage();
            part.misaligned(message);
            return ProxyError.of(server + ": " + message);
        }
    }
}
