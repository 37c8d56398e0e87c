package io.rproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.RproxyException;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisCluster;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A cluster pool in front of a real three-master Redis Cluster: keys over every slot, hash tags, split commands,
 * and the same commands sent with a cluster-aware client (JedisCluster) straight to the nodes give the same
 * replies. Also: a seed that is not a cluster node is refused.
 */
class ClusterIT {
    private static RedisCluster cluster;
    private static RunningProxy proxy;
    private static JedisCluster direct;

    @BeforeAll
    static void start() {
        cluster = RedisCluster.start(3, 0);
        proxy = RunningProxy.start(clusterToml(FreePorts.pick(), cluster.seeds(1)));
        direct = cluster.client();
    }

    static String clusterToml(int port, String seeds) {
        return "[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n\n[pools.orders]\nlisten = \"127.0.0.1:"
                + port + "\"\ncluster = true\ntimeout = 2000\nservers = [" + seeds + "]\n";
    }

    @AfterAll
    static void stop() {
        if (direct != null) {
            direct.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void flush() {
        cluster.masters().forEach(RedisServer::flushAll);
    }

    @Test
    void keysLandWhereTheClusterSaysAndSplitCommandsSpanEverySlotGroup() {
        int n = 2000;
        String[] keys = IntStream.range(0, n).mapToObj(i -> "key:" + i).toArray(String[]::new);
        try (Jedis client = proxy.jedis()) {
            for (int i = 0; i < n; i++) {
                assertEquals("OK", client.set(keys[i], "v:" + i));
            }
            for (int i = 0; i < n; i++) {
                assertEquals("v:" + i, direct.get(keys[i]), "the cluster itself finds " + keys[i]);
            }
            List<String> values = client.mget(keys);
            assertEquals(IntStream.range(0, n).mapToObj(i -> "v:" + i).toList(), values);
            String[] pairs = IntStream.range(0, n).boxed()
                    .flatMap(i -> java.util.stream.Stream.of("m:" + i, "w:" + i)).toArray(String[]::new);
            assertEquals("OK", client.mset(pairs));
            assertEquals("w:1999", direct.get("m:1999"));
            assertEquals(n, client.exists(keys));
            assertEquals(500, client.del(java.util.Arrays.copyOf(keys, 500)));
            assertEquals(0, client.exists(java.util.Arrays.copyOf(keys, 500)));
            assertEquals(n - 500, client.unlink(java.util.Arrays.copyOfRange(keys, 500, n)));
        }
        long total = 0;
        for (RedisServer master : cluster.masters()) {
            try (Jedis jedis = master.jedis()) {
                long size = jedis.dbSize();
                assertTrue(size > 0, master + " holds none of the keys");
                total += size;
            }
        }
        assertEquals(n, total, "the MSET's keys, each on exactly one master");
    }

    @Test
    void hashTagsKeepMultiKeyCommandsOnOneSlotAndOthersAreCrossSlot() {
        try (Jedis client = proxy.jedis()) {
            client.sadd("{user42}:cart", "a", "b", "c");
            client.sadd("{user42}:wish", "b", "c", "d");
            assertEquals(2, client.sinterstore("{user42}:both", "{user42}:cart", "{user42}:wish"));
            assertEquals("OK", client.rename("{user42}:both", "{user42}:common"));
            JedisDataException e = assertThrows(JedisDataException.class, () -> client.rename("foo", "bar"));
            String expected = directError("RENAME", "foo", "bar");
            assertEquals(expected, e.getMessage());
            assertEquals("CROSSSLOT Keys in request don't hash to the same slot", e.getMessage());
        }
    }

    /** The error a node answers when sent the command itself (to the master of its first key's slot). */
    private static String directError(String... args) {
        int slot = io.rproxy.routing.ClusterSlot.of(args[1].getBytes(StandardCharsets.UTF_8));
        try (Jedis node = cluster.ownerOf(slot).jedis()) {
            node.sendCommand(Protocol.Command.valueOf(args[0]), java.util.Arrays.copyOfRange(args, 1, args.length));
            throw new AssertionError("expected an error from the node");
        } catch (JedisDataException e) {
            return e.getMessage();
        }
    }

    /** Single-slot commands of many kinds: the same replies through rproxy as from the cluster directly. */
    @Test
    void differentialAgainstJedisCluster() {
        List<String[]> commands = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String k = "d:" + i;
            String t = "{d" + i + "}";
            commands.addAll(List.of(
                    new String[] {"SET", k, "x" + i}, new String[] {"APPEND", k, "yz"}, new String[] {"GET", k},
                    new String[] {"STRLEN", k}, new String[] {"INCR", k + ":n"}, new String[] {"INCRBY", k + ":n", "5"},
                    new String[] {"HSET", k + ":h", "f", "1", "g", "2"}, new String[] {"HGETALL", k + ":h"},
                    new String[] {"LPUSH", k + ":l", "a", "b", "c"}, new String[] {"LRANGE", k + ":l", "0", "-1"},
                    new String[] {"ZADD", k + ":z", "1", "a", "2", "b"},
                    new String[] {"ZRANGE", k + ":z", "0", "-1", "WITHSCORES"},
                    new String[] {"TYPE", k + ":z"}, new String[] {"GET", k + ":missing"},
                    new String[] {"MSET", t + "a", "1", t + "b", "2"}, new String[] {"MGET", t + "a", t + "b"},
                    new String[] {"EVAL", "return redis.call('incrby', KEYS[1], ARGV[1])", "1", t + "c", "7"},
                    new String[] {"SMOVE", t + "s", t + "s2", "x"}, new String[] {"HINCRBY", k, "f", "1"},
                    new String[] {"DEL", t + "a", t + "b", t + "zz"}));
        }
        List<String> viaProxy = new ArrayList<>();
        try (Jedis client = proxy.jedis()) {
            for (String[] c : commands) {
                viaProxy.add(run(() -> client.sendCommand(cmd(c[0]), rest(c))));
            }
        }
        cluster.masters().forEach(RedisServer::flushAll);
        List<String> viaCluster = new ArrayList<>();
        for (String[] c : commands) {
            viaCluster.add(run(() -> direct.sendCommand(c[1].startsWith("return") ? c[3] : c[1], cmd(c[0]),
                    rest(c))));
        }
        for (int i = 0; i < commands.size(); i++) {
            assertEquals(viaCluster.get(i), viaProxy.get(i), String.join(" ", commands.get(i)));
        }
    }

    @Test
    void aSeedThatIsNotAClusterNodeIsRefused() {
        try (RedisServer plain = RedisServer.start()) {
            RproxyException e = assertThrows(RproxyException.class,
                    () -> RunningProxy.start(clusterToml(FreePorts.pick(), "\"" + plain.address() + "\"")));
            assertTrue(e.getMessage().contains("seed " + plain.address() + " is not a Redis Cluster node"),
                    e.getMessage());
        }
        int nobody = FreePorts.pick();
        RproxyException e = assertThrows(RproxyException.class,
                () -> RunningProxy.start(clusterToml(FreePorts.pick(), "\"127.0.0.1:" + nobody + "\"")));
        assertTrue(e.getMessage().contains("no seed node of the cluster answered")
                && e.getMessage().contains("127.0.0.1:" + nobody), e.getMessage());
    }

    static ProtocolCommand cmd(String name) {
        return () -> name.getBytes(StandardCharsets.UTF_8);
    }

    static String[] rest(String[] c) {
        return java.util.Arrays.copyOfRange(c, 1, c.length);
    }

    /** A reply as comparable text: bulk strings decoded, arrays listed, errors by their message. */
    static String run(java.util.function.Supplier<Object> call) {
        try {
            return render(call.get());
        } catch (JedisDataException e) {
            return "error: " + e.getMessage();
        }
    }

    private static String render(Object reply) {
        if (reply instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (reply instanceof List<?> list) {
            return list.stream().map(ClusterIT::render).toList().toString();
        }
        if (reply instanceof Map<?, ?> map) {
            return map.toString();
        }
        return String.valueOf(reply);
    }
}
