package io.rproxy.admin;

import static io.rproxy.admin.ReloadFixture.admin;
import static io.rproxy.admin.ReloadFixture.assertNothingLost;
import static io.rproxy.admin.ReloadFixture.awaitMoreReplies;
import static io.rproxy.admin.ReloadFixture.map;
import static io.rproxy.admin.ReloadFixture.pool;
import static io.rproxy.admin.ReloadFixture.status;
import static io.rproxy.admin.ReloadFixture.write;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.backend.BackendServer;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RedisServers;
import io.rproxy.harness.RunningProxy;
import io.rproxy.harness.TrafficRunner;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Commits that change what serves under traffic: a pool's servers, pools added and removed, a pool's port, the
 * admin port. Clients of a pool that keeps its address keep their connections; clients of a pool that is gone
 * from their port are told so and disconnected.
 */
class ReloadPoolsIT {
    @RegisterExtension
    static final RedisServers backends = RedisServers.of(4);

    /** Keeps a server busy for ARGV[1] ms (see ReloadIT): a request that is in flight for that long. */
    private static final String SLOW = "local t0 = redis.call('TIME') "
            + "local start = t0[1] * 1000000 + t0[2] "
            + "while true do local t = redis.call('TIME') "
            + "if t[1] * 1000000 + t[2] - start >= tonumber(ARGV[1]) * 1000 then break end end "
            + "return 'slept'";

    @Test
    void newServersTakeOverWhileTheOldOnesFinishWhatIsInFlight() {
        RedisServer redis1 = backends.redis(1);
        RedisServer redis2 = backends.redis(2);
        RedisServer redis3 = backends.redis(3);
        RedisServer redis4 = backends.redis(4);
        int adminPort = FreePorts.pick();
        int alpha = FreePorts.pick();
        String active = admin(adminPort) + pool("alpha", alpha, "hash = \"md5\"", redis1, redis2);
        Path next = write(admin(adminPort) + pool("alpha", alpha, "hash = \"md5\"", redis3, redis4));
        try (RunningProxy proxy = RunningProxy.start(active);
             RespClient admin = new RespClient(proxy.adminPort());
             RespClient slow = new RespClient(alpha);
             TrafficRunner traffic = TrafficRunner.start(alpha, 3, 3, false)) {
            awaitMoreReplies(traffic, 3000);
            long acceptedBefore = clientsAccepted(admin);
            List<BackendServer> oldServers = proxy.proxy().servers("alpha");

            // A request that is still in flight on an old server when the commit comes.
            CompletableFuture<String> slept = CompletableFuture.supplyAsync(
                    () -> slow.text("EVAL", SLOW, "1", "slow", "1500"));
            await().atMost(Duration.ofSeconds(10)).until(() -> oldServers.stream()
                    .mapToLong(s -> s.stats().inFlight()).sum() > 0);
            assertTrue(admin.line("RELOAD", next.toString()).startsWith("+OK reloaded " + next));
            assertFalse(slept.isDone(), "the slow request was in flight during the commit");
            assertTrue(clients(redis1) + clients(redis2) > 0, "the old servers' connections are open while busy");
            assertEquals("slept", slept.join(), "the request in flight on the old server was answered");

            await().atMost(Duration.ofSeconds(15)).until(() -> clients(redis1) + clients(redis2) == 0);
            awaitMoreReplies(traffic, 3000);
            assertNothingLost(traffic, redis1, redis2, redis3, redis4);
            assertEquals(acceptedBefore, clientsAccepted(admin), "no client had to reconnect");

            try (Jedis client = new Jedis("127.0.0.1", alpha, 10_000)) {
                for (int i = 0; i < 100; i++) {
                    client.set("after-commit:" + i, "v");
                }
            }
            for (int i = 0; i < 100; i++) {
                String key = "after-commit:" + i;
                assertFalse(holds(redis1, key) || holds(redis2, key), key + " went to an old server");
                assertTrue(holds(redis3, key) || holds(redis4, key), key + " is on a new server");
            }
        }
    }

