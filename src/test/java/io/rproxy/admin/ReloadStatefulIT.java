package io.rproxy.admin;

import static io.rproxy.admin.ReloadFixture.admin;
import static io.rproxy.admin.ReloadFixture.pool;
import static io.rproxy.admin.ReloadFixture.write;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RedisServers;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * A reload that removes a pool while its clients are in a stateful mode (issue 14): a client inside MULTI, WATCHing,
 * subscribed or blocked keeps working on its dedicated connection, on the pool it began on, until its state ends
 * (EXEC, the last UNSUBSCRIBE, the blocking reply); only then is it told, as a plain client is told at once.
 */
class ReloadStatefulIT {
    private static final String TOLD = "-ERR pool 'beta' was removed by a configuration reload";

    @RegisterExtension
    static final RedisServers backends = RedisServers.of(2);

    private RunningProxy proxy;
    private RespClient admin;
    private Path withoutBeta;
    private int beta;

    @BeforeEach
    void startProxy() {
        backends.flushAll();
        int adminPort = FreePorts.pick();
        int alpha = FreePorts.pick();
        beta = FreePorts.pick();
        proxy = RunningProxy.start(admin(adminPort) + pool("alpha", alpha, "", backends.redis(1))
                + pool("beta", beta, "", backends.redis(2)));
        admin = new RespClient(proxy.adminPort());
        withoutBeta = write(admin(adminPort) + pool("alpha", alpha, "", backends.redis(1)));
    }

    @AfterEach
    void stopProxy() {
        admin.close();
        proxy.close();
    }

    @Test
    void aTransactionOpenAcrossTheRemovalRunsAtExecThenTheClientIsTold() {
        try (RespClient multi = new RespClient(beta);
             RespClient watching = new RespClient(beta);
             RespClient plain = new RespClient(beta)) {
            assertEquals("+OK", multi.line("MULTI"));
            assertEquals("+QUEUED", multi.line("SET", "tx-key", "v"));
            assertEquals("+OK", watching.line("WATCH", "watched"));
            assertEquals("+PONG", plain.line("PING"));

            removeBeta();
            assertEquals(TOLD, plain.line("GET", "tx-key"), "the commit is in force: a plain client is told");

            assertEquals("+QUEUED", multi.line("INCR", "tx-counter"));
            assertEquals("+QUEUED", multi.line("GET", "tx-key"));
            assertEquals(List.of("+OK", ":1", "v"), texts(multi.call("EXEC")), "EXEC ran on the removed pool's server");
            try (Jedis direct = backends.redis(2).jedis()) {
                assertEquals("v", direct.get("tx-key"));
            }
            assertTold(multi);

            assertEquals("+OK", watching.line("MULTI"));
            assertEquals("+QUEUED", watching.line("SET", "watched", "w"));
            assertEquals(List.of("+OK"), texts(watching.call("EXEC")), "the WATCH held across the commit");
            assertTold(watching);
        }
        awaitNoConnectionsTo(backends.redis(2));
    }

