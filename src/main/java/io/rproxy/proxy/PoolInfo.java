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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * INFO [section ...] for the pool: rproxy's own sections ({@link InfoCommand}), then the pool's Memory and Keyspace
 * when they are asked for (by name, or as one of all sections), from every server. Memory: {@code used_memory} and
 * {@code maxmemory} summed, and {@code maxmemory_policy} the servers' own when they agree, else {@code mixed}
 * (frameworks read it: Sidekiq warns unless it is {@code noeviction}). Keyspace: the pool's database only
 * ({@code redis_db}; other databases of the servers are not the pool's), {@code db0:keys=N,expires=M,avg_ttl=T},
 * the keys and expires summed and avg_ttl the servers' averages weighted by their expiring keys. Each section is
 * asked for with its own INFO, which every Redis version answers. A server that fails gives one error naming it,
 * as every whole-pool command does.
 *
 * <p>Immutable apart from what it reads; called on client threads.
 */
final class PoolInfo implements WholePool {
    private static final byte[] INFO_KEYSPACE = RespCommand.of("INFO", "keyspace").frame();
    private static final byte[] INFO_MEMORY = RespCommand.of("INFO", "memory").frame();

    private final InfoCommand info;

    PoolInfo(InfoCommand info) {
        this.info = info;
    }

    @Override
    public PendingReply send(RespCommand command, Pool pool, Sender sender) {
        String own = info.text(command);
        boolean memory = InfoCommand.asks(command, "memory");
        boolean keyspace = InfoCommand.asks(command, "keyspace");
        if (!memory && !keyspace) {
            return PendingReply.of(bulk(own));
        }
        Targets targets = pool.targets();
        List<Integer> every = targets.everyTarget();
        String[] servers = EveryServer.describeEach(targets, every);
        PendingReply[] memoryParts = memory ? EveryServer.sendToEach(targets, every, INFO_MEMORY, sender) : null;
        PendingReply[] keyspaceParts = keyspace ? EveryServer.sendToEach(targets, every, INFO_KEYSPACE, sender) : null;
        int database = pool.config().redisDb();
        return () -> {
            List<Reply> memoryFailures = new ArrayList<>();
            List<Reply> keyspaceFailures = new ArrayList<>();
            MemorySums memorySums = new MemorySums();
            Map<Integer, long[]> databases = new TreeMap<>(); // keys, expires, sum of avg_ttl * expires
            Reply[] memoryReplies = memory
                    ? awaitAll(memoryParts, servers, "memory", memoryFailures, memorySums::add) : null;
            Reply[] keyspaceReplies = keyspace
                    ? awaitAll(keyspaceParts, servers, "keyspace", keyspaceFailures, r -> add(databases, text(r)))
                    : null;
            if (!memoryFailures.isEmpty()) { // a server that fails both fails once
                return EveryServer.oneError(memoryReplies, memoryFailures, "info");
            }
            if (!keyspaceFailures.isEmpty()) {
                return EveryServer.oneError(keyspaceReplies, keyspaceFailures, "info");
            }
            StringBuilder text = new StringBuilder(own);
            if (memory) {
                section(text, "Memory").append(memorySums.text());
            }
            if (keyspace) {
                section(text, "Keyspace").append(keyspaceSection(databases, database));
            }
            return bulk(text.toString());
        };
    }

    /**
     * Every server's reply, each added up by {@code add} as it comes; an error reply or one that does not parse adds
     * its failure, naming the server (a reply that does not parse condemns its connection, and the sums are then
     * not used).
     */
    private static Reply[] awaitAll(PendingReply[] parts, String[] servers, String section, List<Reply> failures,
                                    Consumer<Reply> add) {
        Reply[] replies = new Reply[parts.length];
        for (int p = 0; p < parts.length; p++) {
            replies[p] = parts[p].await();
            if (replies[p].isError()) {
                failures.add(Splitter.namingServer(replies[p], servers[p]));
                continue;
            }
            try {
                add.accept(replies[p]);
            } catch (ProtocolException | IllegalArgumentException | NullPointerException e) {
                String message = "malformed reply to INFO " + section + ": " + e.getMessage();
                parts[p].misaligned(message);
                failures.add(ProxyError.of(servers[p] + ": " + message));
            }
        }
        return replies;
    }

    private static StringBuilder section(StringBuilder text, String title) {
        if (!text.isEmpty()) {
            text.append("\r\n");
        }
        return text.append("# ").append(title).append("\r\n");
    }

    /** The pool's Memory section, added up server by server. */
    private static final class MemorySums {
        private long used;
        private long max;
        private final Set<String> policies = new TreeSet<>();

        void add(Reply reply) {
            Map<String, String> fields = fields(reply);
            used += Long.parseLong(fields.getOrDefault("used_memory", "0"));
            max += Long.parseLong(fields.getOrDefault("maxmemory", "0"));
            policies.add(fields.getOrDefault("maxmemory_policy", ""));
        }

        String text() {
            String policy = policies.size() == 1 ? policies.iterator().next() : "mixed";
            return "used_memory:" + used + "\r\nused_memory_human:" + human(used) + "\r\nmaxmemory:" + max
                    + "\r\nmaxmemory_human:" + human(max) + "\r\nmaxmemory_policy:" + policy + "\r\n";
        }
    }

    private static String keyspaceSection(Map<Integer, long[]> databases, int database) {
        StringBuilder text = new StringBuilder();
        databases.keySet().removeIf(db -> db != database); // the pool's clients see only its redis_db
        databases.forEach((db, sums) -> text.append("db").append(db).append(":keys=").append(sums[0])
                .append(",expires=").append(sums[1]).append(",avg_ttl=")
                .append(sums[1] == 0 ? 0 : sums[2] / sums[1]).append("\r\n"));
        return text.toString();
    }

    /** A section's {@code name:value} lines (its title and blank lines skipped); IllegalArgumentException if not. */
    private static Map<String, String> fields(Reply reply) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text(reply).split("\r\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("a line without a field name: " + line);
            }
            fields.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return fields;
    }

    /** Redis's {@code *_human} form: bytes with B, K, M, G or T and two decimals above a kilobyte. */
    static String human(long bytes) {
        String[] units = {"B", "K", "M", "G", "T"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.2f%s", value, units[unit]);
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

    private static String text(Reply reply) {
        return new String(reply.bulkValue(), StandardCharsets.UTF_8);
    }

    private static Reply bulk(String text) {
        return Reply.bulk(text.getBytes(StandardCharsets.UTF_8));
    }
}
