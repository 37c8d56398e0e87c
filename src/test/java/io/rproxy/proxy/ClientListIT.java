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
