package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rproxy.harness.AgainstOneRedis;
import io.rproxy.harness.RedisServer;
import io.rproxy.resp.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;

/**
 * Seeded random sequences of supported commands, sent both to one redis-server and to rproxy over three: every
 * reply must be byte-identical. Strings, counters, hashes, lists, sets, sorted sets, expiry, the split commands,
 * commands on co-located keys (hash tag {@code {t}}), wrong types, wrong arity and unknown commands.
 *
 * <p>One exception, on purpose: TTL and PTTL replies count down, and the two servers are asked at slightly
 * different moments, so two non-negative values within {@value #TTL_SLACK_MS} ms of each other count as equal.
 * EXPIRETIME, which is absolute, is compared exactly. Sets hold integers only, so that they keep Redis's
 * intset encoding, whose order is the same on every server (a hashtable's order depends on its random seed);
 * hashes stay small (listpack: insertion order) for the same reason. Nothing random (SPOP, SRANDMEMBER).
 */
class DifferentialIT {
    @RegisterExtension
    static final AgainstOneRedis setup = AgainstOneRedis.sharded(3, "hash_tag = \"{}\"");

    private static final int COMMANDS = 2000;
    private static final int BATCH = 100;
    private static final long TTL_SLACK_MS = 3000;
    /** An absolute expiry far in the future, so EXPIREAT and EXPIRETIME replies do not depend on the clock. */
    private static final String FAR_FUTURE = "4102444800";

