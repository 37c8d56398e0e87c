package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.rproxy.harness.Harness;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * SCAN over pools of 1, 3 and 5 redis-servers against one redis-server holding the same keys of five types:
 * every option (MATCH, COUNT, TYPE), while other keys are written and deleted; the cursor rproxy cannot decode;
 * Jedis's {@code ScanParams} loop, Lettuce's {@code ScanIterator} and {@code redis-cli --scan}.
 */
class ScanIT {
    private static final int KEYS = 300;
    private static final List<List<String>> OPTIONS = List.of(List.of(), List.of("MATCH", "s:*"),
            List.of("COUNT", "7"), List.of("TYPE", "hash"), List.of("MATCH", "*1*", "COUNT", "3", "TYPE", "zset"),
            List.of("COUNT", "1000"), List.of("MATCH", "nomatch:*"));

    private static RedisServer direct;

    @BeforeAll
    static void start() {
        direct = RedisServer.start();
        try (RawClient client = new RawClient(direct.port())) {
            client.pipeline(WholePoolIT.fill(KEYS));
        }
    }

    @AfterAll
    static void stop() {
        direct.close();
    }

    @ParameterizedTest(name = "{0} servers")
    @ValueSource(ints = {1, 3, 5})
    void everyKeyPresentThroughoutIsReturnedWithEveryOption(int servers) throws InterruptedException {
        try (ProxiedServers pool = ProxiedServers.start(servers, "hash = \"murmur\"");
             RawClient viaProxy = new RawClient(pool.proxy().port());
             RawClient viaDirect = new RawClient(direct.port())) {
            viaProxy.pipeline(WholePoolIT.fill(KEYS));
            assertEquals(Reply.integer(KEYS), viaProxy.call("DBSIZE"));
            for (List<String> options : OPTIONS) {
                assertEquals(scan(viaDirect, options), scan(viaProxy, options), "SCAN " + options);
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger writes = new AtomicInteger();
            Thread writer = Thread.ofVirtual().start(() -> churn(pool.proxy().port(), writing, writes));
            try {
                for (List<String> options : OPTIONS) {
                    Set<String> expected = scan(viaDirect, options);
                    Set<String> seen = scan(viaProxy, options);
                    assertTrue(seen.containsAll(expected), "SCAN " + options + " while writing missed keys");
                    seen.removeIf(k -> k.startsWith("churn:"));
                    assertEquals(expected, seen, "SCAN " + options + ": nothing else");
                }
            } finally {
                writing.set(false);
                writer.join();
            }
            assertTrue(writes.get() > 0, "keys were written during the scans");
            if (servers > 1) {
                assertEquals(Reply.error("ERR invalid cursor"), viaProxy.call("SCAN", "abc"));
                Reply beyond = viaProxy.call("SCAN", Integer.toString(servers));
                assertTrue(beyond.isError() && beyond.errorMessage().startsWith("ERR rproxy: invalid cursor "
                        + servers + ": it names server " + servers + " "), beyond.toString());
            }
        }
    }

    /** SETs and DELs of keys of their own while scans go on, through another connection. */
    static void churn(int port, AtomicBoolean writing, AtomicInteger writes) {
        try (RawClient client = new RawClient(port)) {
            for (int i = 0; writing.get(); i++) {
                client.pipeline(List.of(List.of("SET", "churn:" + i, "x"), List.of("DEL", "churn:" + (i - 5)),
                        List.of("HSET", "churn:h" + i, "f", "v")));
                writes.incrementAndGet();
            }
        }
    }

    @ParameterizedTest(name = "{0} servers")
    @ValueSource(ints = {3})
    void jedisScanParamsAndLettuceScanIterator(int servers) {
        try (ProxiedServers pool = ProxiedServers.start(servers, "");
             Jedis viaProxy = new Jedis("127.0.0.1", pool.proxy().port());
             Jedis viaDirect = direct.jedis()) {
            try (RawClient client = new RawClient(pool.proxy().port())) {
                client.pipeline(WholePoolIT.fill(KEYS));
            }
            ScanParams params = new ScanParams().match("h:*").count(10);
            assertEquals(jedisScan(viaDirect, params), jedisScan(viaProxy, params));
            assertEquals(jedisScan(viaDirect, new ScanParams()), jedisScan(viaProxy, new ScanParams()));

            RedisClient lettuce = RedisClient.create(RedisURI.builder().withHost("127.0.0.1")
                    .withPort(pool.proxy().port()).withTimeout(Duration.ofSeconds(10)).build());
            try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
                Set<String> seen = new TreeSet<>();
                ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches("*").limit(20))
                        .forEachRemaining(seen::add);
                assertEquals(jedisScan(viaDirect, new ScanParams()), seen);
            } finally {
                lettuce.shutdown();
            }
        }
    }

    @Test
    void redisCliScan() throws Exception {
        try (ProxiedServers pool = ProxiedServers.start(3, "hash = \"murmur\"")) {
            try (RawClient client = new RawClient(pool.proxy().port())) {
                client.pipeline(WholePoolIT.fill(KEYS));
            }
            assertEquals(redisCliScan(direct.port()), redisCliScan(pool.proxy().port()));
            assertEquals(KEYS / 5, redisCliScan(pool.proxy().port(), "--pattern", "h:*").size());
        }
    }

    private static Set<String> redisCliScan(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Harness.requireRedisCli().toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port), "--scan"));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "redis-cli --scan finished");
        assertEquals(0, process.exitValue(), out);
        return new TreeSet<>(out.lines().toList());
    }

    private static Set<String> jedisScan(Jedis jedis, ScanParams params) {
        Set<String> keys = new TreeSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }

    /** A whole scan: every page until the cursor is 0 again; fails on an error or a loop that never ends. */
    private static Set<String> scan(RawClient client, List<String> options) {
        Set<String> keys = new TreeSet<>();
        String cursor = "0";
        Set<String> cursors = new HashSet<>();
        do {
            List<String> request = new ArrayList<>(List.of("SCAN", cursor));
            request.addAll(options);
            Reply reply = client.call(request);
            assertTrue(!reply.isError(), request + " got " + reply);
            List<Reply> page = reply.elements();
            cursor = new String(page.get(0).bulkValue(), StandardCharsets.US_ASCII);
            assertTrue(cursors.size() < 100_000, "the scan ends");
            cursors.add(cursor);
            keys.addAll(WholePoolIT.sorted(page.get(1)));
        } while (!cursor.equals("0"));
        return keys;
    }
}
