package io.rproxy.proxy;

import io.rproxy.command.CommandClass;
import io.rproxy.command.CommandClasses;
import io.rproxy.command.CommandSpec;
import io.rproxy.command.CommandTable;
import io.rproxy.command.KeyFinderSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.AgainstOneRedis;
import io.rproxy.harness.RedisServer;
import io.rproxy.command.KeyFinderSpec.Index;
import io.rproxy.command.KeyFinderSpec.KeyNum;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;

/**
 * Walks every entry of the command table through rproxy (three real redis-servers behind it) and checks that
 * each behaves as its class says. Whether a command reached a backend is read from the backends' own
 * {@code INFO commandstats}, reset before each command: forwarded and any-server commands must show up on a
 * backend, local and refused ones on none. Where the answer cannot depend on which server ran it, the reply must
 * also be byte-identical to a direct redis-server's on the same (empty) data.
 */
class EveryCommandIT {
    @RegisterExtension
    static final AgainstOneRedis setup = AgainstOneRedis.sharded(3, "hash_tag = \"{}\"");

    private static final CommandTable TABLE = CommandTable.load();
    /** Fails here, before any server starts, when a command of the table has no class. */
    private static final CommandClasses CLASSES = CommandClasses.load(TABLE);
    /** Forwarded commands whose reply may differ between two servers with the same data. */
    private static final List<String> NOT_REPEATABLE = List.of("object|freq", "object|idletime",
            "memory|usage");

    @BeforeEach
    void resetServers() {
        for (RedisServer server : setup.everyServer()) {
            try (Jedis jedis = server.jedis()) {
                jedis.flushAll();
                jedis.configResetStat();
            }
        }
    }

    static Stream<String> runnableCommands() {
        return TABLE.all().stream().filter(CommandClasses::runnable).map(CommandSpec::name);
    }

    static Stream<String> containers() {
        return TABLE.all().stream().filter(CommandSpec::hasSubcommands).map(CommandSpec::name);
    }