    @Test
    void aTransactionOpenAcrossASwapOfServersRunsWhereItBeganThenTheClientMovesToTheNewServers() {
        Path betaOnRedis1 = write(admin(proxy.adminPort()) + pool("alpha", proxy.port("alpha"), "", backends.redis(1))
                + pool("beta", beta, "", backends.redis(1)));
        try (RespClient multi = new RespClient(beta);
             Jedis old = backends.redis(2).jedis();
             Jedis fresh = backends.redis(1).jedis()) {
            assertEquals("$-1", multi.line("GET", "swap-key")); // the old server's shared connection opens
            assertEquals("+OK", multi.line("MULTI"));
            assertEquals("+QUEUED", multi.line("SET", "swap-key", "before"));

            assertTrue(admin.line("LOAD", betaOnRedis1.toString()).startsWith("+OK staged"));
            assertTrue(admin.line("COMMIT").startsWith("+OK committed"));
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> connections(backends.redis(2)) > 0);

            assertEquals("+QUEUED", multi.line("GET", "swap-key"));
            assertEquals(List.of("+OK", "before"), texts(multi.call("EXEC")));
            assertEquals("before", old.get("swap-key"), "the transaction ran on the server it began on");
            assertEquals("+OK", multi.line("SET", "swap-key", "after"));
            assertEquals("after", fresh.get("swap-key"), "after EXEC the client is on the new servers");
            assertEquals("before", old.get("swap-key"));
        }
        awaitNoConnectionsTo(backends.redis(2));
    }

    @Test
    void aSubscriberOfTheRemovedPoolHearsItsChannelsUntilItUnsubscribesThenIsTold() {
        try (RespClient subscriber = new RespClient(beta);
             Jedis direct = backends.redis(2).jedis()) {
            assertEquals(List.of("subscribe", "news", ":1"), texts(subscriber.call("SUBSCRIBE", "news")));

            removeBeta();
            assertEquals(1, direct.publish("news", "after the commit"));
            assertEquals(List.of("message", "news", "after the commit"), texts(subscriber.read()),
                    "published on the server, delivered through the subscriber connection");
            assertEquals(List.of("subscribe", "sport", ":2"), texts(subscriber.call("SUBSCRIBE", "sport")));
            assertEquals(List.of("pong", ""), texts(subscriber.call("PING")));
            assertEquals(1, direct.publish("sport", "goal"));
            assertEquals(List.of("message", "sport", "goal"), texts(subscriber.read()));

            assertEquals(List.of("unsubscribe", "news", ":1"), texts(subscriber.call("UNSUBSCRIBE")));
            assertEquals(List.of("unsubscribe", "sport", ":0"), texts(subscriber.read()));
            assertTold(subscriber);
        }
        awaitNoConnectionsTo(backends.redis(2));
    }

    @Test
    void aCommandBlockedAcrossTheRemovalIsAnsweredThenTheClientIsTold() {
        try (RespClient blocked = new RespClient(beta);
             Jedis direct = backends.redis(2).jedis()) {
            CompletableFuture<Reply> popped = CompletableFuture.supplyAsync(() -> blocked.call("BLPOP", "jobs", "0"));
            await().atMost(Duration.ofSeconds(10)).until(() -> blockedClients(backends.redis(2)) == 1);

            removeBeta();
            assertEquals(1, direct.lpush("jobs", "job-1"));
            assertEquals(List.of("jobs", "job-1"), texts(popped.join()));
            assertTold(blocked);
        }
        awaitNoConnectionsTo(backends.redis(2));
    }

    private void removeBeta() {
        assertTrue(admin.line("LOAD", withoutBeta.toString()).startsWith("+OK staged"));
        assertTrue(admin.line("COMMIT").startsWith("+OK committed"));
    }

    /** What a removed pool's plain client gets at its next command: the error, then its connection ends. */
    private static void assertTold(RespClient client) {
        assertEquals(TOLD, client.line("GET", "tx-key"));
        assertThrows(UncheckedIOException.class, () -> client.call("GET", "tx-key"), "disconnected");
    }

    /** The replaced pool's server loses every rproxy connection, shared and dedicated, once the states ended. */
    private static void awaitNoConnectionsTo(RedisServer server) {
        await().atMost(Duration.ofSeconds(15)).until(() -> connections(server) == 0);
    }

    /** Connections open on a server, apart from the one asking. */
    private static long connections(RedisServer server) {
        try (Jedis jedis = server.jedis()) {
            return jedis.clientList().lines().count() - 1;
        }
    }

    private static long blockedClients(RedisServer server) {
        try (Jedis jedis = server.jedis()) {
            return Long.parseLong(jedis.info("clients").lines().filter(l -> l.startsWith("blocked_clients:"))
                    .findFirst().orElseThrow().substring("blocked_clients:".length()).trim());
        }
    }

    /** An array reply's elements as text (bulk strings as their value, others as their RESP line). */
    private static List<String> texts(Reply reply) {
        if (reply.type() != '*') {
            return List.of(new String(reply.bytes(), StandardCharsets.UTF_8).strip());
        }
        return reply.elements().stream().map(e -> e.type() == '$'
                ? new String(e.bulkValue(), StandardCharsets.UTF_8)
                : new String(e.bytes(), StandardCharsets.UTF_8).strip()).toList();
    }
}
