package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.admin.RespClient;
import io.rproxy.backend.DedicatedConnections;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A session in a stateful mode across a reload (it keeps its dedicated connection until the state ends) and when
 * its server fails (one error naming the server, never a hang).
 */
class StatefulFailureIT {
    private static String config(int adminPort, int port, String extra, RedisServer redis) {
        return "[admin]\nlisten = \"127.0.0.1:" + adminPort + "\"\n\n" + RunningProxy.poolToml(RunningProxy.POOL,
                port, extra, List.of("\"" + redis.address() + ":1 redis1\"")).replaceFirst("(?s)^\\[admin\\].*?\n\n",
                "");
    }

    @Test
    void aWatchHoldsItsConnectionAcrossACommit() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            int adminPort = FreePorts.pick();
            int port = FreePorts.pick();
            Path next = Files.createTempFile(Harness.dir(), "reload-", ".toml");
            Files.writeString(next, config(adminPort, port, "timeout = 1500", redis));
            try (RunningProxy proxy = RunningProxy.start(config(adminPort, port, "timeout = 3000", redis));
                 RespClient admin = new RespClient(proxy.adminPort());
                 RawClient watcher = new RawClient(port);
                 RawClient other = new RawClient(port)) {
                assertEquals(Reply.OK, watcher.call("WATCH", "k"));
                assertTrue(admin.line("LOAD", next.toString()).startsWith("+OK staged"));
                assertTrue(admin.line("COMMIT").startsWith("+OK committed"));
                assertEquals(Reply.OK, other.call("SET", "k", "changed"));
                assertEquals(Reply.OK, watcher.call("MULTI"));
                assertEquals(Reply.simple("QUEUED"), watcher.call("SET", "k", "mine"));
                assertEquals(Reply.NULL_ARRAY, watcher.call("EXEC"), "the watch held across the commit");
                assertEquals(Reply.OK, watcher.call("WATCH", "k"));
                assertEquals(Reply.OK, watcher.call("MULTI"));
                assertEquals(Reply.simple("QUEUED"), watcher.call("SET", "k", "mine"));
                assertEquals(Reply.array(List.of(Reply.OK)), watcher.call("EXEC"));
            }
        }
    }

    @Test
    void aServerThatFailsDuringAStateGivesOneErrorNamingIt() throws Exception {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("timeout = 3000", redis);
             RawClient watching = new RawClient(proxy.port());
             RawClient blocked = new RawClient(proxy.port())) {
            assertEquals(Reply.OK, watching.call("WATCH", "k"));
            CompletableFuture<Reply> popped = CompletableFuture.supplyAsync(() -> blocked.call("BLPOP", "q", "0"));
            await().atMost(Duration.ofSeconds(20)).until(() -> blockedClients(redis) == 1);
            redis.kill();
            Reply blockedReply = popped.get(20, TimeUnit.SECONDS);
            assertTrue(blockedReply.isError() && blockedReply.errorMessage().startsWith("ERR rproxy: redis1 ("
                    + redis.address() + ")"), blockedReply.toString());
            assertEquals(Reply.OK, watching.call("MULTI"));
            assertEquals(Reply.simple("QUEUED"), watching.call("SET", "k", "v"));
            Reply exec = watching.call("EXEC");
            assertTrue(exec.isError() && exec.errorMessage().startsWith("ERR rproxy: redis1 (" + redis.address()
                    + ")"), exec.toString());
            assertEquals(Reply.PONG, watching.call("PING"), "the client may go on");
        }
    }

    @Test
    void aServerRestartedWhileItsReserveIsIdleServesTheNextStateAtTheFirstTry() {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("timeout = 3000", redis);
             RawClient client = new RawClient(proxy.port())) {
            DedicatedConnections dedicated = proxy.proxy().servers(RunningProxy.POOL).getFirst().dedicated();
            for (String first : List.of("MULTI", "BLPOP", "SUBSCRIBE")) {
                // Only dedicated connections: no shared one that would see the server go and drop the reserve.
                assertEquals(Reply.array(List.of(Reply.OK)), transaction(client), first);
                assertEquals(1, dedicated.open(), "a clean connection idle in the reserve");
                redis.restart();
                switch (first) {
                    case "MULTI" -> assertEquals(Reply.array(List.of(Reply.OK)), transaction(client));
                    case "BLPOP" -> assertEquals(Reply.NULL_ARRAY, client.call("BLPOP", "q", "0.01"));
                    default -> {
                        assertEquals(Reply.array(List.of(Reply.bulk("subscribe".getBytes()), Reply.bulk("ch".getBytes()),
                                Reply.integer(1))), client.call("SUBSCRIBE", "ch"));
                        assertEquals(Reply.array(List.of(Reply.bulk("unsubscribe".getBytes()),
                                Reply.bulk("ch".getBytes()), Reply.integer(0))), client.call("UNSUBSCRIBE", "ch"));
                    }
                }
            }
        }
    }

    private static Reply transaction(RawClient client) {
        assertEquals(Reply.OK, client.call("MULTI"));
        assertEquals(Reply.simple("QUEUED"), client.call("SET", "k", "v"));
        return client.call("EXEC");
    }

    private static long blockedClients(RedisServer redis) {
        try (Jedis jedis = redis.jedis()) {
            return Long.parseLong(jedis.info("clients").lines().filter(l -> l.startsWith("blocked_clients:"))
                    .findFirst().orElseThrow().substring("blocked_clients:".length()).trim());
        }
    }
}