    @Test
    void everyRunnableCommandHasExactlyOneClass() {
        long runnable = runnableCommands().count();
        assertEquals(runnable, CLASSES.counts().values().stream().mapToInt(Integer::intValue).sum());
        runnableCommands().forEach(name -> CLASSES.classOf(TABLE.byName(name))); // throws when unclassified
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runnableCommands")
    void behavesAsItsClassSays(String name) {
        CommandSpec spec = TABLE.byName(name);
        List<String> request = invocation(spec);
        switch (CLASSES.classOf(spec)) {
            case FORWARD -> checkForwarded(spec, request);
            case ANY -> checkSentToOneServer(spec, request);
            case SPLIT -> checkSplit(spec);
            case LOCAL -> checkLocal(spec);
            case REFUSE -> checkRefused(spec, request);
            case ALL -> checkWholePool(spec, WHOLE_POOL.getOrDefault(name, request));
            case STATEFUL -> checkStateful(request);
            case CHANNEL -> assertFalse(proxyReply(request).isError(), name); // PubSubIT checks the routing
        }
    }

    /** Whole-pool invocations that do something (the generic one would load a script "{t}2"). */
    private static final Map<String, List<String>> WHOLE_POOL = Map.of(
            "keys", List.of("keys", "*"), "scan", List.of("scan", "0", "count", "5"),
            "script|load", List.of("script", "load", "return 1"),
            "config|get", List.of("config", "get", "maxmemory-policy"),
            "function|load", List.of("function", "load", WholePoolIT.LIBRARY),
            "script|exists", List.of("script", "exists", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "ab12"));

    /**
     * On empty servers: every backend ran it (CONFIG GET: one) and the reply is Redis's; SCAN's first page comes from
     * the first server alone, with the cursor of the second server's start.
     */
    private void checkWholePool(CommandSpec spec, List<String> request) {
        Reply reply = proxyReply(request);
        if (spec.name().equals("info")) {
            String info = text(reply);
            assertTrue(info.contains("# Server\r\nredis_version:" + TABLE.redisVersion() + "\r\n"), info);
            assertTrue(info.contains("\r\ntcp_port:" + setup.proxy().port() + "\r\n"), info);
            assertTrue(info.contains("\r\n\r\n# Clients\r\nconnected_clients:"), info);
            assertTrue(info.endsWith("\r\n\r\n# Keyspace\r\n\r\n"), info); // empty servers: no db line
            assertEquals(setup.backends().length, backendsThatRan("info").size(), "the Keyspace of every backend");
            assertFalse(text(proxyReply(List.of("info", "clients"))).contains("# Server"));
            return;
        }
        if (spec.name().equals("scan")) {
            assertEquals(List.of(setup.backends()[0]), backendsThatRan("scan"));
            assertEquals("*2\r\n$1\r\n1\r\n*0\r\n", text(reply));
            return;
        }
        if (spec.name().equals("lastsave")) { // the servers' saves differ from the direct one's: the oldest
            long oldest = Long.MAX_VALUE;
            for (RedisServer backend : setup.backends()) {
                try (redis.clients.jedis.Jedis jedis = backend.jedis()) {
                    oldest = Math.min(oldest, jedis.lastsave());
                }
            }
            assertEquals(Reply.integer(oldest), reply);
        } else {
            assertEquals(directReply(request), reply, String.join(" ", request));
        }
        // one server answers for the pool
        int expected = spec.name().equals("config|get") ? 1 : setup.backends().length;
        assertEquals(expected, backendsThatRan(spec.name()).size(), "ran on the backends: " + request);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void containersAnswerLikeRedisWithoutOrWithAnUnknownSubcommand(String name) {
        for (List<String> request : List.of(List.of(name), List.of(name, "nosuchsub", "x"))) {
            if (name.equals("command") && request.size() == 1) {
                continue; // COMMAND alone runs: it is classified and walked above
            }
            assertEquals(directReply(request), proxyReply(request), String.join(" ", request));
        }
        assertTrue(backendsThatRan(name).isEmpty());
    }

    private void checkForwarded(CommandSpec spec, List<String> request) {
        assertTrue(spec.keys().keyIndexes(bytes(request)).length > 0, "the invocation names a key: " + request);
        Reply reply = proxyReply(request);
        assertNotOurs(reply, request);
        assertEquals(1, backendsThatRan(spec.name()).size(), "ran on exactly one backend: " + request);
        if (!NOT_REPEATABLE.contains(spec.name())) {
            assertEquals(directReply(request), reply, String.join(" ", request));
        }
    }

    /**
     * Same answer as Redis; for a list, the same number of elements: COMMAND, COMMAND DOCS and COMMAND INFO list
     * commands and their subcommands in the order of a server's hash tables, which differs between servers.
     */
    private void checkSentToOneServer(CommandSpec spec, List<String> request) {
        Reply reply = proxyReply(request);
        assertNotOurs(reply, request);
        assertEquals(1, backendsThatRan(spec.name()).size(), "ran on exactly one backend: " + request);
        assertEquals(unordered(directReply(request)), unordered(reply), String.join(" ", request));
    }

    private static Object unordered(Reply reply) {
        return reply.type() != '*' || reply.isNull() ? reply : "array of " + reply.elements().size();
    }

    /** Twelve keys spread over the three servers, set the same way on the direct server, then the command. */
    private void checkSplit(CommandSpec spec) {
        List<String> mset = new ArrayList<>(List.of("mset"));
        List<String> keys = new ArrayList<>(List.of(spec.name()));
        for (int i = 0; i < 12; i++) {
            mset.addAll(List.of("split:" + i, "v" + i));
            keys.add("split:" + (i * 5 % 13)); // some keys are missing, in no particular order
            if (spec.name().equals("mset")) {
                keys.add("w" + i);
            }
        }
        assertEquals(directReply(mset), proxyReply(mset));
        assertTrue(Stream.of(setup.backends()).filter(b -> dbSize(b) > 0).count() > 1, "the keys span several servers");
        resetStats();
        assertEquals(directReply(keys), proxyReply(keys), String.join(" ", keys));
        assertTrue(backendsThatRan(spec.name()).size() > 1, "split over several servers");
        if (spec.name().equals("mset") || spec.name().equals("mget")) {
            List<String> mget = new ArrayList<>(List.of("mget"));
            mget.addAll(keys.subList(1, keys.size()));
            assertEquals(directReply(mget), proxyReply(mget), "the data agrees afterwards");
        }
    }

    private void checkLocal(CommandSpec spec) {
        LOCAL_CHECKS.get(spec.name()).accept(spec);
        assertTrue(backendsThatRan(spec.name()).isEmpty(), "no backend saw " + spec.name());
    }

    /**
     * On a fresh connection each, as Redis answers it (blocking commands get their timeout argument as a key
     * name, which Redis refuses at once); TransactionIT and BlockingIT check the states themselves.
     */
    private void checkStateful(List<String> request) {
        assertEquals(directReply(request), proxyReply(request), String.join(" ", request));
        assertEquals(Reply.PONG, proxyReply(List.of("ping")), "the connection stays open");
    }

    private void checkRefused(CommandSpec spec, List<String> request) {
        assertEquals(Reply.error("ERR command '" + spec.name() + "' is not supported by rproxy"),
                proxyReply(request), String.join(" ", request));
        if (!spec.name().equals("config|resetstat")) { // this test's own resets show up as that command
            assertTrue(backendsThatRan(spec.name()).isEmpty(), "no backend saw " + request);
        }
        assertEquals(Reply.PONG, proxyReply(List.of("ping")), "the connection stays open");
    }

    /** How each local command is checked: what its answer must be. */
    private static final Map<String, Consumer<CommandSpec>> LOCAL_CHECKS = Map.ofEntries(
            Map.entry("ping", s -> sameAsRedis(List.of("ping"), List.of("ping", "hello there"))),
            Map.entry("echo", s -> sameAsRedis(List.of("echo", "hello"))),
            Map.entry("auth", s -> sameAsRedis(List.of("auth", "secret"))), // no redis_auth: Redis's own error
            Map.entry("select", s -> sameAsRedis(List.of("select", "0"))),
            Map.entry("reset", s -> sameAsRedis(List.of("reset"))),
            Map.entry("quit", s -> {
                try (RawClient client = new RawClient(setup.proxy().port())) {
                    assertEquals(Reply.OK, client.call("quit"));
                    assertTrue(client.closedByPeer());
                }
            }),
            Map.entry("hello", s -> {
                String hello = text(proxyReply(List.of("hello", "2")));
                assertTrue(hello.contains("proto\r\n:2\r\n") && hello.contains("rproxy"), hello);
                assertEquals(Reply.error("NOPROTO unsupported protocol version"), proxyReply(List.of("hello", "3")));
            }),
            Map.entry("client|setname", s -> sameAsRedis(List.of("client", "setname", "walker"))),
            Map.entry("client|getname", s -> {
                try (RawClient client = new RawClient(setup.proxy().port())) {
                    assertEquals(Reply.NULL_BULK, client.call("client", "getname"));
                    client.call("client", "setname", "named");
                    assertEquals("$5\r\nnamed\r\n", text(client.call("client", "getname")));
                }
            }),
            Map.entry("client|id", s -> assertEquals(':', proxyReply(List.of("client", "id")).type())),
            Map.entry("client|list", s -> sameFieldsAsRedis(List.of("client", "list"))),
            Map.entry("client|info", s -> sameFieldsAsRedis(List.of("client", "info"))),
            Map.entry("client|kill", s -> sameAsRedis(List.of("client", "kill", "192.0.2.1:5"),
                    List.of("client", "kill", "id", "0"), List.of("client", "kill", "id", "x"),
                    List.of("client", "kill", "id", "1", "id"), List.of("client", "kill", "foo", "bar"),
                    List.of("client", "kill", "skipme", "maybe"), List.of("client", "kill", "user", "bob"),
                    List.of("client", "kill", "type", "foo"), List.of("client", "kill", "addr", "192.0.2.1:5"))),
            Map.entry("client|no-evict", s -> sameAsRedis(List.of("client", "no-evict", "on"),
                    List.of("client", "no-evict", "off"), List.of("client", "no-evict", "maybe"))),
            Map.entry("command|count", s -> sameAsRedis(List.of("command", "count"))),
            Map.entry("time", s -> {
                List<Reply> time = proxyReply(List.of("time")).elements();
                long seconds = Long.parseLong(new String(time.get(0).bulkValue(), StandardCharsets.US_ASCII));
                long micros = Long.parseLong(new String(time.get(1).bulkValue(), StandardCharsets.US_ASCII));
                assertTrue(Math.abs(seconds - System.currentTimeMillis() / 1000) < 60, "seconds " + seconds);
                assertTrue(micros >= 0 && micros < 1_000_000, "micros " + micros);
            }));

    @Test
    void everyLocalCommandHasACheck() {
        runnableCommands().filter(n -> CLASSES.classOf(TABLE.byName(n)) == CommandClass.LOCAL)
                .forEach(n -> assertTrue(LOCAL_CHECKS.containsKey(n), "no check for local command " + n));
    }

    /** CLIENT LIST/INFO: Redis's field names in Redis's order, then rproxy's pool; the values Redis gives alike. */
    private static void sameFieldsAsRedis(List<String> request) {
        Map<String, String> direct = clientLine(directReply(request));
        Map<String, String> proxied = clientLine(proxyReply(request));
        List<String> expected = new ArrayList<>(direct.keySet());
        expected.add("pool");
        assertEquals(expected, new ArrayList<>(proxied.keySet()), String.join(" ", request));
        // CLIENT LIST's first line is any client; CLIENT INFO's is the caller, as alike on both sides as it gets.
        for (String same : request.get(1).equals("info")
                ? List.of("flags", "db", "sub", "psub", "multi", "events", "cmd", "user", "resp") : List.<String>of()) {
            assertEquals(direct.get(same), proxied.get(same), same);
        }
    }

    /** The fields of the first line of a CLIENT LIST or INFO reply, in order. */
    private static Map<String, String> clientLine(Reply reply) {
        String line = new String(reply.bulkValue(), StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String field : line.split(" ")) {
            int equals = field.indexOf('=');
            fields.put(field.substring(0, equals), field.substring(equals + 1));
        }
        return fields;
    }

    private static void sameAsRedis(List<?>... requests) {
        for (List<?> request : requests) {
            @SuppressWarnings("unchecked")
            List<String> args = (List<String>) request;
            assertEquals(directReply(args), proxyReply(args), String.join(" ", args));
        }
    }

    /**
     * A request that passes the command's arity and names keys where its key specs look for them: its name,
     * then {@code {t}N} arguments (one hash tag, so several keys live together), with {@code 1} as numkeys.
     */
    static List<String> invocation(CommandSpec spec) {
        List<String> args = new ArrayList<>(Arrays.asList(spec.name().split("\\|")));
        int count = Math.abs(spec.arity());
        List<Integer> numKeysAt = new ArrayList<>();
        for (KeyFinderSpec keySpec : spec.keys().specs()) {
            if (keySpec.begin() instanceof Index(int pos) && keySpec.find() instanceof KeyNum k) {
                numKeysAt.add(pos + k.keyNumIdx());
                count = Math.max(count, pos + k.firstKey() + 1);
            }
        }
        while (args.size() < count) {
            args.add(numKeysAt.contains(args.size()) ? "1" : "{t}" + args.size());
        }
        return args;
    }

    /** The proxy's errors that mean it did not forward: any of them on a forwarded command is a failure. */
    private static void assertNotOurs(Reply reply, List<String> request) {
        String text = text(reply);
        for (String ours : List.of("not supported by rproxy", "unknown command", "wrong number of arguments",
                "CROSSSLOT", "ERR rproxy:")) {
            assertFalse(text.contains(ours), request + " got " + text);
        }
    }

    private static Reply proxyReply(List<String> request) {
        try (RawClient client = new RawClient(setup.proxy().port())) {
            return client.call(request);
        }
    }

    private static Reply directReply(List<String> request) {
        try (RawClient client = new RawClient(setup.direct().port())) {
            return client.call(request);
        }
    }

    /** The backends whose commandstats show {@code name} (calls, rejected or failed) since the last reset. */
    private static List<RedisServer> backendsThatRan(String name) {
        List<RedisServer> ran = new ArrayList<>();
        for (RedisServer backend : setup.backends()) {
            try (Jedis jedis = backend.jedis()) {
                if (jedis.info("commandstats").contains("cmdstat_" + name + ":")) {
                    ran.add(backend);
                }
            }
        }
        return ran;
    }

    private static void resetStats() {
        for (RedisServer backend : setup.backends()) {
            try (Jedis jedis = backend.jedis()) {
                jedis.configResetStat();
            }
        }
    }

    private static long dbSize(RedisServer server) {
        try (Jedis jedis = server.jedis()) {
            return jedis.dbSize();
        }
    }

    private static byte[][] bytes(List<String> request) {
        return request.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    private static String text(Reply reply) {
        return new String(reply.bytes(), StandardCharsets.UTF_8);
    }
}
