package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.ProxiedServers;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SortingParams;
import redis.clients.jedis.exceptions.JedisDataException;

/** Real clients through rproxy to three real redis-servers: keys spread, replies in order, splits merged. */
class ForwardingIT {
    private static ProxiedServers servers;
    private static RedisServer[] redis;
    private static RunningProxy proxy;

    @BeforeAll
    static void start() {
        servers = ProxiedServers.start(3, "hash_tag = \"{}\"");
        redis = servers.redis();
        proxy = servers.proxy();
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    @BeforeEach
    void flush() {
        servers.flushAll();
    }

    @Test
    void keysSpreadOverEveryServerAndEachLivesOnExactlyOne() {
        try (Jedis client = proxy.jedis()) {
            for (int i = 0; i < 300; i++) {
                assertEquals("OK", client.set("key:" + i, "value:" + i));
            }
            for (int i = 0; i < 300; i++) {
                assertEquals("value:" + i, client.get("key:" + i));
            }
        }
        long total = 0;
        for (RedisServer server : redis) {
            try (Jedis direct = server.jedis()) {
                long size = direct.dbSize();
                assertTrue(size > 0, server + " holds none of the 300 keys");
                total += size;
            }
        }
        assertEquals(300, total, "every key is stored exactly once");
    }

    @Test
    void pipelinedRepliesComeBackInRequestOrderAcrossServers() {
        try (Jedis client = proxy.jedis()) {
            Pipeline pipeline = client.pipelined();
            List<Response<String>> gets = new ArrayList<>();
            List<Response<Long>> incrs = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                pipeline.set("p:" + i, Integer.toString(i));
                gets.add(pipeline.get("p:" + i));
                incrs.add(pipeline.incr("p:" + i));
            }
            pipeline.sync();
            for (int i = 0; i < 1000; i++) {
                assertEquals(Integer.toString(i), gets.get(i).get());
                assertEquals(i + 1, incrs.get(i).get());
            }
        }
    }

    @Test
    void multiKeyCommandsAreSplitPerServerAndMerged() {
        try (Jedis client = proxy.jedis()) {
            String[] pairs = new String[40];
            for (int i = 0; i < 20; i++) {
                pairs[2 * i] = "m:" + i;
                pairs[2 * i + 1] = "v" + i;
            }
            assertEquals("OK", client.mset(pairs));
            List<String> values = client.mget("m:3", "missing", "m:17", "m:0", "m:3");
            assertEquals(Arrays.asList("v3", null, "v17", "v0", "v3"), values);
            assertEquals(3, client.exists("m:1", "m:2", "nope", "m:1"));
            assertEquals(2, client.touch("m:4", "m:5", "nope"));
            assertEquals(2, client.unlink("m:4", "m:5"));
            assertEquals(14, client.del(Arrays.copyOfRange(keys(pairs), 4, 20)), "m:4 and m:5 are gone already");
            assertEquals(Arrays.asList("v0", "v1", "v2", "v3"), client.mget("m:0", "m:1", "m:2", "m:3"));
        }
        long[] sizes = Stream.of(redis).mapToLong(r -> {
            try (Jedis direct = r.jedis()) {
                return direct.dbSize();
            }
        }).toArray();
        assertEquals(4, Arrays.stream(sizes).sum());
    }

    private static String[] keys(String[] pairs) {
        String[] keys = new String[pairs.length / 2];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = pairs[2 * i];
        }
        return keys;
    }

    @Test
    void multiKeyCommandsThatCannotSplitAreRefusedAcrossServersAndRunWithHashTags() {
        try (Jedis client = proxy.jedis()) {
            // Find two keys on different servers by asking where SET put them.
            client.set("a:1", "x");
            String other = null;
            for (int i = 2; other == null; i++) {
                client.set("a:" + i, "x");
                if (owner("a:" + i) != owner("a:1")) {
                    other = "a:" + i;
                }
            }
            String second = other;
            JedisDataException refused = assertThrows(JedisDataException.class,
                    () -> client.rename("a:1", second));
            assertEquals("CROSSSLOT Keys in request don't hash to the same server", refused.getMessage());
            assertEquals("x", client.get("a:1"), "nothing ran");

            client.sadd("{u}:left", "1", "2", "3");
            client.sadd("{u}:right", "2", "3", "4");
            assertEquals(2, client.sinterstore("{u}:both", "{u}:left", "{u}:right"));
            assertEquals(java.util.Set.of("2", "3"), client.smembers("{u}:both"));
        }
    }

    @Test
    void sortPatternsMustReadKeysOnTheSortedKeysServer() {
        try (Jedis client = proxy.jedis()) {
            client.rpush("{s}list", "1", "2", "3");
            client.mset("{s}w_1", "30", "{s}w_2", "10", "{s}w_3", "20", "{s}d_1", "one", "{s}d_2", "two");
            assertEquals(List.of("2", "3", "1"), client.sort("{s}list", new SortingParams().by("{s}w_*")));
            assertEquals(Arrays.asList("two", null, "one"),
                    client.sort("{s}list", new SortingParams().by("{s}w_*").get("{s}d_*")));
            assertEquals(List.of("1", "2", "3"), client.sort("{s}list", new SortingParams().by("nosort").get("#")));
            for (SortingParams untagged : List.of(new SortingParams().by("w_*"), new SortingParams().get("d_*"),
                    new SortingParams().get("{*}d"))) {
                JedisDataException refused = assertThrows(JedisDataException.class,
                        () -> client.sort("{s}list", untagged));
                assertEquals("CROSSSLOT Keys in request don't hash to the same server", refused.getMessage());
            }
        }
    }

    private static int owner(String key) {
        for (int i = 0; i < redis.length; i++) {
            try (Jedis direct = redis[i].jedis()) {
                if (direct.exists(key)) {
                    return i;
                }
            }
        }
        return -1;
    }

    @Test
    void localCommandsAndErrorsKeepTheConnectionOpen() {
        try (Jedis client = proxy.jedis()) {
            assertEquals("PONG", client.ping());
            assertEquals("hello", client.ping("hello"));
            assertEquals("echoed", client.echo("echoed"));
            JedisDataException unknown = assertThrows(JedisDataException.class,
                    () -> client.sendCommand(() -> "NOSUCHCMD".getBytes(), "a", "b"));
            assertEquals("ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b' ",
                    unknown.getMessage());
            JedisDataException arity = assertThrows(JedisDataException.class,
                    () -> client.sendCommand(Protocol.Command.GET));
            assertEquals("ERR wrong number of arguments for 'get' command", arity.getMessage());
            JedisDataException refused = assertThrows(JedisDataException.class, () -> client.swapDB(0, 1));
            assertEquals("ERR command 'swapdb' is not supported by rproxy", refused.getMessage());
            assertNull(client.get("still-works"));
        }
    }
}
