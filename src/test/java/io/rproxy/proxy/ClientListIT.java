package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ClientKillParams;

/** CLIENT LIST, INFO, KILL and NO-EVICT over rproxy's own client connections, through Jedis and raw RESP. */
class ClientListIT {
    @Test
    void listShowsThePoolsClientsAndKillEndsOne() {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("", redis);
             Jedis operator = proxy.jedis();
             Jedis worker = proxy.jedis();
             RawClient raw = new RawClient(proxy.port())) {
            worker.clientSetname("worker");
            long workerId = worker.clientId();
            worker.set("k", "v");
            long operatorId = operator.clientId();
            Map<Long, Map<String, String>> clients = parse(operator.clientList());
            assertTrue(clients.keySet().containsAll(List.of(workerId, operatorId)), clients.toString());
            Map<String, String> line = clients.get(workerId);
            assertEquals("worker", line.get("name"));
            assertEquals("set", line.get("cmd"));
            assertEquals("N", line.get("flags"));
            assertEquals("0", line.get("db"));
            assertEquals(RunningProxy.POOL, line.get("pool"));
            assertEquals("127.0.0.1:" + proxy.port(), line.get("laddr"));
            assertEquals("client|list", clients.get(operatorId).get("cmd"));
            assertEquals(List.of(operatorId), List.copyOf(parse(operator.clientInfo()).keySet()));

            // The filters count what they killed; a filter nobody matches kills nobody.
            assertEquals(0, operator.clientKill(ClientKillParams.clientKillParams().id(Long.toString(999_999))));
            assertEquals(0, operator.clientKill(ClientKillParams.clientKillParams().addr("192.0.2.1:1")));
            assertEquals(0, operator.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB)));
            assertEquals(0, operator.clientKill(ClientKillParams.clientKillParams().id(Long.toString(operatorId))),
                    "SKIPME yes by default: the caller is spared");
            String workerAddr = line.get("addr");
            assertEquals(1, operator.clientKill(ClientKillParams.clientKillParams().addr(workerAddr)
                    .laddr("127.0.0.1:" + proxy.port())));
            await().atMost(Duration.ofSeconds(20)).until(() -> !parse(operator.clientList()).containsKey(workerId));
            assertEquals(Reply.error("ERR No such client"), raw.call("CLIENT", "KILL", workerAddr));
            assertThrows(Exception.class, worker::ping, "the killed client reads end-of-stream");

            assertEquals("OK", operator.clientNoEvictOn());
            assertEquals("OK", operator.clientNoEvictOff());
            assertEquals("PONG", operator.ping());
        }
    }

    @Test
    void theOldFormKillsByAddressAndCanKillTheCaller() {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("", redis);
             Jedis operator = proxy.jedis();
             RawClient victim = new RawClient(proxy.port());
             RawClient self = new RawClient(proxy.port())) {
            long victimId = victim.call("CLIENT", "ID").integer();
            String victimAddr = parse(operator.clientList()).get(victimId).get("addr");
            assertEquals("OK", operator.clientKill(victimAddr));
            await().atMost(Duration.ofSeconds(20)).until(victim::closedByPeer);

            JedisDataException none = assertThrows(JedisDataException.class, () -> operator.clientKill("192.0.2.1:1"));
            assertEquals("ERR No such client", none.getMessage());

            long selfId = self.call("CLIENT", "ID").integer();
            assertEquals(Reply.integer(1), self.call("CLIENT", "KILL", "ID", Long.toString(selfId), "SKIPME", "no"),
                    "the caller gets its reply, then its connection is closed");
            await().atMost(Duration.ofSeconds(20)).until(self::closedByPeer);
            assertEquals(List.of(operator.clientId()), List.copyOf(parse(operator.clientList()).keySet()));
            try (RawClient late = new RawClient(proxy.port())) {
                assertEquals(Reply.integer(0), late.call("CLIENT", "KILL", "USER", "default", "TYPE", "master"));
            }
        }
    }

    /** Lettuce: CLIENT LIST and INFO as text, KILL by its KillArgs; the client it kills sees its connection end. */
    @Test
    void lettuceListsAndKills() {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("", redis);
             Jedis victim = proxy.jedis()) {
            long victimId = victim.clientId();
            RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(proxy.port())
                    .withTimeout(Duration.ofSeconds(10)).build());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> sync = connection.sync();
                assertTrue(parse(sync.clientList()).containsKey(victimId));
                assertEquals(RunningProxy.POOL, parse(sync.clientInfo()).get(sync.clientId()).get("pool"));
                assertEquals(1L, sync.clientKill(KillArgs.Builder.id(victimId)));
                assertThrows(Exception.class, victim::ping, "the killed client reads end-of-stream");
                assertFalse(parse(sync.clientList()).containsKey(victimId));
                assertEquals("PONG", sync.ping());
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void listFiltersByTypeAndId() {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("", redis);
             RawClient one = new RawClient(proxy.port());
             RawClient two = new RawClient(proxy.port())) {
            long oneId = one.call("CLIENT", "ID").integer();
            long twoId = two.call("CLIENT", "ID").integer();
            assertEquals(List.of(oneId, twoId), List.copyOf(parse(text(one.call("CLIENT", "LIST"))).keySet()));
            assertEquals(List.of(twoId), List.copyOf(parse(text(one.call("CLIENT", "LIST", "ID",
                    Long.toString(twoId), "424242"))).keySet()));
            assertEquals("", text(one.call("CLIENT", "LIST", "TYPE", "replica")));
            assertEquals(2, parse(text(one.call("CLIENT", "LIST", "TYPE", "normal"))).size());
            assertEquals(Reply.error("ERR Invalid client ID"), one.call("CLIENT", "LIST", "ID", "x"));
            assertEquals(Reply.error("ERR Unknown client type 'foo'"), one.call("CLIENT", "LIST", "TYPE", "foo"));
            assertEquals(Reply.error("ERR syntax error"), one.call("CLIENT", "LIST", "foo"));
        }
    }

    /** Clients in each state, as the requests that put them there and the replies those get. */
    private static final Map<String, List<List<String>>> STATES = stateRequests();

    private static Map<String, List<List<String>>> stateRequests() {
        Map<String, List<List<String>>> states = new LinkedHashMap<>();
        states.put("plain", List.of(List.of("SET", "a", "1")));
        states.put("multi", List.of(List.of("MULTI"), List.of("SET", "a", "1"), List.of("GET", "a")));
        states.put("multi-empty", List.of(List.of("MULTI")));
        states.put("watch", List.of(List.of("WATCH", "w")));
        states.put("watch-multi", List.of(List.of("WATCH", "w"), List.of("MULTI"), List.of("SET", "w", "1")));
        states.put("subscribed", List.of(List.of("SUBSCRIBE", "c1", "c2"), List.of("PSUBSCRIBE", "p*"),
                List.of("SSUBSCRIBE", "s1")));
        states.put("unsubscribed", List.of(List.of("SUBSCRIBE", "c1"), List.of("UNSUBSCRIBE")));
        states.put("blocked", List.of(List.of("BLPOP", "q", "0")));
        return states;
    }

    /** Replies each state's requests get before the client is in it (SUBSCRIBE c1 c2: two; BLPOP: none). */
    private static int repliesOf(String state) {
        return switch (state) {
            case "subscribed" -> 4;
            case "blocked" -> 0;
            default -> STATES.get(state).size();
        };
    }

    @Test
    void listShowsEachClientsStateAsRedisDoes() {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("", redis)) {
            List<RawClient> clients = new java.util.ArrayList<>();
            Map<String, String> onRedis = putInStates(redis.port(), clients);
            Map<String, String> throughProxy = putInStates(proxy.port(), clients);
            try (RawClient redisObserver = new RawClient(redis.port());
                 RawClient proxyObserver = new RawClient(proxy.port())) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(
                        stateFields(onRedis, redisObserver, "LIST"), stateFields(throughProxy, proxyObserver, "LIST")));
                Map<String, Map<String, String>> fields = stateFields(throughProxy, proxyObserver, "LIST");
                System.out.println("CLIENT LIST through rproxy, by state: " + fields);
                assertEquals(Map.of("flags", "x", "sub", "0", "psub", "0", "ssub", "0", "multi", "2", "cmd", "get"),
                        fields.get("multi"), "the comparison compares something");
                assertEquals(List.of("subscribed"), List.copyOf(stateFields(throughProxy, proxyObserver,
                        "LIST", "TYPE", "pubsub").keySet()));
                assertEquals(stateFields(onRedis, redisObserver, "LIST", "TYPE", "normal").keySet(),
                        stateFields(throughProxy, proxyObserver, "LIST", "TYPE", "normal").keySet());
            } finally {
                clients.forEach(RawClient::close);
            }
        }
    }

    /** Opens a client per state on {@code port}, adding it to {@code clients}; their ids by state. */
    private static Map<String, String> putInStates(int port, List<RawClient> clients) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (Map.Entry<String, List<List<String>>> state : STATES.entrySet()) {
            RawClient client = new RawClient(port);
            clients.add(client);
            ids.put(state.getKey(), Long.toString(client.call("CLIENT", "ID").integer()));
            List<byte[]> frames = state.getValue().stream()
                    .map(r -> io.rproxy.resp.RespCommand.of(r.toArray(String[]::new)).frame()).toList();
            client.pipelineFramesAsync(frames);
            for (int i = 0; i < repliesOf(state.getKey()); i++) {
                client.read();
            }
        }
        return ids;
    }

    /** The state fields of each state's client, by state, from CLIENT {@code args} on {@code observer}. */
    private static Map<String, Map<String, String>> stateFields(Map<String, String> ids, RawClient observer,
                                                                String... args) {
        List<String> request = new java.util.ArrayList<>(List.of("CLIENT"));
        request.addAll(List.of(args));
        Map<Long, Map<String, String>> lines = parse(text(observer.call(request)));
        Map<String, Map<String, String>> byState = new LinkedHashMap<>();
        ids.forEach((state, id) -> {
            Map<String, String> line = lines.get(Long.parseLong(id));
            if (line != null) {
                Map<String, String> fields = new LinkedHashMap<>();
                for (String field : List.of("flags", "sub", "psub", "ssub", "multi", "cmd")) {
                    fields.put(field, line.get(field));
                }
                byState.put(state, fields);
            }
        });
        return byState;
    }

    private static String text(Reply reply) {
        return new String(reply.bulkValue(), StandardCharsets.UTF_8);
    }

    /** CLIENT LIST's lines by id, each line's fields in order. */
    private static Map<Long, Map<String, String>> parse(String list) {
        Map<Long, Map<String, String>> clients = new LinkedHashMap<>();
        list.lines().forEach(line -> {
            Map<String, String> fields = new LinkedHashMap<>();
            Arrays.stream(line.split(" ")).forEach(f -> fields.put(f.substring(0, f.indexOf('=')),
                    f.substring(f.indexOf('=') + 1)));
            clients.put(Long.parseLong(fields.get("id")), fields);
        });
        return clients;
    }
}
