package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.AgainstOneRedis;
import io.rproxy.harness.ProxiedServers;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH through rproxy over three servers (hash tag {@code {}}), reply for reply and
 * byte for byte against one redis-server; keys on two servers refuse the whole transaction; and the defect of
 * issue 14: after MULTI nothing of the client's runs before EXEC.
 */
class TransactionIT {
    @RegisterExtension
    static final AgainstOneRedis setup = AgainstOneRedis.sharded(3, "hash_tag = \"{}\"\ntimeout = 2000");

    @BeforeEach
    void flush() {
        setup.flushAll();
    }

    private static List<List<String>> script(String... lines) {
        List<List<String>> commands = new ArrayList<>();
        for (String line : lines) {
            commands.add(List.of(line.split(" ")));
        }
        return commands;
    }

    /** Each command sent alone (a reply before the next), on one connection to each side. */
    private static void sameAsRedis(List<List<String>> commands) {
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            for (List<String> command : commands) {
                assertEquals(viaDirect.call(command), viaProxy.call(command), String.join(" ", command));
            }
        }
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            assertEquals(viaDirect.pipeline(commands), viaProxy.pipeline(commands), "pipelined: " + commands);
        }
    }

    @Test
    void repliesAreRedisOwnByteForByte() {
        sameAsRedis(script("MULTI", "SET {a}x 1", "INCR {a}x", "GET {a}x", "MGET {a}x {a}y", "EXEC", "GET {a}x"));
        sameAsRedis(script("MULTI", "PING", "ECHO hi", "EXEC"));
        sameAsRedis(script("MULTI", "EXEC"));
        sameAsRedis(script("EXEC", "DISCARD", "UNWATCH", "WATCH", "MULTI x", "EXEC x"));
        sameAsRedis(script("MULTI", "MULTI", "SET {a}x 2", "EXEC", "GET {a}x"));
        sameAsRedis(script("MULTI", "SET {a}x 3", "NOSUCHCMD", "EXEC", "GET {a}x"));
        sameAsRedis(script("MULTI", "SET {a}x 4", "GET", "EXEC", "GET {a}x"));
        sameAsRedis(script("SET {a}s str", "MULTI", "INCR {a}s", "SET {a}t 2", "LPUSH {a}s x", "EXEC", "GET {a}t"));
        sameAsRedis(script("MULTI", "SET {a}x 5", "DISCARD", "GET {a}x", "DISCARD"));
        sameAsRedis(script("MULTI", "WATCH {a}x", "SET {a}x 6", "EXEC"));
        sameAsRedis(script("WATCH {a}x {a}y", "UNWATCH", "MULTI", "SET {a}x 7", "UNWATCH", "EXEC"));
        sameAsRedis(script("WATCH {a}x", "MULTI", "BLPOP {a}q 0", "LPUSH {a}q v", "BRPOP {a}q 0", "EXEC"));
        sameAsRedis(script("WATCH {a}x", "SET {a}x 8", "MULTI", "INCR {a}x", "EXEC", "GET {a}x"));
        sameAsRedis(script("MULTI", "SET {a}x 9", "RESET", "EXEC", "GET {a}x"));
        sameAsRedis(script("DISCARD x", "UNWATCH x", "MULTI", "SET {a}x 10", "MULTI x", "EXEC", "GET {a}x"));
        sameAsRedis(script("MULTI", "SET {a}x 11", "WATCH", "EXEC", "MULTI", "DISCARD x", "EXEC", "GET {a}x"));
        sameAsRedis(script("MULTI", "SET {a}x 12", "UNWATCH x", "EXEC", "WATCH {a}x", "EXEC x", "EXEC"));
    }

    @Test
    void aWatchConflictGivesANilExecAsOnRedis() {
        for (int port : new int[] {setup.direct().port(), setup.proxy().port()}) {
            try (RawClient a = new RawClient(port); RawClient b = new RawClient(port)) {
                assertEquals(Reply.OK, a.call("WATCH", "{w}k"));
                assertEquals(Reply.OK, b.call("SET", "{w}k", "other"));
                assertEquals(Reply.OK, a.call("MULTI"));
                assertEquals(Reply.simple("QUEUED"), a.call("SET", "{w}k", "mine"));
                assertEquals(Reply.NULL_ARRAY, a.call("EXEC"), "port " + port);
                assertEquals(Reply.bulk("other".getBytes()), a.call("GET", "{w}k"));
            }
        }
    }

    /** The defect: MULTI was refused, and the commands after it ran one by one while the client saw them queued. */
    @Test
    void nothingRunsBeforeExecAndADiscardedTransactionRunsNowhere() {
        try (RawClient client = new RawClient(setup.proxy().port()); Jedis check = setup.proxy().jedis()) {
            Reply multi = client.call("MULTI");
            Reply set = client.call("SET", "{d}k", "1");
            Reply incr = client.call("INCR", "{d}n");
            assertNull(check.get("{d}k"), "queued, not run");
            assertNull(check.get("{d}n"), "queued, not run");
            assertEquals(List.of(Reply.OK, Reply.simple("QUEUED"), Reply.simple("QUEUED")), List.of(multi, set, incr));
            assertEquals(Reply.OK, client.call("DISCARD"));
            assertNull(check.get("{d}k"));
            assertNull(check.get("{d}n"));
        }
    }

    @Test
    void keysOnTwoServersRefuseTheWholeTransaction() {
        String[] keys = keysOnTwoServers();
        try (RawClient client = new RawClient(setup.proxy().port())) {
            assertEquals(Reply.OK, client.call("MULTI"));
            assertEquals(Reply.simple("QUEUED"), client.call("SET", keys[0], "1"));
            assertEquals(Reply.error("CROSSSLOT Keys in request don't hash to the same server"),
                    client.call("SET", keys[1], "1"));
            assertEquals(Reply.error("EXECABORT Transaction discarded because of previous errors."),
                    client.call("EXEC"));
            assertEquals(Reply.error("CROSSSLOT Keys in request don't hash to the same server"),
                    client.call("WATCH", keys[0], keys[1]));
            assertEquals(Reply.OK, client.call("WATCH", keys[0]));
            assertEquals(Reply.OK, client.call("MULTI"));
            assertEquals(Reply.error("CROSSSLOT Keys in request don't hash to the same server"),
                    client.call("GET", keys[1]));
            assertEquals(Reply.error("EXECABORT Transaction discarded because of previous errors."),
                    client.call("EXEC"));
        }
        for (RedisServer server : setup.proxied().redis()) {
            try (Jedis jedis = server.jedis()) {
                assertEquals(0, jedis.dbSize(), "nothing of the transaction ran on " + server);
            }
        }
    }

    /**
     * Celery's redis result backend stores a result and announces it in one transaction, {@code MULTI, SET k v,
     * PUBLISH k v, EXEC}; rproxy refused PUBLISH inside MULTI, so every result was lost. A channel is placed as a key
     * of its name is, so it joins the transaction's server and reaches rproxy's subscribers there; a channel of
     * another server is CROSSSLOT, as a key there would be.
     */
    @Test
    void aPublishInATransactionReachesTheChannelsSubscribers() {
        sameAsRedis(script("MULTI", "SET {p}k v", "PUBLISH {p}k v", "PUBSUB NUMSUB {p}k {p}j", "EXEC", "GET {p}k"));
        try (RawClient subscriber = new RawClient(setup.proxy().port());
             RawClient client = new RawClient(setup.proxy().port())) {
            assertEquals(Reply.array(List.of(Reply.bulk("subscribe".getBytes()), Reply.bulk("{p}k".getBytes()),
                    Reply.integer(1))), subscriber.call("SUBSCRIBE", "{p}k"));
            assertEquals(Reply.OK, client.call("MULTI"));
            assertEquals(Reply.simple("QUEUED"), client.call("SET", "{p}k", "result"));
            assertEquals(Reply.simple("QUEUED"), client.call("PUBLISH", "{p}k", "result"));
            assertEquals(Reply.array(List.of(Reply.OK, Reply.integer(1))), client.call("EXEC"));
            assertEquals(Reply.array(List.of(Reply.bulk("message".getBytes()), Reply.bulk("{p}k".getBytes()),
                    Reply.bulk("result".getBytes()))), subscriber.read());
        }
        String[] keys = keysOnTwoServers();
        try (RawClient client = new RawClient(setup.proxy().port())) {
            assertEquals(Reply.OK, client.call("MULTI"));
            assertEquals(Reply.simple("QUEUED"), client.call("SET", keys[0], "1"));
            assertEquals(Reply.error("CROSSSLOT Keys in request don't hash to the same server"),
                    client.call("PUBLISH", keys[1], "1"));
            assertEquals(Reply.error("EXECABORT Transaction discarded because of previous errors."),
                    client.call("EXEC"));
        }
    }

    /** Two untagged keys that live on different servers. */
    private static String[] keysOnTwoServers() {
        return keysOnTwoServers(setup.proxied());
    }

    /** Two untagged keys that live on different servers of {@code proxied} (which it empties). */
    static String[] keysOnTwoServers(ProxiedServers proxied) {
        RunningProxy proxy = proxied.proxy();
        try (Jedis jedis = proxy.jedis()) {
            for (int i = 0; i < 100; i++) {
                jedis.set("probe" + i, "x");
            }
        }
        String first = null;
        RedisServer firstServer = null;
        for (int i = 0; i < 100; i++) {
            for (RedisServer server : proxied.redis()) {
                try (Jedis jedis = server.jedis()) {
                    if (jedis.exists("probe" + i)) {
                        if (first == null) {
                            first = "probe" + i;
                            firstServer = server;
                        } else if (server != firstServer) {
                            proxied.flushAll();
                            return new String[] {first, "probe" + i};
                        }
                    }
                }
            }
        }
        throw new AssertionError("all keys on one server");
    }

    @Test
    void jedisTransactionsWork() {
        try (Jedis jedis = setup.proxy().jedis()) {
            Transaction t = jedis.multi();
            t.set("{j}a", "1");
            t.incr("{j}a");
            t.get("{j}a");
            assertEquals(List.of("OK", 2L, "2"), t.exec());
            jedis.watch("{j}a");
            t = jedis.multi();
            t.incr("{j}a");
            assertEquals(List.of(3L), t.exec());
            t = jedis.multi();
            t.set("{j}b", "x");
            assertEquals("OK", t.discard());
            assertFalse(jedis.exists("{j}b"));
            assertEquals("PONG", jedis.ping(), "the connection is usable afterwards");
        }
    }

    @Test
    void lettuceTransactionsWork() {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(
                io.lettuce.core.RedisURI.create("127.0.0.1", setup.proxy().port()));
        try (var connection = client.connect()) {
            var sync = connection.sync();
            assertEquals("OK", sync.multi());
            sync.set("{l}a", "1");
            sync.incr("{l}a");
            var result = sync.exec();
            assertFalse(result.wasDiscarded());
            assertEquals(List.of("OK", 2L), Stream.of(0, 1).map(i -> (Object) result.get(i)).toList());
            assertEquals("OK", sync.watch("{l}a"));
            assertEquals("OK", sync.multi());
            sync.incr("{l}a");
            assertEquals(3L, (Long) sync.exec().get(0));
        } finally {
            client.shutdown();
        }
    }

    @Test
    void theNextTransactionMayChooseAnotherServer() {
        String[] keys = keysOnTwoServers();
        try (RawClient client = new RawClient(setup.proxy().port())) {
            for (String key : keys) {
                assertEquals(Reply.OK, client.call("MULTI"));
                assertEquals(Reply.simple("QUEUED"), client.call("SET", key, "v"));
                assertEquals(Reply.array(List.of(Reply.OK)), client.call("EXEC"));
            }
        }
        try (Jedis jedis = setup.proxy().jedis()) {
            assertEquals(List.of("v", "v"), jedis.mget(keys));
        }
        assertNotEquals(keys[0], keys[1]);
        assertTrue(true);
    }
}
