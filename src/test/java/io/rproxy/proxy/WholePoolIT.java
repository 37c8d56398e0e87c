package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.AgainstOneRedis;
import io.rproxy.harness.ProxiedServers;
import io.rproxy.harness.RedisServer;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The whole-pool commands (class {@code all}) through rproxy over three redis-servers, against one redis-server
 * holding the same keys: SCRIPT LOAD/EXISTS/FLUSH/KILL, FLUSHDB/FLUSHALL, DBSIZE, KEYS, RANDOMKEY, and a FLUSHDB
 * with one server down.
 */
class WholePoolIT {
    @RegisterExtension
    static final AgainstOneRedis setup = // fnv1a_64 puts counter:0..29 on one server
            AgainstOneRedis.sharded(3, "hash = \"murmur\"");

    private static final String SCRIPT = "return redis.call('incr', KEYS[1])";
    static final String LIBRARY = "#!lua name=counters\n"
            + "redis.register_function('bump', function(keys, args) return redis.call('incr', keys[1]) end)";

    @BeforeEach
    void flush() {
        setup.everyServer().forEach(s -> {
            try (Jedis jedis = s.jedis()) {
                jedis.flushAll();
                jedis.scriptFlush();
                jedis.functionFlush();
            }
        });
    }

    /** LASTSAVE is the oldest of the servers' saves: the pool is saved as of then, not of the newest. */
    @Test
    void lastsaveIsTheOldestServersSave() {
        long before;
        try (Jedis first = setup.backends()[0].jedis()) {
            before = first.lastsave();
        }
        // A second later, so that a SAVE of the others makes them newer than the first server, visibly.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Jedis first = setup.backends()[0].jedis()) {
                return Long.parseLong(first.time().get(0)) > before;
            }
        });
        for (int i = 1; i < setup.backends().length; i++) {
            try (Jedis other = setup.backends()[i].jedis()) {
                assertEquals("OK", other.save());
                assertTrue(other.lastsave() > before);
            }
        }
        try (RawClient viaProxy = new RawClient(setup.proxy().port())) {
            assertEquals(Reply.integer(before), viaProxy.call("LASTSAVE"));
        }
    }

    /**
     * SLOWLOG over the pool: RESET on every server, LEN summed, GET merged newest first with each entry's server
     * appended. Every command is logged here (slowlog-log-slower-than 0), SLOWLOG's own after it runs.
     */
    @Test
    void slowlogMergesEveryServersEntriesTaggedWithTheirServer() {
        setSlowlogThreshold("0");
        try (RawClient viaProxy = new RawClient(setup.proxy().port())) {
            assertEquals(Reply.OK, viaProxy.call("SLOWLOG", "RESET"));
            for (int i = 0; i < 6; i++) {
                assertEquals(Reply.OK, viaProxy.call("SET", "slow:" + i, "v"));
            }
            List<Reply> entries = viaProxy.call("SLOWLOG", "GET", "-1").elements();
            assertEquals(setup.backends().length + 6, entries.size(), "each server's RESET, and the six SETs");
            long previous = Long.MAX_VALUE;
            for (Reply entry : entries) {
                List<Reply> fields = entry.elements();
                assertEquals(7, fields.size(), "Redis's six fields and the server");
                assertTrue(fields.get(1).integer() <= previous, "newest first");
                previous = fields.get(1).integer();
                List<Reply> args = fields.get(3).elements();
                if (text(args.get(0)).equals("SET")) {
                    String key = text(args.get(1));
                    RedisServer owner = Stream.of(setup.backends()).filter(b -> {
                        try (Jedis jedis = b.jedis()) {
                            return jedis.exists(key);
                        }
                    }).findFirst().orElseThrow();
                    assertTrue(text(fields.get(6)).contains(owner.address()), text(fields.get(6)) + " for " + key);
                }
            }
            assertEquals(Reply.integer(entries.size() + setup.backends().length), viaProxy.call("SLOWLOG", "LEN"),
                    "summed: the entries above, and each server's SLOWLOG GET");
            assertEquals(2, viaProxy.call("SLOWLOG", "GET", "2").elements().size(), "cut to the count");
            assertEquals(10, viaProxy.call("SLOWLOG", "GET").elements().size(), "Redis's default count");
            assertEquals(Reply.error("ERR count should be greater than or equal to -1"),
                    viaProxy.call("SLOWLOG", "GET", "-2"));
        } finally {
            setSlowlogThreshold("10000");
        }
    }

    private static void setSlowlogThreshold(String micros) {
        for (RedisServer backend : setup.backends()) {
            try (Jedis jedis = backend.jedis()) {
                jedis.configSet("slowlog-log-slower-than", micros);
                jedis.slowlogReset();
            }
        }
    }

    @Test
    void evalshaAfterScriptLoadRunsForKeysOnEveryServer() {
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            Reply sha = viaProxy.call("SCRIPT", "LOAD", SCRIPT);
            assertEquals(viaDirect.call("SCRIPT", "LOAD", SCRIPT), sha, "the same SHA1 back");
            String digest = new String(sha.bulkValue(), StandardCharsets.US_ASCII);
            for (int i = 0; i < 30; i++) {
                assertEquals(Reply.integer(1), viaProxy.call("EVALSHA", digest, "1", "counter:" + i));
            }
            assertEquals(setup.backends().length, Stream.of(setup.backends()).filter(b -> dbSize(b) > 0).count(),
                    "the counters, hence the EVALSHAs, reached every server");
            assertEquals(viaDirect.call("SCRIPT", "EXISTS", digest, "ffff"),
                    viaProxy.call("SCRIPT", "EXISTS", digest, "ffff"));
            assertEquals("*2\r\n:1\r\n:0\r\n", text(viaProxy.call("SCRIPT", "EXISTS", digest, "ffff")));

            try (Jedis second = setup.backends()[1].jedis()) {
                second.scriptFlush(); // as a server that joined the pool after the SCRIPT LOAD
            }
            assertEquals("*1\r\n:0\r\n", text(viaProxy.call("SCRIPT", "EXISTS", digest)),
                    "1 only where every server has it");
            Reply noScript = Reply.error("NOSCRIPT No matching script. Please use EVAL.");
            int onSecond = 0;
            for (int i = 0; i < 30; i++) {
                Reply reply = viaProxy.call("EVALSHA", digest, "1", "counter:" + i);
                boolean first = keyOn(setup.backends()[1], "counter:" + i) && onSecond++ == 0;
                assertEquals(first ? noScript : Reply.integer(2), reply, "counter:" + i);
                if (first) { // what redis-py and Jedis's script helpers do next: EVAL, which loads it there again
                    assertEquals(Reply.integer(2), viaProxy.call("EVAL", SCRIPT, "1", "counter:" + i));
                }
            }
            assertTrue(onSecond > 1, "counters live on the flushed server: NOSCRIPT once, then EVALSHA runs");
            assertEquals(Reply.OK, viaProxy.call("SCRIPT", "FLUSH", "ASYNC"));
            assertEquals("*1\r\n:0\r\n", text(viaProxy.call("SCRIPT", "EXISTS", digest)));
            assertEquals(viaDirect.call("SCRIPT", "KILL"), viaProxy.call("SCRIPT", "KILL"), "NOTBUSY everywhere");
            assertEquals(viaDirect.call("SCRIPT", "FLUSH", "SOMETIMES"), viaProxy.call("SCRIPT", "FLUSH", "SOMETIMES"),
                    "the servers' own syntax error, as it is");
        }
    }

    @Test
    void functionsLoadedThroughRproxyRunForKeysOnEveryServer() {
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            assertEquals(viaDirect.call("FUNCTION", "LOAD", LIBRARY), viaProxy.call("FUNCTION", "LOAD", LIBRARY));
            for (int i = 0; i < 30; i++) {
                assertEquals(Reply.integer(1), viaProxy.call("FCALL", "bump", "1", "counter:" + i));
            }
            assertTrue(Stream.of(setup.backends()).allMatch(b -> dbSize(b) > 0), "FCALLs reached every server");
            assertEquals(viaDirect.call("FUNCTION", "LIST"), viaProxy.call("FUNCTION", "LIST"));
            assertEquals(viaDirect.call("FUNCTION", "STATS"), viaProxy.call("FUNCTION", "STATS"));
            assertEquals(viaDirect.call("FUNCTION", "LOAD", LIBRARY), viaProxy.call("FUNCTION", "LOAD", LIBRARY),
                    "the servers' own 'already exists', as it is");
            Reply dump = viaProxy.call("FUNCTION", "DUMP");
            assertEquals(viaDirect.call("FUNCTION", "DUMP"), dump);
            assertEquals(Reply.OK, viaProxy.call("FUNCTION", "DELETE", "counters"));
            assertTrue(viaProxy.call("FCALL", "bump", "1", "counter:0").isError());
            assertEquals("*0\r\n", text(viaProxy.call("FUNCTION", "LIST")));
            try (RawClient raw = new RawClient(setup.proxy().port())) { // RESTORE takes the DUMP's bytes as they are
                List<byte[]> restore = List.of("FUNCTION".getBytes(), "RESTORE".getBytes(), dump.bulkValue());
                assertEquals(List.of(Reply.OK), raw.pipelineFrames(List.of(
                        io.rproxy.resp.RespCommand.of(restore).frame())));
            }
            for (int i = 0; i < 30; i++) {
                assertEquals(Reply.integer(2), viaProxy.call("FCALL", "bump", "1", "counter:" + i));
            }
            assertEquals(viaDirect.call("FUNCTION", "KILL"), viaProxy.call("FUNCTION", "KILL"), "NOTBUSY everywhere");
            assertEquals(Reply.OK, viaProxy.call("FUNCTION", "FLUSH"));
            assertEquals("*0\r\n", text(viaProxy.call("FUNCTION", "LIST")));
        }
    }

    @Test
    void keyspaceCommandsAnswerAsOneServerWithTheSameKeys() {
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            for (RawClient client : List.of(viaProxy, viaDirect)) {
                assertEquals("*0\r\n", text(client.call("KEYS", "*")));
                assertEquals(Reply.NULL_BULK, client.call("RANDOMKEY"));
                client.pipeline(fill(200));
            }
            assertTrue(Stream.of(setup.backends()).allMatch(b -> dbSize(b) > 0), "keys on every server");
            assertEquals(viaDirect.call("DBSIZE"), viaProxy.call("DBSIZE"));
            for (String pattern : List.of("*", "s:*", "h:1?", "nomatch*", "[lz]:*")) {
                assertEquals(sorted(viaDirect.call("KEYS", pattern)), sorted(viaProxy.call("KEYS", pattern)),
                        pattern);
            }
            Set<String> all = sorted(viaDirect.call("KEYS", "*"));
            Set<String> seenOn = new HashSet<>();
            for (int i = 0; i < 60; i++) {
                String key = new String(viaProxy.call("RANDOMKEY").bulkValue(), StandardCharsets.UTF_8);
                assertTrue(all.contains(key), key);
                seenOn.add(serverOf(key));
            }
            assertEquals(setup.backends().length, seenOn.size(), "RANDOMKEY picks among every server");
            assertEquals(viaDirect.call("FLUSHDB", "NOW"), viaProxy.call("FLUSHDB", "NOW"));
            assertEquals(Reply.OK, viaProxy.call("FLUSHDB", "ASYNC"));
            assertEquals(Reply.integer(0), viaProxy.call("DBSIZE"));
            viaProxy.pipeline(fill(50));
            assertEquals(Reply.OK, viaProxy.call("FLUSHALL", "SYNC"));
            assertEquals(Reply.integer(0), viaProxy.call("DBSIZE"));
            assertEquals(Reply.NULL_BULK, viaProxy.call("RANDOMKEY"));
        }
    }

    @Test
    void flushdbWithOneServerDownIsOneErrorNamingIt() {
        try (ProxiedServers three = ProxiedServers.start(3, "server_retry_timeout = 60000\nauto_eject_hosts = false");
             RawClient client = new RawClient(three.proxy().port())) {
            client.pipeline(fill(60));
            three.redis()[1].stop();
            Reply reply = client.call("FLUSHDB");
            assertTrue(reply.isError(), reply.toString());
            String message = reply.errorMessage();
            assertTrue(message.contains("redis2 (" + three.redis()[1].address() + ")"), message);
            assertFalse(message.contains("redis1") || message.contains("redis3"), message);
            assertEquals(0, dbSize(three.redis()[0]), "the others ran it");
            assertEquals(0, dbSize(three.redis()[2]));
            Reply dbsize = client.call("DBSIZE");
            assertTrue(dbsize.isError() && dbsize.errorMessage().contains("redis2"), dbsize.toString());
            assertEquals(Reply.PONG, client.call("PING"));
        }
    }

    @Test
    void configGetIsOneServersWithRproxysOwnValues() {
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            assertEquals(viaDirect.call("CONFIG", "GET", "save"), viaProxy.call("CONFIG", "GET", "save"));
            assertEquals(viaDirect.call("CONFIG", "GET", "appendonly"), viaProxy.call("CONFIG", "GET", "appendonly"));
            assertEquals(settings(viaDirect.call("CONFIG", "GET", "maxmemory*")),
                    settings(viaProxy.call("CONFIG", "GET", "maxmemory*")), "in the order of each server's table");
            String port = Integer.toString(setup.proxy().port());
            assertEquals(settings(pairs("timeout", "0", "databases", "1", "port", port)),
                    settings(viaProxy.call("CONFIG", "GET", "timeout", "databases", "port")));
            assertEquals(viaDirect.call("CONFIG", "GET", "maxclients"), viaProxy.call("CONFIG", "GET", "maxclients"),
                    "no client_connections: the servers' own");
            assertEquals("*0\r\n", text(viaProxy.call("CONFIG", "GET", "requirepass")), "passwords withheld");
            assertEquals(Reply.error("ERR command 'config|set' is not supported by rproxy"),
                    viaProxy.call("CONFIG", "SET", "timeout", "5"));
        }
        try (ProxiedServers limited = ProxiedServers.start(1, "client_connections = 77");
             RawClient client = new RawClient(limited.proxy().port())) {
            assertEquals(pairs("maxclients", "77"), client.call("CONFIG", "GET", "maxclients"));
        }
    }

    /**
     * INFO memory: used_memory and maxmemory summed, maxmemory_policy the servers' when they agree (Sidekiq reads it
     * and warns unless it is noeviction), else mixed.
     */
    @Test
    void infoMemoryIsThePools() {
        RedisServer[] backends = setup.backends();
        try (RawClient client = new RawClient(setup.proxy().port())) {
            for (RedisServer backend : backends) {
                try (Jedis jedis = backend.jedis()) {
                    jedis.configSet("maxmemory", "100mb");
                    jedis.configSet("maxmemory-policy", "allkeys-lru");
                }
            }
            String info = new String(client.call("INFO", "memory").bulkValue(), StandardCharsets.UTF_8);
            assertTrue(info.startsWith("# Memory\r\nused_memory:"), info);
            assertTrue(info.contains("\r\nmaxmemory:" + 3 * 100 * 1024 * 1024 + "\r\nmaxmemory_human:300.00M\r\n"
                    + "maxmemory_policy:allkeys-lru\r\n"), info);
            long used = Long.parseLong(info.replaceAll("(?s).*\r\nused_memory:(\\d+)\r\n.*", "$1"));
            assertTrue(used > 3 * 500_000L, "three servers' memory: " + used);
            try (Jedis jedis = backends[1].jedis()) {
                jedis.configSet("maxmemory-policy", "noeviction");
            }
            assertTrue(text(client.call("INFO")).contains("\r\nmaxmemory_policy:mixed\r\n"));
        } finally {
            for (RedisServer backend : backends) {
                try (Jedis jedis = backend.jedis()) {
                    jedis.configSet("maxmemory", "0");
                    jedis.configSet("maxmemory-policy", "noeviction");
                }
            }
        }
    }

    @Test
    void infoKeyspaceIsTheServersSummed() {
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            for (RawClient client : List.of(viaProxy, viaDirect)) {
                client.pipeline(fill(150));
                for (int i = 0; i < 150; i += 3) {
                    client.call("EXPIRE", fill(150).get(i).get(1), "100000");
                }
            }
            String proxied = new String(viaProxy.call("INFO", "keyspace").bulkValue(), StandardCharsets.UTF_8);
            String one = new String(viaDirect.call("INFO", "keyspace").bulkValue(), StandardCharsets.UTF_8);
            assertEquals(one.replaceAll("avg_ttl=\\d+", ""), proxied.replaceAll("avg_ttl=\\d+", ""));
            // Each server estimates avg_ttl in its expire cycle (10 a second): 0 until the first has run.
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                String now = text(viaProxy.call("INFO", "keyspace"));
                long ttl = Long.parseLong(now.replaceAll("(?s).*avg_ttl=(\\d+).*", "$1"));
                return ttl > 90_000_000L && ttl <= 100_000_000L;
            });
            String all = text(viaProxy.call("INFO"));
            assertTrue(all.contains("# Server\r\n") && all.contains("\r\n\r\n# Keyspace\r\ndb0:keys=150,expires=50,"),
                    all);
            assertFalse(text(viaProxy.call("INFO", "server")).contains("Keyspace"));
        }
    }

    @Test
    void infoKeyspaceShowsOnlyThePoolsDatabase() {
        try (ProxiedServers db3 = ProxiedServers.start(2, "redis_db = 3");
             RawClient client = new RawClient(db3.proxy().port())) {
            client.pipeline(fill(20));
            try (Jedis other = db3.redis()[0].jedis()) {
                other.set("another-tenant", "in db0");
            }
            String keyspace = new String(client.call("INFO", "keyspace").bulkValue(), StandardCharsets.UTF_8);
            assertEquals("# Keyspace\r\ndb3:keys=20,expires=0,avg_ttl=0\r\n", keyspace);
            assertEquals(Reply.integer(20), client.call("DBSIZE"));
        }
    }

    private static java.util.Map<String, String> settings(Reply pairs) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        List<Reply> elements = pairs.elements();
        for (int i = 0; i < elements.size(); i += 2) {
            out.put(new String(elements.get(i).bulkValue(), StandardCharsets.UTF_8),
                    new String(elements.get(i + 1).bulkValue(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Reply pairs(String... nameValues) {
        List<Reply> out = new ArrayList<>();
        for (String s : nameValues) {
            out.add(Reply.bulk(s.getBytes(StandardCharsets.UTF_8)));
        }
        return Reply.array(out);
    }

    /** Keys of several types, each set the same way on both sides. */
    static List<List<String>> fill(int keys) {
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            commands.add(switch (i % 5) {
                case 0 -> List.of("SET", "s:" + i, "v" + i);
                case 1 -> List.of("HSET", "h:" + i, "f", "v");
                case 2 -> List.of("RPUSH", "l:" + i, "a", "b");
                case 3 -> List.of("SADD", "set:" + i, "1", "2");
                default -> List.of("ZADD", "z:" + i, "1", "m");
            });
        }
        return commands;
    }

    private static String serverOf(String key) {
        for (RedisServer backend : setup.backends()) {
            if (keyOn(backend, key)) {
                return backend.address();
            }
        }
        return "none";
    }

    private static boolean keyOn(RedisServer server, String key) {
        try (Jedis jedis = server.jedis()) {
            return jedis.exists(key);
        }
    }

    static Set<String> sorted(Reply keys) {
        Set<String> out = new TreeSet<>();
        for (Reply key : keys.elements()) {
            out.add(new String(key.bulkValue(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static long dbSize(RedisServer server) {
        try (Jedis jedis = server.jedis()) {
            return jedis.dbSize();
        }
    }

    private static String text(Reply reply) {
        return new String(reply.bytes(), StandardCharsets.UTF_8);
    }
}