    @Test
    void clientsOfAPoolThatKeepsItsAddressKeepTheirConnections() {
        RedisServer redis1 = backends.redis(1);
        RedisServer redis2 = backends.redis(2);
        int adminPort = FreePorts.pick();
        int alpha = FreePorts.pick();
        String active = admin(adminPort) + pool("alpha", alpha, "", redis1);
        Path next = write(admin(adminPort) + pool("alpha", alpha, "timeout = 3000\nserver_connections = 2", redis2));
        try (RunningProxy proxy = RunningProxy.start(active);
             RespClient admin = new RespClient(proxy.adminPort());
             RespClient idle = new RespClient(alpha);
             TrafficRunner traffic = TrafficRunner.start(alpha, 2, 2, false)) {
            assertEquals("+OK", idle.line("SET", "kept", "before"));
            awaitMoreReplies(traffic, 1000);
            long accepted = clientsAccepted(admin);
            assertTrue(admin.line("RELOAD", next.toString()).startsWith("+OK reloaded"));

            assertEquals("+OK", idle.line("SET", "kept", "after"), "the idle connection still works");
            awaitMoreReplies(traffic, 1000);
            assertEquals(accepted, clientsAccepted(admin), "no client had to reconnect");
            Object connections = map(map(map(status(admin).get("active")).get("pools")).get("alpha"))
                    .get("client_connections");
            assertEquals(5L, connections, "the four traffic clients and the idle one are still connected");
            try (Jedis direct = redis2.jedis()) {
                assertEquals("after", direct.get("kept"));
            }
            assertNothingLost(traffic, redis1, redis2);
        }
    }

    @Test
    void anAddedPoolServesAndARemovedPoolTellsItsClientsThenCloses() {
        RedisServer redis1 = backends.redis(1);
        RedisServer redis2 = backends.redis(2);
        RedisServer redis3 = backends.redis(3);
        int adminPort = FreePorts.pick();
        int alpha = FreePorts.pick();
        int beta = FreePorts.pick();
        int gamma = FreePorts.pick();
        String active = admin(adminPort) + pool("alpha", alpha, "", redis1) + pool("beta", beta, "", redis2);
        Path next = write(admin(adminPort) + pool("alpha", alpha, "", redis1) + pool("gamma", gamma, "", redis3));
        try (RunningProxy proxy = RunningProxy.start(active);
             RespClient admin = new RespClient(proxy.adminPort());
             RespClient betaClient = new RespClient(beta);
             TrafficRunner traffic = TrafficRunner.start(alpha, 2, 2, true)) {
            assertEquals("+OK", betaClient.line("SET", "beta-key", "v"));
            awaitMoreReplies(traffic, 1000);
            assertTrue(admin.line("LOAD", next.toString()).startsWith("+OK staged"));
            assertEquals("+OK", betaClient.line("SET", "beta-key", "still"), "staged is not active");
            assertTrue(admin.line("COMMIT").startsWith("+OK committed"));

            await().atMost(Duration.ofSeconds(10)).until(() -> !Harness.accepts("127.0.0.1", beta));
            assertEquals("-ERR pool 'beta' was removed by a configuration reload",
                    betaClient.line("GET", "beta-key"));
            assertThrows(UncheckedIOException.class, () -> betaClient.call("GET", "beta-key"), "disconnected");
            await().atMost(Duration.ofSeconds(15)).until(() -> clients(redis2) == 0);

            try (Jedis gammaClient = new Jedis("127.0.0.1", gamma, 10_000)) {
                assertEquals("OK", gammaClient.set("gamma-key", "v"));
                assertEquals("v", gammaClient.get("gamma-key"));
            }
            assertEquals(List.of("alpha", "gamma"),
                    List.copyOf(map(map(status(admin).get("active")).get("pools")).keySet()));
            awaitMoreReplies(traffic, 1000);
            assertNothingLost(traffic, redis1);
        }
    }

