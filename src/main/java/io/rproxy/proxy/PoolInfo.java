package io.rproxy.proxy;

import io.rproxy.backend.PendingReply;
import io.rproxy.backend.ProxyError;
import io.rproxy.backend.Sender;
import io.rproxy.backend.Targets;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * INFO [section ...] for the pool: rproxy's own sections ({@link InfoCommand}), and when the Keyspace is asked for
 * (by name, or as one of all sections) every server's {@code INFO keyspace} summed for the pool's database
 * ({@code redis_db}; other databases of the servers are not the pool's): {@code db0:keys=N,expires=M,avg_ttl=T},
 * the keys and expires summed and avg_ttl the servers' averages weighted by their expiring keys. A server that
 * fails gives one error naming it, as every whole-pool command does.
 *
 * <p>Immutable apart from what it reads; called on client threads.
 */
final class PoolInfo implements WholePool {
    private static final byte[] INFO_KEYSPACE = RespCommand.of("INFO", "keyspace").frame();

    private final InfoCommand info;

    PoolInfo(InfoCommand info) {
        this.info = info;
    }

    @Override
    public PendingReply send(RespCommand command, Pool pool, Sender sender) {
        String own = info.text(command);
        if (!InfoCommand.asks(command, "keyspace")) {
            return PendingReply.of(bulk(own));
        }
        Targets targets = pool.targets();
        List<Integer> every = targets.everyTarget();
        PendingReply[] parts = new PendingReply[every.size()];
        String[] servers = new String[parts.length];
        for (int p = 0; p < parts.length; p++) {
            servers[p] = targets.describeServer(every.get(p));
            parts[p] = targets.send(every.get(p), INFO_KEYSPACE, sender);
        }
        int database = pool.config().redisDb();
        return () -> withKeyspace(own, parts, servers, database);
    }

    private static Reply withKeyspace(String own, PendingReply[] parts, String[] servers, int database) {
        Reply[] replies = new Reply[parts.length];
        List<Reply> failures = new ArrayList<>();
        Map<Integer, long[]> databases = new TreeMap<>(); // keys, expires, sum of avg_ttl * expires
        for (int p = 0; p < parts.length; p++) {
            replies[p] = parts[p].await();
            if (replies[p].isError()) {
                failures.add(Splitter.namingServer(replies[p], servers[p]));
                continue;
            }
            try {
                add(databases, new String(replies[p].bulkValue(), StandardCharsets.UTF_8));
            } catch (ProtocolException | IllegalArgumentException | NullPointerException e) {
                String message = "malformed reply to INFO keyspace: " + e.getMessage();
                parts[p].misaligned(message);
                failures.add(ProxyError.of(servers[p] + ": " + message));
            }
        }
        if (!failures.isEmpty()) {
            return EveryServer.oneError(replies, failures, "info");
        }
        StringBuilder text = new StringBuilder(own);
        if (!text.isEmpty()) {
            text.append("\r\n");
        }
        text.append("# Keyspace\r\n");
        databases.keySet().removeIf(db -> db != database); // the pool's clients see only its redis_db
        databases.forEach((db, sums) -> text.append("db").append(db).append(":keys=").append(sums[0])
                .append(",expires=").append(sums[1]).append(",avg_ttl=")
                .append(sums[1] == 0 ? 0 : sums[2] / sums[1]).append("\r\n"));
        return bulk(text.toString());
    }

    /** Adds one server's {@code dbN:keys=..,expires=..,avg_ttl=..} lines; other lines are its section title. */
    private static void add(Map<Integer, long[]> databases, String keyspace) {
        for (String line : keyspace.split("\r\n")) {
            if (!line.startsWith("db")) {
                continue;
            }
            int colon = line.indexOf(':');
            int db = Integer.parseInt(line.substring(2, colon));
            long keys = 0;
            long expires = 0;
            long avgTtl = 0;
            for (String field : line.substring(colon + 1).split(",")) {
                String[] kv = field.split("=", 2);
                switch (kv[0]) {
                    case "keys" -> keys = Long.parseLong(kv[1]);
                    case "expires" -> expires = Long.parseLong(kv[1]);
                    case "avg_ttl" -> avgTtl = Long.parseLong(kv[1]);
                    default -> { } // fields of later Redis versions (subexpiry) are not summed
                }
            }
            long[] sums = databases.computeIfAbsent(db, d -> new long[3]);
            sums[0] += keys;
            sums[1] += expires;
            sums[2] += avgTtl * expires;
        }
    }

    private static Reply bulk(String text) {
        return Reply.bulk(text.getBytes(StandardCharsets.UTF_8));
    }
}