    @BeforeEach
    void flush() {
        setup.flushAll();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 42, 20260101})
    void repliesAreByteIdenticalToOneRedisServer(long seed) {
        Random random = new Random(seed);
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < COMMANDS; i++) {
            commands.add(Generator.next(random));
        }
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            for (int from = 0; from < COMMANDS; from += BATCH) {
                List<List<String>> batch = commands.subList(from, Math.min(COMMANDS, from + BATCH));
                List<Reply> expected = viaDirect.pipeline(batch);
                List<Reply> actual = viaProxy.pipeline(batch);
                for (int i = 0; i < batch.size(); i++) {
                    if (!same(batch.get(i), expected.get(i), actual.get(i))) {
                        fail("seed " + seed + ", command " + (from + i) + ": " + String.join(" ", batch.get(i))
                                + "\n  redis-server: " + expected.get(i) + "\n  rproxy:       " + actual.get(i));
                    }
                }
            }
        }
        assertTrue(Stream.of(setup.backends()).filter(b -> dbSize(b) > 0).count() > 1, "the keys spread over servers");
        assertEquals(dbSize(setup.direct()), Stream.of(setup.backends()).mapToLong(DifferentialIT::dbSize).sum(),
                "as many keys through rproxy as on the direct server");
    }

    private static boolean same(List<String> command, Reply expected, Reply actual) {
        if (expected.equals(actual)) {
            return true;
        }
        String name = command.getFirst().toLowerCase();
        if ((name.equals("ttl") || name.equals("pttl")) && expected.type() == ':' && actual.type() == ':') {
            long a = expected.integer();
            long b = actual.integer();
            long slack = name.equals("ttl") ? TTL_SLACK_MS / 1000 : TTL_SLACK_MS;
            return a >= 0 && b >= 0 && Math.abs(a - b) <= slack;
        }
        return false;
    }

    private static long dbSize(RedisServer server) {
        try (Jedis jedis = server.jedis()) {
            return jedis.dbSize();
        }
    }

    /** Random commands over a small keyspace, so that they meet: overwrite, wrong type, expire, delete. */
    private static final class Generator {
        private static final List<Function<Random, List<String>>> COMMANDS = List.of(
                // strings and counters
                r -> List.of("SET", string(r), value(r)),
                r -> List.of("SET", string(r), value(r), "EX", "100000"),
                r -> List.of("SET", string(r), value(r), pick(r, "NX", "XX", "GET")),
                r -> List.of("GET", string(r)),
                r -> List.of("GET", any(r)),
                r -> List.of("APPEND", string(r), value(r)),
                r -> List.of("STRLEN", string(r)),
                r -> List.of("GETRANGE", string(r), "0", Integer.toString(r.nextInt(10) - 3)),
                r -> List.of("SETRANGE", string(r), Integer.toString(r.nextInt(8)), value(r)),
                r -> List.of("GETDEL", string(r)),
                r -> List.of("INCR", counter(r)),
                r -> List.of("INCRBY", counter(r), Integer.toString(r.nextInt(200) - 100)),
                r -> List.of("DECR", counter(r)),
                r -> List.of("INCRBYFLOAT", counter(r), "1.5"),
                r -> List.of("INCR", string(r)),
                // split commands, keys on every server
                r -> withKeys(r, "MSET", true, 1 + r.nextInt(6)),
                r -> withKeys(r, "MGET", false, 1 + r.nextInt(8)),
                r -> withKeys(r, "DEL", false, 1 + r.nextInt(4)),
                r -> withKeys(r, "EXISTS", false, 1 + r.nextInt(6)),
                r -> withKeys(r, "UNLINK", false, 1 + r.nextInt(3)),
                r -> withKeys(r, "TOUCH", false, 1 + r.nextInt(6)),
                // hashes
                r -> List.of("HSET", hash(r), field(r), value(r)),
                r -> List.of("HSET", hash(r), field(r), value(r), field(r), value(r)),
                r -> List.of("HGET", hash(r), field(r)),
                r -> List.of("HDEL", hash(r), field(r)),
                r -> List.of("HGETALL", hash(r)),
                r -> List.of("HMGET", hash(r), field(r), field(r)),
                r -> List.of("HINCRBY", hash(r), "n", Integer.toString(r.nextInt(10))),
                r -> List.of("HLEN", hash(r)),
                r -> List.of("HKEYS", hash(r)),
                r -> List.of("HEXISTS", hash(r), field(r)),
                // lists
                r -> List.of("LPUSH", list(r), value(r), value(r)),
                r -> List.of("RPUSH", list(r), value(r)),
                r -> List.of("LPOP", list(r)),
                r -> List.of("RPOP", list(r), "2"),
                r -> List.of("LRANGE", list(r), "0", "-1"),
                r -> List.of("LLEN", list(r)),
                r -> List.of("LINDEX", list(r), Integer.toString(r.nextInt(5) - 2)),
                r -> List.of("LREM", list(r), "0", value(r)),
                r -> List.of("LMOVE", tagged(r, "l"), tagged(r, "l"), pick(r, "LEFT", "RIGHT"),
                        pick(r, "LEFT", "RIGHT")),
                r -> List.of("RPOPLPUSH", tagged(r, "l"), tagged(r, "l")),
                r -> List.of("RPUSH", tagged(r, "l"), value(r)),
                // sets of integers (intset: one order everywhere)
                r -> List.of("SADD", set(r), member(r), member(r)),
                r -> List.of("SREM", set(r), member(r)),
                r -> List.of("SMEMBERS", set(r)),
                r -> List.of("SISMEMBER", set(r), member(r)),
                r -> List.of("SCARD", set(r)),
                r -> List.of("SINTER", tagged(r, "s"), tagged(r, "s")),
                r -> List.of("SUNION", tagged(r, "s"), tagged(r, "s")),
                r -> List.of("SDIFF", tagged(r, "s"), tagged(r, "s")),
                r -> List.of("SINTERSTORE", tagged(r, "s"), tagged(r, "s"), tagged(r, "s")),
                r -> List.of("SUNIONSTORE", tagged(r, "s"), tagged(r, "s"), tagged(r, "s")),
                r -> List.of("SMOVE", tagged(r, "s"), tagged(r, "s"), member(r)),
                r -> List.of("SINTERCARD", "2", tagged(r, "s"), tagged(r, "s")),
                r -> List.of("SADD", tagged(r, "s"), member(r), member(r), member(r)),
                // sorted sets
                r -> List.of("ZADD", zset(r), Integer.toString(r.nextInt(50)), field(r)),
                r -> List.of("ZINCRBY", zset(r), "2.5", field(r)),
                r -> List.of("ZSCORE", zset(r), field(r)),
                r -> List.of("ZRANGE", zset(r), "0", "-1", "WITHSCORES"),
                r -> List.of("ZRANK", zset(r), field(r)),
                r -> List.of("ZREM", zset(r), field(r)),
                r -> List.of("ZCARD", zset(r)),
                r -> List.of("ZCOUNT", zset(r), "10", "+inf"),
                r -> List.of("ZUNIONSTORE", tagged(r, "z"), "2", tagged(r, "z"), tagged(r, "z")),
                r -> List.of("ZINTER", "2", tagged(r, "z"), tagged(r, "z"), "WITHSCORES"),
                r -> List.of("ZADD", tagged(r, "z"), Integer.toString(r.nextInt(50)), field(r)),
                r -> List.of("ZMPOP", "2", tagged(r, "z"), tagged(r, "z"), pick(r, "MIN", "MAX")),
                // expiry
                r -> List.of("EXPIRE", any(r), Integer.toString(50_000 + r.nextInt(50_000))),
                r -> List.of("EXPIREAT", any(r), FAR_FUTURE),
                r -> List.of("EXPIRETIME", any(r)),
                r -> List.of("TTL", any(r)),
                r -> List.of("PTTL", any(r)),
                r -> List.of("PERSIST", any(r)),
                // whole keys, co-located where two are named
                r -> List.of("TYPE", any(r)),
                r -> List.of("RENAME", tagged(r, "s"), tagged(r, "s")),
                r -> List.of("COPY", tagged(r, "l"), tagged(r, "l"), "REPLACE"),
                r -> List.of("SORT", tagged(r, "s"), "BY", "{t}w_*", "GET", "#", "GET", "{t}w_*"),
                r -> List.of("SET", "{t}w_" + member(r), Integer.toString(r.nextInt(100))),
                r -> List.of("EVAL", "return redis.call('incr', KEYS[1])", "1", counter(r)),
                // what the proxy answers itself, and what it rejects as Redis does
                r -> List.of("PING"),
                r -> List.of("ECHO", value(r)),
                r -> List.of("GET"),
                r -> List.of("MSET", string(r)),
                r -> List.of("NOSUCHCOMMAND", value(r)),
                r -> List.of("hgetall", hash(r)));

        static List<String> next(Random r) {
            return COMMANDS.get(r.nextInt(COMMANDS.size())).apply(r);
        }

        private static List<String> withKeys(Random r, String name, boolean values, int keys) {
            List<String> command = new ArrayList<>(List.of(name));
            for (int i = 0; i < keys; i++) {
                command.add(r.nextInt(4) == 0 ? any(r) : string(r));
                if (values) {
                    command.add(value(r));
                }
            }
            return command;
        }

        private static String string(Random r) {
            return "s:" + r.nextInt(24);
        }

        private static String counter(Random r) {
            return "c:" + r.nextInt(8);
        }

        private static String hash(Random r) {
            return "h:" + r.nextInt(8);
        }

        private static String list(Random r) {
            return "l:" + r.nextInt(8);
        }

        private static String set(Random r) {
            return "set:" + r.nextInt(8);
        }

        private static String zset(Random r) {
            return "z:" + r.nextInt(8);
        }

        /** A key with hash tag {t}: all of them live on one server, so commands may combine them. */
        private static String tagged(Random r, String type) {
            return "{t}" + type + ":" + r.nextInt(4);
        }

        /** Any key of any type: wrong types on purpose. */
        private static String any(Random r) {
            return switch (r.nextInt(7)) {
                case 0 -> string(r);
                case 1 -> counter(r);
                case 2 -> hash(r);
                case 3 -> list(r);
                case 4 -> set(r);
                case 5 -> zset(r);
                default -> tagged(r, pick(r, "l", "s", "z"));
            };
        }

        private static String value(Random r) {
            return r.nextInt(10) == 0 ? "" : "v" + r.nextInt(30);
        }

        private static String field(Random r) {
            return "f" + r.nextInt(6);
        }

        private static String member(Random r) {
            return Integer.toString(r.nextInt(20));
        }

        private static String pick(Random r, String... choices) {
            return choices[r.nextInt(choices.length)];
        }
    }
}