    @Test
    void aPoolMovedToAnotherPortServesThereAndItsOldPortTellsItsClients() {
        RedisServer redis1 = backends.redis(1);
        RedisServer redis2 = backends.redis(2);
        int adminPort = FreePorts.pick();
        int alpha = FreePorts.pick();
        int moved = FreePorts.pick();
        int beta = FreePorts.pick();
        String active = admin(adminPort) + pool("alpha", alpha, "", redis1) + pool("beta", beta, "", redis2);
        Path next = write(admin(adminPort) + pool("alpha", moved, "", redis1) + pool("beta", beta, "", redis2));
        try (RunningProxy proxy = RunningProxy.start(active);
             RespClient admin = new RespClient(proxy.adminPort());
             RespClient oldPort = new RespClient(alpha);
             TrafficRunner traffic = TrafficRunner.start(beta, 2, 2, true)) {
            assertEquals("+OK", oldPort.line("SET", "alpha-key", "v"));
            awaitMoreReplies(traffic, 1000);
            assertTrue(admin.line("LOAD", next.toString()).startsWith("+OK staged"));
            assertTrue(!FreePorts.isFree(moved), "LOAD bound the new port");
            assertTrue(admin.line("COMMIT").startsWith("+OK committed"));

            try (Jedis client = new Jedis("127.0.0.1", moved, 10_000)) {
                assertEquals("v", client.get("alpha-key"));
            }
            assertEquals(moved, proxy.port("alpha"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !Harness.accepts("127.0.0.1", alpha));
            assertEquals("-ERR pool 'alpha' was removed by a configuration reload; it now listens on 127.0.0.1:"
                    + moved, oldPort.line("GET", "alpha-key"));
            assertThrows(UncheckedIOException.class, () -> oldPort.call("GET", "alpha-key"), "disconnected");
            awaitMoreReplies(traffic, 1000);
            assertNothingLost(traffic, redis2);
        }
    }

    @Test
    void aNewAdminPortAcceptsAndTheOldOneEndsItsConnections() {
        RedisServer redis1 = backends.redis(1);
        int adminPort = FreePorts.pick();
        int newAdmin = FreePorts.pick();
        int alpha = FreePorts.pick();
        String active = admin(adminPort) + pool("alpha", alpha, "", redis1);
        Path next = write(admin(newAdmin) + pool("alpha", alpha, "", redis1));
        try (RunningProxy proxy = RunningProxy.start(active);
             RespClient admin = new RespClient(adminPort);
             RespClient idle = new RespClient(adminPort);
             TrafficRunner traffic = TrafficRunner.start(alpha, 2, 2, true)) {
            assertEquals("+PONG", idle.line("PING"));
            assertTrue(admin.line("LOAD", next.toString()).startsWith("+OK staged"));
            assertEquals("+PONG", admin.line("PING"), "the old admin port serves until the commit");
            assertTrue(admin.line("COMMIT").startsWith("+OK committed " + next), "COMMIT is answered");

            // The old admin connections end just after the OK: wait for it rather than race it.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThrows(UncheckedIOException.class,
                    () -> admin.call("PING"), "the committing connection ended"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThrows(UncheckedIOException.class,
                    () -> idle.call("PING"), "the idle connection ended"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !Harness.accepts("127.0.0.1", adminPort));
            assertEquals(newAdmin, proxy.adminPort());
            try (RespClient moved = new RespClient(newAdmin)) {
                assertEquals("+PONG", moved.line("PING"));
                assertNull(status(moved).get("staged"));
            }
            awaitMoreReplies(traffic, 1000);
            assertNothingLost(traffic, redis1);
        }
    }

    private static long clientsAccepted(RespClient admin) {
        return (Long) map(map(map(status(admin).get("active")).get("pools")).get("alpha")).get("clients_accepted");
    }

    /** Connections open on a server, apart from the one asking. */
    private static int clients(RedisServer server) {
        try (Jedis jedis = server.jedis()) {
            return (int) jedis.clientList().lines().count() - 1;
        }
    }

    private static boolean holds(RedisServer server, String key) {
        try (Jedis jedis = server.jedis()) {
            return jedis.exists(key);
        }
    }
}
