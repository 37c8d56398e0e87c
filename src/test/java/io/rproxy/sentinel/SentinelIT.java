package io.rproxy.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.RproxyException;
import io.rproxy.admin.RespClient;
import io.rproxy.cli.JsonReader;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisSentinel;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.harness.SentinelSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A Sentinel pool in front of real Redis Sentinel: two masters ({@code alpha}, and {@code beta} under the ring name
 * {@code shard2}) with a replica each, three sentinels. Keys are placed by master name; a forced failover and a
 * killed master are each followed under traffic, every acknowledged write is read back afterwards and the outage is
 * measured; the other master never fails meanwhile; dedicated connections follow the switch; a sentinel down is
 * tolerated; what the sentinels cannot serve fails the configuration, naming them. The tests share one Sentinel
 * setup (about 4 s to start), so they run in order: the failovers use one master each.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SentinelIT {
    private static final int TIMEOUT_MS = 500;
    private static final String POOL = "ha";
    private static SentinelSet set;
    private static RunningProxy proxy;
    private static int metricsPort;
    /** Hash tags whose keys rproxy places on alpha and on beta. */
    private static String onAlpha;
    private static String onBeta;

    @BeforeAll
    static void start() {
        set = SentinelSet.start("alpha", "beta");
        metricsPort = FreePorts.pick();
        proxy = RunningProxy.start("[metrics]\nlisten = \"127.0.0.1:" + metricsPort + "\"\n\n"
                + pool(FreePorts.pick(), "\"alpha:1\", \"beta:1 shard2\"", set.sentinelsToml()));
        onAlpha = tagOn("alpha");
        onBeta = tagOn("beta");
    }

    /** A whole configuration: an admin port and the Sentinel pool {@value #POOL}. */
    private static String pool(int port, String servers, String sentinels) {
        return "[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n\n[pools." + POOL + "]\n"
                + "listen = \"127.0.0.1:" + port + "\"\nhash_tag = \"{}\"\ntimeout = " + TIMEOUT_MS + "\n"
                + "sentinels = [" + sentinels + "]\nservers = [" + servers + "]\n";
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (set != null) {
            set.close();
        }
    }

    /** A hash tag {@code {tN}} whose keys rproxy puts on master {@code name}: written through rproxy, found there. */
    private static String tagOn(String name) {
        try (Jedis client = proxy.jedis(); Jedis master = set.master(name).jedis()) {
            for (int i = 0; ; i++) {
                String tag = "{t" + i + "}";
                client.set(tag + ":probe", "x");
                if (master.exists(tag + ":probe")) {
                    return tag;
                }
            }
        }
    }

    @Test
    @Order(1)
    void keysArePlacedByMasterNameAsAPlainPoolOfThoseNamesPlacesThem() {
        List<String> keys = new ArrayList<>();
        try (Jedis client = proxy.jedis()) {
            for (int i = 0; i < 300; i++) {
                keys.add("place:" + i);
                client.set("place:" + i, Integer.toString(i));
            }
        }
        RedisServer alpha = set.master("alpha");
        RedisServer beta = set.master("beta");
        String plainToml = RunningProxy.poolToml("plain", FreePorts.pick(), "",
                List.of("\"" + alpha.address() + ":1 alpha\"", "\"" + beta.address() + ":1 shard2\""));
        try (RunningProxy plain = RunningProxy.start(plainToml); Jedis client = plain.jedis();
             Jedis onA = alpha.jedis(); Jedis onB = beta.jedis()) {
            for (int i = 0; i < keys.size(); i++) {
                assertEquals(Integer.toString(i), client.get(keys.get(i)), "a plain pool finds " + keys.get(i));
            }
            long a = keys.stream().filter(onA::exists).count();
            long b = keys.stream().filter(onB::exists).count();
            assertEquals(keys.size(), a + b);
            assertTrue(a > 50 && b > 50, "both masters hold keys: " + a + " and " + b);
        }
    }

    @Test
    @Order(2)
    void aForcedFailoverIsFollowedUnderTrafficAndNothingAcknowledgedIsLost() throws Exception {
        RedisServer old = set.master("alpha");
        RedisServer promoted = set.replica("alpha");
        AtomicReference<String> blockedPop = new AtomicReference<>();
        Thread blocked = Thread.ofVirtual().name("test-blpop").start(() -> {
            try (Jedis client = new Jedis("127.0.0.1", proxy.port(), 30_000)) {
                blockedPop.set("popped " + client.blpop(0, onAlpha + ":queue"));
            } catch (JedisDataException e) {
                blockedPop.set(e.getMessage());
            }
        });
        AtomicReference<String> subscriber = new AtomicReference<>();
        Thread subscribed = Thread.ofVirtual().name("test-subscriber").start(() -> {
            try (Jedis client = new Jedis("127.0.0.1", proxy.port(), 30_000)) {
                client.subscribe(new JedisPubSub() { }, onAlpha + ":channel");
                subscriber.set("the subscription ended without an error");
            } catch (RuntimeException e) {
                subscriber.set(e.getMessage());
            }
        });
        Awaitility.await("the BLPOP is blocked on the old master, a client subscribed there").atMost(Duration.ofSeconds(5))
                .until(() -> blockedClients(old) == 1 && subscribers(old, onAlpha + ":channel") == 1);
        try (Jedis client = proxy.jedis()) { // while the BLPOP holds one: another, left in the idle reserve
            redis.clients.jedis.Transaction tx = client.multi();
            tx.set(onAlpha + ":tx", "before");
            assertEquals(List.of("OK"), tx.exec());
        }
        Writer alpha = Writer.start(onAlpha);
        Writer beta = Writer.start(onBeta);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> alpha.acked() > 100);
            set.failover("alpha");
            awaitFollowed("alpha", promoted, alpha);
        } finally {
            alpha.stop();
            beta.stop();
        }
        alpha.report("SENTINEL FAILOVER of alpha");
        alpha.assertFailedFastNaming("alpha");
        alpha.assertEveryAcknowledgedWriteIsThere();
        assertEquals(List.of(), beta.failures(), "the other master is not affected");
        beta.assertEveryAcknowledgedWriteIsThere();

        Awaitility.await("the BLPOP held on the old master fails").atMost(Duration.ofSeconds(5))
                .until(() -> blockedPop.get() != null);
        blocked.join();
        assertTrue(blockedPop.get().contains("alpha") && blockedPop.get().contains(promoted.address()),
                blockedPop.get());
        Awaitility.await("the subscriber's connection ends, so that it subscribes again").atMost(Duration.ofSeconds(5))
                .until(() -> subscriber.get() != null);
        subscribed.join();
        assertTrue(subscriber.get().contains("alpha") && subscriber.get().contains(promoted.address()),
                subscriber.get());
        try (Jedis client = proxy.jedis(); Jedis onNew = promoted.jedis(); Jedis onOld = old.jedis()) {
            redis.clients.jedis.Transaction tx = client.multi();
            tx.set(onAlpha + ":tx", "after");
            assertEquals(List.of("OK"), tx.exec());
            assertEquals("after", onNew.get(onAlpha + ":tx"), "the transaction ran on the new master");
            assertEquals("before", onOld.get(onAlpha + ":tx"), "no reserve connection to the old master was reused");
        }
        Map<String, Object> alphaStatus = server("alpha");
        assertEquals("alpha", alphaStatus.get("master"));
        assertEquals(1L, ((Number) alphaStatus.get("switches")).longValue());
        assertEquals("up", alphaStatus.get("state"));
        assertEquals(0L, ((Number) server("shard2").get("switches")).longValue());
        assertTrue(metrics().contains("rproxy_sentinel_master_switches_total{pool=\"" + POOL
                + "\",server=\"alpha\",master=\"alpha\"} 1\n"), "the switch is counted on /metrics");
    }

    @Test
    @Order(3)
    void aKilledMasterIsFollowedWhileASentinelIsDown() throws Exception {
        RedisSentinel down = set.sentinels().getLast();
        down.kill();
        Awaitility.await("STATUS shows the sentinel down").atMost(Duration.ofSeconds(10)).until(() ->
                sentinels().stream().anyMatch(s -> s.get("address").equals(down.address())
                        && s.get("state").equals("down")));
        assertTrue(metrics().contains("rproxy_sentinel_up{pool=\"" + POOL + "\",sentinel=\"" + down.address()
                + "\"} 0\n"));
        RedisServer victim = set.master("beta");
        RedisServer promoted = set.replica("beta");
        Writer alpha = Writer.start(onAlpha);
        Writer beta = Writer.start(onBeta);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> beta.acked() > 100);
            victim.kill();
            awaitFollowed("shard2", promoted, beta);
        } finally {
            alpha.stop();
            beta.stop();
        }
        beta.report("kill -9 of beta's master (down-after " + SentinelSet.DOWN_AFTER.toMillis() + " ms, one of three"
                + " sentinels down)");
        beta.assertFailedFastNaming("shard2");
        beta.assertEveryAcknowledgedWriteIsThere();
        assertTrue(beta.outageMs() < SentinelSet.DOWN_AFTER.toMillis() + 10_000, "outage " + beta.outageMs());
        assertEquals(List.of(), alpha.failures(), "the other master is not affected");
        alpha.assertEveryAcknowledgedWriteIsThere();
        assertEquals(1L, ((Number) server("shard2").get("switches")).longValue());
    }

    @Test
    @Order(4)
    void whatTheSentinelsCannotServeFailsTheConfigurationNamingThem() throws Exception {
        RproxyException unknown = assertThrows(RproxyException.class, () -> RunningProxy.start(
                pool(FreePorts.pick(), "\"alpha:1\", \"nosuch:1\"", set.sentinelsToml())).close());
        for (RedisSentinel sentinel : set.alive()) {
            assertTrue(unknown.getMessage().contains("sentinel " + sentinel.address() + " does not know master"
                    + " 'nosuch'"), unknown.getMessage());
        }
        assertTrue(unknown.getMessage().startsWith("pool '" + POOL + "': "), unknown.getMessage());

        int nobody1 = FreePorts.pick();
        int nobody2 = FreePorts.pick();
        RproxyException none = assertThrows(RproxyException.class, () -> RunningProxy.start(
                pool(FreePorts.pick(), "\"alpha:1\"", "\"127.0.0.1:" + nobody1 + "\", \"127.0.0.1:" + nobody2 + "\""))
                .close());
        assertTrue(none.getMessage().startsWith("pool '" + POOL + "': no sentinel answered: "), none.getMessage());
        assertTrue(none.getMessage().contains("127.0.0.1:" + nobody1) && none.getMessage().contains("127.0.0.1:"
                + nobody2), none.getMessage());

        Path file = Files.createTempFile(Harness.dir(), "sentinel-", ".toml");
        Files.writeString(file, proxy.rproxy().activeConfig().text().replace("\"beta:1 shard2\"", "\"nosuch:1 shard2\""));
        try (RespClient admin = new RespClient(proxy.adminPort())) {
            String loaded = admin.line("LOAD", file.toString());
            assertTrue(loaded.startsWith("-ERR") && loaded.contains("does not know master 'nosuch'"), loaded);
            assertEquals(null, JsonReader.parseObject(admin.text("STATUS")).get("staged"), "nothing was staged");

            Files.writeString(file, proxy.rproxy().activeConfig().text().replace("timeout = " + TIMEOUT_MS,
                    "timeout = " + (TIMEOUT_MS + 100)));
            assertTrue(admin.line("RELOAD", file.toString()).startsWith("+OK reloaded"));
        }
        try (Jedis client = proxy.jedis(); Jedis beta = set.master("beta").jedis()) {
            assertEquals("OK", client.set(onBeta + ":reloaded", "yes"), "the new generation asked the sentinels too");
            assertEquals("yes", beta.get(onBeta + ":reloaded"));
        }
    }

    /** Waits until STATUS shows {@code server} at {@code promoted} and the writer has succeeded there a while. */
    private static void awaitFollowed(String server, RedisServer promoted, Writer writer) {
        Awaitility.await(server + " followed to " + promoted.address()).atMost(Duration.ofSeconds(25))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> server(server).get("address").equals(promoted.address()));
        long okBefore = writer.acked();
        Awaitility.await("writes succeed on the new master").atMost(Duration.ofSeconds(10))
                .until(() -> writer.acked() > okBefore + 200);
    }

    private static long blockedClients(RedisServer server) {
        try (Jedis jedis = server.jedis()) {
            return jedis.info("clients").lines().filter(l -> l.startsWith("blocked_clients:"))
                    .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).strip())).sum();
        }
    }

    private static long subscribers(RedisServer server, String channel) {
        try (Jedis jedis = server.jedis()) {
            return jedis.pubsubNumSub(channel).getOrDefault(channel, 0L);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status() {
        try (RespClient admin = new RespClient(proxy.adminPort())) {
            Map<String, Object> active = (Map<String, Object>) JsonReader.parseObject(admin.text("STATUS"))
                    .get("active");
            return (Map<String, Object>) ((Map<String, Object>) active.get("pools")).get(POOL);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> server(String name) {
        return ((List<Map<String, Object>>) status().get("servers")).stream()
                .filter(s -> s.get("name").equals(name)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> sentinels() {
        return (List<Map<String, Object>>) status().get("sentinels");
    }

    private static String metrics() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * A client thread writing through rproxy as fast as it is answered, every key under one hash tag (so on one
     * master): {@code SET tag:w:i i} then {@code INCR tag:counter}, remembering what was acknowledged and how long
     * each failure took.
     */
    private static final class Writer {
        private static final Duration PAUSE_AFTER_FAILURE = Duration.ofMillis(1);
        private final String tag;
        private final Thread thread;
        private volatile boolean running = true;
        private final List<Integer> acked = new ArrayList<>();
        private final List<Long> counts = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();
        private long slowestFailureNanos;
        /** The longest time between two acknowledged writes: the outage as a client sees it. */
        private long longestGapNanos;
        private volatile int ackedCount;

        private Writer(String tag) {
            this.tag = tag;
            this.thread = Thread.ofVirtual().name("test-writer-" + tag).unstarted(this::run);
        }

        static Writer start(String tag) {
            Writer writer = new Writer(tag);
            writer.thread.start();
            return writer;
        }

        private void run() {
            try (Jedis client = proxy.jedis()) {
                long lastOk = System.nanoTime();
                for (int i = 0; running; i++) {
                    long sent = System.nanoTime();
                    try {
                        client.set(tag + ":w:" + i, Integer.toString(i));
                        acked.add(i);
                        counts.add(client.incr(tag + ":counter"));
                        long now = System.nanoTime();
                        longestGapNanos = Math.max(longestGapNanos, now - lastOk);
                        lastOk = now;
                        ackedCount++;
                    } catch (JedisDataException e) {
                        failures.add(e.getMessage());
                        slowestFailureNanos = Math.max(slowestFailureNanos, System.nanoTime() - sent);
                        LockSupport.parkNanos(PAUSE_AFTER_FAILURE.toNanos()); // pacing: fast failures would spin
                    }
                }
            }
        }

        int acked() {
            return ackedCount;
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        List<String> failures() {
            return failures;
        }

        long outageMs() {
            return longestGapNanos / 1_000_000;
        }

        void report(String what) {
            System.out.printf("%s: writes to %s stopped for %d ms at most (%d acknowledged, %d failed, the slowest"
                    + " failure answered in %d ms)%n", what, tag, outageMs(), acked.size(), failures.size(),
                    slowestFailureNanos / 1_000_000);
        }

        void assertFailedFastNaming(String server) {
            assertTrue(failures.stream().allMatch(f -> f.contains(server)), "failures name " + server + ": "
                    + failures.stream().distinct().limit(5).toList());
            assertTrue(slowestFailureNanos / 1_000_000 < TIMEOUT_MS + 300, "a failure took "
                    + slowestFailureNanos / 1_000_000 + " ms");
        }

        /** Through rproxy (so from the master rproxy follows now): every acknowledged SET, and no INCR undone. */
        void assertEveryAcknowledgedWriteIsThere() {
            try (Jedis client = proxy.jedis()) {
                Pipeline pipeline = client.pipelined();
                List<Response<String>> values = new ArrayList<>();
                acked.forEach(i -> values.add(pipeline.get(tag + ":w:" + i)));
                Response<String> counter = pipeline.get(tag + ":counter");
                pipeline.sync();
                List<Integer> missing = new ArrayList<>();
                for (int i = 0; i < acked.size(); i++) {
                    if (!Integer.toString(acked.get(i)).equals(values.get(i).get())) {
                        missing.add(acked.get(i));
                    }
                }
                assertEquals(List.of(), missing, "acknowledged SETs of " + tag + " that were lost");
                Set<Long> distinct = new HashSet<>(counts);
                assertEquals(counts.size(), distinct.size(), "an INCR answered a value twice: increments were lost");
                long last = counts.stream().mapToLong(Long::longValue).max().orElse(0);
                assertTrue(Long.parseLong(counter.get()) >= last, "counter " + counter.get() + " < acknowledged "
                        + last);
                assertNotEquals(0, acked.size());
            }
        }
    }
}
