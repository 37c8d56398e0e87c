package io.rproxy.admin;

import io.rproxy.cli.JsonReader;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.Version;
import io.rproxy.config.ProxyConfig;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.Nutcracker;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RedisServers;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The admin port against real redis-servers: STATUS, STATS (next to a real nutcracker's), auth, redis-cli. */
class AdminPortIT {
    @RegisterExtension
    static final RedisServers backends = RedisServers.of(2);

    /** Two pools: alpha over both servers, beta over the first; admin on a free port, plus extra lines. */
    static String twoPools(String adminExtra, String poolExtra) {
        return "[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n" + adminExtra + "\n\n"
                + "[pools.alpha]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n"
                + "servers = [\"" + backends.redis(1).address() + ":1 redis1\", \"" + backends.redis(2).address()
                + ":1 redis2\"]\n"
                + poolExtra + "\n\n"
                + "[pools.beta]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\nhash_tag = \"{}\"\ntimeout = 400\n"
                + "servers = [\"" + backends.redis(1).address() + ":1 solo\"]\n";
    }

    @Test
    void statusDescribesTheActiveConfigurationAndEveryPoolAndServer() throws Exception {
        try (RunningProxy proxy = RunningProxy.start(twoPools("", ""));
             RespClient admin = new RespClient(proxy.adminPort())) {
            Map<String, Object> status = JsonReader.parseObject(admin.text("STATUS"));

            assertEquals(Version.current(), status.get("version"));
            assertTrue((Long) status.get("uptime_s") >= 0);
            assertTrue(status.containsKey("staged"));
            assertNull(status.get("staged"));
            Map<String, Object> active = map(status.get("active"));
            ProxyConfig config = proxy.rproxy().activeConfig();
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(config.text().getBytes(StandardCharsets.UTF_8))), active.get("sha256"));
            assertEquals(config.source().toAbsolutePath().toString(), active.get("source"));
            Map<String, Object> pools = map(active.get("pools"));
            assertEquals(List.of("alpha", "beta"), List.copyOf(pools.keySet()));

            Map<String, Object> beta = map(pools.get("beta"));
            assertEquals("127.0.0.1:" + proxy.port("beta"), beta.get("listen"));
            assertEquals("fnv1a_64", beta.get("hash"));
            assertEquals("ketama", beta.get("distribution"));
            assertEquals("{}", beta.get("hash_tag"));
            assertEquals(400L, beta.get("timeout_ms"));
            assertNull(map(pools.get("alpha")).get("timeout_ms"));
            assertEquals(0L, beta.get("client_connections"));
            List<Object> servers = list(map(pools.get("alpha")).get("servers"));
            assertEquals(2, servers.size());
            Map<String, Object> first = map(servers.get(0));
            assertEquals("redis1", first.get("name"));
            assertEquals(backends.redis(1).address(), first.get("address"));
            assertEquals(1L, first.get("weight"));
            assertEquals("up", first.get("state"));
            for (String counter : List.of("requests", "responses", "errors", "timeouts", "ejections",
                    "request_bytes", "response_bytes", "in_flight", "connections")) {
                assertEquals(0L, first.get(counter), counter);
            }

            assertEquals(config.text(), admin.text("CONFIG", "ACTIVE"));
            assertEquals(Version.current(), admin.text("VERSION"));
            assertEquals("+PONG", admin.line("PING"));
        }
    }

    @Test
    void countersMatchTheTrafficSentToEachServer() {
        // md5 spreads keys that differ in their last characters; fnv1a_64 can put all sixty on one server.
        try (RunningProxy proxy = RunningProxy.start(twoPools("", "hash = \"md5\""));
             RespClient client = new RespClient(proxy.port("alpha"));
             RespClient admin = new RespClient(proxy.adminPort())) {
            int keys = 60;
            Map<String, Long> requests = new HashMap<>(Map.of("redis1", 0L, "redis2", 0L));
            Map<String, Long> bytes = new HashMap<>(Map.of("redis1", 0L, "redis2", 0L));
            for (int i = 0; i < keys; i++) {
                String[] set = {"SET", "counted:" + i, "v" + i};
                assertEquals("+OK", client.line(set));
            }
            for (int i = 0; i < keys; i++) {
                String owner = owner("counted:" + i);
                String[] set = {"SET", "counted:" + i, "v" + i};
                String[] get = {"GET", "counted:" + i};
                for (int g = 0; g < i % 3; g++) {
                    assertEquals("v" + i, new String(client.call(get).bulkValue(), StandardCharsets.UTF_8));
                    requests.merge(owner, 1L, Long::sum);
                    bytes.merge(owner, (long) RespClient.frameLength(get), Long::sum);
                }
                requests.merge(owner, 1L, Long::sum);
                bytes.merge(owner, (long) RespClient.frameLength(set), Long::sum);
            }
            assertTrue(requests.get("redis1") > 0 && requests.get("redis2") > 0, "keys on both servers: " + requests);

            Map<String, Object> alpha = map(map(map(JsonReader.parseObject(admin.text("STATUS"))
                    .get("active")).get("pools")).get("alpha"));
            for (Object s : list(alpha.get("servers"))) {
                Map<String, Object> server = map(s);
                String name = (String) server.get("name");
                assertEquals(requests.get(name), server.get("requests"), name + " requests");
                assertEquals(requests.get(name), server.get("responses"), name + " responses");
                assertEquals(bytes.get(name), server.get("request_bytes"), name + " request bytes");
                assertEquals(0L, server.get("errors"), name);
                assertEquals(1L, server.get("connections"), name);
            }
            assertEquals(1L, alpha.get("client_connections"));

            Map<String, Object> stats = JsonReader.parseObject(admin.text("STATS"));
            Map<String, Object> statsAlpha = map(stats.get("alpha"));
            assertEquals(requests.get("redis1"), map(statsAlpha.get("redis1")).get("requests"));
            assertEquals(requests.get("redis2"), map(statsAlpha.get("redis2")).get("requests"));
            assertEquals(1L, statsAlpha.get("client_connections"));
        }
    }

    @Test
    void statusShowsAServerThatGoesDownAndComesBack() {
        try (RedisServer flaky = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("auto_eject_hosts = false", backends.redis(1), flaky);
             Jedis client = proxy.jedis();
             RespClient admin = new RespClient(proxy.adminPort())) {
            String onFlaky = keyOn(flaky, client);
            assertEquals("up", serverState(admin, "redis2"));

            flaky.stop();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try {
                    client.get(onFlaky);
                } catch (RuntimeException expected) {
                    // the request fails while the server is away; its state is what this test is about
                }
                assertNotEquals("up", serverState(admin, "redis2"));
            });
            assertEquals("up", serverState(admin, "redis1"), "the other server is untouched");
            Map<String, Object> stats = JsonReader.parseObject(admin.text("STATS"));
            Map<String, Object> down = map(map(stats.get(RunningProxy.POOL)).get("redis2"));
            assertTrue((Long) down.get("server_eof") + (Long) down.get("server_err") >= 1, down.toString());

            flaky.restart();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                try {
                    client.set(onFlaky, "back");
                } catch (RuntimeException retry) {
                    // until the proxy connects again (or its retry time passes)
                }
                assertEquals("up", serverState(admin, "redis2"));
            });
            try (Jedis direct = flaky.jedis()) {
                assertEquals("back", direct.get(onFlaky));
            }
        }
    }

    @Test
    void statsHasEveryFieldOfNutcrackersStatsForEveryPoolAndServer() {
        String reference;
        try (Nutcracker twem = Nutcracker.builder().servers(backends.all()).statsInterval(100).start()) {
            reference = twem.stats();
        }
        Map<String, Object> nutcracker = JsonReader.parseObject(reference);
        Fields expected = Fields.of(nutcracker);
        assertEquals(Set.of(Nutcracker.POOL), expected.pools, "the reference has its one pool");

        try (RunningProxy proxy = RunningProxy.start(twoPools(
                "stats_listen = \"127.0.0.1:" + FreePorts.pick() + "\"", ""));
             RespClient admin = new RespClient(proxy.adminPort())) {
            Map<String, Object> stats = JsonReader.parseObject(admin.text("STATS"));
            Fields actual = Fields.of(stats);
            assertEquals(expected.top, actual.top, "top-level fields");
            assertEquals(Set.of("alpha", "beta"), actual.pools);
            assertEquals(expected.poolFields, actual.poolFields, "pool fields");
            assertEquals(expected.serverFields, actual.serverFields, "server fields");
            assertEquals(Set.of("redis1", "redis2"), map(stats.get("alpha")).keySet().stream()
                    .filter(k -> map(stats.get("alpha")).get(k) instanceof Map).collect(
                            java.util.stream.Collectors.toSet()));
            assertEquals(Version.current(), stats.get("version"));

            // The plain stats port sends the same document, as nutcracker's does, and closes.
            String fromPort = Harness.accepts("127.0.0.1", proxy.rproxy().statsPort().orElseThrow())
                    ? readStatsPort(proxy.rproxy().statsPort().getAsInt()) : "";
            assertTrue(fromPort.endsWith("\n"));
            assertEquals(actual.pools, Fields.of(JsonReader.parseObject(fromPort)).pools);
        }
    }

    @Test
    void aPasswordIsRequiredBeforeAnyCommandAndUnknownCommandsKeepTheConnection() {
        try (RunningProxy proxy = RunningProxy.start(twoPools("password = \"adm1n\"", ""));
             RespClient admin = new RespClient(proxy.adminPort())) {
            assertEquals("NOAUTH Authentication required.", admin.call("STATUS").errorMessage());
            assertEquals("NOAUTH Authentication required.", admin.call("PING").errorMessage());
            assertTrue(admin.call("AUTH", "wrong").errorMessage().startsWith("WRONGPASS"));
            assertEquals("NOAUTH Authentication required.", admin.call("VERSION").errorMessage());
            assertEquals("+OK", admin.line("AUTH", "adm1n"));

            Reply unknown = admin.call("FLUSHALL");
            assertTrue(unknown.isError());
            assertEquals("ERR unknown admin command 'FLUSHALL'; HELP lists the commands", unknown.errorMessage());
            assertTrue(admin.call("CONFIG", "STAGEDX").isError());
            assertTrue(admin.call("STATUS", "extra").errorMessage().startsWith("ERR wrong number of arguments"));
            assertEquals(Version.current(), admin.text("VERSION"), "the connection is still open and usable");
            assertTrue(admin.call("HELP").elements().size() >= 6);
        }
        try (RunningProxy open = RunningProxy.start(twoPools("", ""));
             RespClient admin = new RespClient(open.adminPort())) {
            assertTrue(admin.call("AUTH", "x").errorMessage().contains("without any password"));
        }
    }

    @Test
    void redisCliTalksToTheAdminPort() throws Exception {
        String cli = Harness.requireRedisCli().toString();
        try (RunningProxy proxy = RunningProxy.start(twoPools("password = \"pw\"", ""))) {
            String port = Integer.toString(proxy.adminPort());
            String status = run(cli, "-p", port, "-a", "pw", "--no-auth-warning", "status");
            Map<String, Object> parsed = JsonReader.parseObject(status.strip());
            assertEquals(Set.of("alpha", "beta"), map(map(parsed.get("active")).get("pools")).keySet());
            assertEquals(Version.current(), run(cli, "-p", port, "-a", "pw", "--no-auth-warning", "version").strip());
            assertTrue(run(cli, "-p", port, "status").contains("NOAUTH"));
        }
    }

    /** The keys of a twemproxy-style stats document: top level, per pool, per server. */
    private record Fields(Set<String> top, Set<String> pools, Set<String> poolFields, Set<String> serverFields) {
        static Fields of(Map<String, Object> stats) {
            Set<String> top = new TreeSet<>();
            Set<String> pools = new TreeSet<>();
            Set<String> poolFields = new TreeSet<>();
            Set<String> serverFields = new TreeSet<>();
            stats.forEach((key, value) -> {
                if (!(value instanceof Map)) {
                    top.add(key);
                    return;
                }
                pools.add(key);
                map(value).forEach((poolKey, poolValue) -> {
                    if (poolValue instanceof Map) {
                        Set<String> keys = new LinkedHashSet<>(map(poolValue).keySet());
                        if (!serverFields.isEmpty() && !serverFields.equals(new TreeSet<>(keys))) {
                            throw new AssertionError("servers with different fields: " + keys);
                        }
                        serverFields.addAll(keys);
                    } else {
                        poolFields.add(poolKey);
                    }
                });
            });
            return new Fields(top, pools, poolFields, serverFields);
        }
    }

    /** A key that the proxy puts on {@code server}: set through the proxy, found by asking the server. */
    private static String keyOn(RedisServer server, Jedis client) {
        for (int i = 0; i < 1000; i++) {
            String key = "placed:" + i;
            client.set(key, "x");
            try (Jedis direct = server.jedis()) {
                if (direct.exists(key)) {
                    return key;
                }
            }
        }
        throw new AssertionError("no key landed on " + server);
    }

    /** Which of the two shared servers holds {@code key}, asking each directly. */
    private static String owner(String key) {
        try (Jedis one = backends.redis(1).jedis(); Jedis two = backends.redis(2).jedis()) {
            boolean onOne = one.exists(key);
            boolean onTwo = two.exists(key);
            assertTrue(onOne ^ onTwo, key + " is on exactly one server");
            return onOne ? "redis1" : "redis2";
        }
    }

    private static String serverState(RespClient admin, String server) {
        Map<String, Object> pool = map(map(map(JsonReader.parseObject(admin.text("STATUS")).get("active"))
                .get("pools")).get(RunningProxy.POOL));
        return list(pool.get("servers")).stream().map(AdminPortIT::map)
                .filter(s -> s.get("name").equals(server)).findFirst().orElseThrow().get("state").toString();
    }

    private static String readStatsPort(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "redis-cli finished");
        return output;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return (List<Object>) value;
    }
}
