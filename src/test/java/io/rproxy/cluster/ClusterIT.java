package io.rproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.RproxyException;
import io.rproxy.admin.RespClient;
import io.rproxy.harness.Harness;
import io.rproxy.harness.TrafficRunner;
import io.rproxy.routing.ClusterSlot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import redis.clients.jedis.params.MigrateParams;
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

    /**
     * One slot with keys moved to another master by hand (SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE)
     * while clients read and write it: rproxy follows ASK during the move and MOVED after it; no client sees an
     * error.
     */
    @Test
    void aSlotMigratedUnderTrafficIsFollowedThroughAskAndMoved() throws Exception {
        String tag = "{mig}";
        int slot = ClusterSlot.of(tag.getBytes(StandardCharsets.UTF_8));
        RedisServer source = cluster.ownerOf(slot);
        RedisServer target = cluster.masters().stream().filter(m -> m != source).findFirst().orElseThrow();
        try (Jedis client = proxy.jedis()) {
            for (int i = 0; i < 200; i++) {
                client.set(tag + i, "v" + i);
            }
        }
        Set<String> errors = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong rounds = new AtomicLong();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (Jedis client = proxy.jedis()) {
                for (int round = 0; running.get(); round++) {
                    for (int i = 0; i < 200; i++) {
                        String value = client.get(tag + i);
                        if (!("v" + i).equals(value)) {
                            errors.add(tag + i + " read " + value);
                        }
                    }
                    String fresh = tag + "new:" + round;
                    client.set(fresh, "n" + round);
                    if (!("n" + round).equals(client.get(fresh))) {
                        errors.add(fresh + " not read back");
                    }
                    rounds.incrementAndGet();
                }
            } catch (RuntimeException e) {
                errors.add(e.toString());
            }
        });
        try (TrafficRunner traffic = TrafficRunner.start(proxy.port(), 2, 1, true);
             Jedis src = source.jedis(); Jedis dst = target.jedis()) {
            dst.clusterSetSlotImporting(slot, src.clusterMyId());
            src.clusterSetSlotMigrating(slot, dst.clusterMyId());
            migrate(src, target, slot, 100);
            Awaitility.await("ASK followed to the importing node").atMost(Duration.ofSeconds(10))
                    .until(() -> asking(dst) > 0);
            migrate(src, target, slot, Integer.MAX_VALUE);
            String targetId = dst.clusterMyId();
            for (RedisServer master : cluster.masters()) {
                try (Jedis m = master.jedis()) {
                    m.clusterSetSlotNode(slot, targetId);
                }
            }
            long before = rounds.get();
            Awaitility.await("reads go on after the move").atMost(Duration.ofSeconds(10))
                    .until(() -> rounds.get() > before + 3);
            assertEquals(target, cluster.ownerOf(slot));
            running.set(false);
            reader.join();
            traffic.stop();
            assertEquals(Set.of(), errors);
            assertEquals(0, traffic.errorCount(), traffic.summary());
            assertEquals("v7", dst.get(tag + 7), "the key lives on the new master");
            System.out.printf("migration: %d rounds over the moving slot, ASKING sent %d times; %s%n",
                    rounds.get(), asking(dst), traffic.summary());
        }
    }

    /**
     * A MOVED followed for a client alone on the proxy: the resend is only queued, and no other client's write
     * carries it, so the request that follows the redirection must write it before it waits (it did not when the
     * flush was taken out of BackendRequest.await: the client got a timeout after 2 s).
     */
    @Test
    void aRedirectionIsWrittenForAClientAloneOnTheProxy() {
        String tag = "{solo}";
        int slot = ClusterSlot.of(tag.getBytes(StandardCharsets.UTF_8));
        RedisServer source = cluster.ownerOf(slot);
        RedisServer target = cluster.masters().stream().filter(m -> m != source).findFirst().orElseThrow();
        try (Jedis client = proxy.jedis(); Jedis dst = target.jedis()) {
            assertEquals("PONG", client.ping()); // connected before the move: only the redirected SET is in question
            String targetId = dst.clusterMyId();
            for (RedisServer master : cluster.masters()) { // an empty slot moves without MIGRATE
                try (Jedis m = master.jedis()) {
                    m.clusterSetSlotNode(slot, targetId);
                }
            }
            long started = System.nanoTime();
            assertEquals("OK", client.set(tag + "k", "v"), "SET followed MOVED to the new owner");
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "answered before the timeout");
            assertEquals("v", dst.get(tag + "k"));
            assertEquals("v", client.get(tag + "k"));
        }
    }

    private static void migrate(Jedis src, RedisServer target, int slot, int atMost) {
        int moved = 0;
        List<String> keys;
        while (moved < atMost && !(keys = src.clusterGetKeysInSlot(slot, 20)).isEmpty()) {
            src.migrate(target.host(), target.port(), 0, 5000, new MigrateParams(), keys.toArray(String[]::new));
            moved += keys.size();
        }
    }

    private static long asking(Jedis node) {
        return node.info("commandstats").lines().filter(l -> l.startsWith("cmdstat_asking:calls="))
                .mapToLong(l -> Long.parseLong(l.substring("cmdstat_asking:calls=".length(), l.indexOf(','))))
                .findFirst().orElse(0);
    }

    /** LOAD+COMMIT of a configuration that names other seeds: traffic goes on; STATUS shows the cluster. */
    @Test
    void aReloadChangesTheSeedsAndStatusShowsTheNodes() throws Exception {
        List<RedisServer> nodes = cluster.nodes();
        String seeds = "\"" + nodes.get(1).address() + "\", \"" + nodes.get(2).address() + "\"";
        Path file = Files.createTempFile(Harness.dir(), "cluster-reload-", ".toml");
        Files.writeString(file, clusterToml(proxy.port(), seeds)
                .replaceFirst("listen = \"127.0.0.1:\\d+\"", "listen = \"127.0.0.1:" + proxy.adminPort() + "\""));
        try (RespClient admin = new RespClient(proxy.adminPort());
             TrafficRunner traffic = TrafficRunner.start(proxy.port(), 2, 1, true)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> traffic.replies() > 500);
            assertTrue(admin.line("LOAD", file.toString()).startsWith("+OK"));
            assertTrue(admin.line("COMMIT").startsWith("+OK"));
            long after = traffic.replies();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> traffic.replies() > after + 500);
            traffic.stop();
            assertEquals(0, traffic.errorCount(), traffic.summary());
            traffic.acknowledgedWrites().forEach((key, value) -> assertEquals(value, direct.get(key), key));
            String status = admin.text("STATUS");
            assertTrue(status.contains("\"seeds\":[\"" + nodes.get(1).address() + "\",\"" + nodes.get(2).address()
                    + "\"]"), status);
            assertTrue(status.contains("\"cluster\":true"), status);
            for (RedisServer master : cluster.masters()) {
                assertTrue(status.contains("{\"address\":\"" + master.address() + "\",\"role\":\"master\","
                        + "\"slots\":[\""), status);
            }
            System.out.println("STATUS after the reload: " + status);
        }
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
