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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RedisServers;
import io.rproxy.harness.RunningProxy;
import io.rproxy.harness.TrafficRunner;
import io.rproxy.resp.Reply;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * LOAD, COMMIT, CANCEL and RELOAD on the admin port while client traffic runs through the proxy: loading is fast
 * and touches nothing that serves, cancelling gives back everything, a new timeout applies from the commit on,
 * and a configuration that is bad or wants a taken port changes nothing.
 */
class ReloadIT {
    @RegisterExtension
    static final RedisServers backends = RedisServers.of(2);

    @Test
    void loadingIsFastAndTrafficKeepsFlowingWhileItLoads() {
        int adminPort = FreePorts.pick();
        int alpha = FreePorts.pick();
        String active = admin(adminPort) + pool("alpha", alpha, "", backends.all());
        int beta = FreePorts.pick();
        Path next = write(admin(adminPort) + pool("alpha", alpha, "timeout = 2000\npreconnect = true", backends.all())
                + pool("beta", beta, "preconnect = true", backends.redis(2)));
        try (RunningProxy proxy = RunningProxy.start(active);
             RespClient admin = new RespClient(proxy.adminPort());
             TrafficRunner traffic = TrafficRunner.start(alpha, 2, 2, true)) {
            awaitMoreReplies(traffic, 2000);

            long before = traffic.replies();
            long start = System.nanoTime();
            String loaded = admin.line("LOAD", next.toString());
            long loadMicros = (System.nanoTime() - start) / 1000;
            long during = traffic.replies() - before;
            System.out.printf("LOAD took %.1f ms (%s); the traffic got %d replies meanwhile%n",
                    loadMicros / 1000.0, loaded, during);
            assertTrue(loaded.startsWith("+OK staged " + next), loaded);
            assertTrue(loadMicros < 2_000_000, "LOAD took " + loadMicros + " µs");

            Map<String, Object> status = status(admin);
            Map<String, Object> staged = map(status.get("staged"));
            assertEquals(next.toAbsolutePath().toString(), staged.get("source"));
            assertEquals(List.of("alpha", "beta"), List.copyOf(map(staged.get("pools")).keySet()));
            assertEquals(2000L, map(map(staged.get("pools")).get("alpha")).get("timeout_ms"));
            Map<String, Object> activePools = map(map(status.get("active")).get("pools"));
            assertEquals(Set.of("alpha"), activePools.keySet());
            assertNull(map(activePools.get("alpha")).get("timeout_ms"));
            assertEquals(proxy.rproxy().stagedConfig().orElseThrow().text(), admin.text("CONFIG", "STAGED"));
            assertTrue(!FreePorts.isFree(beta), "LOAD bound the new pool's port");

            assertTrafficFlowsThroughLoading(traffic, admin, next);
            awaitMoreReplies(traffic, 2000);
            assertNothingLost(traffic, backends.all());
        }
    }

    /**
     * LOAD and CANCEL back to back, 20 times (each binds a port and connects to both servers), while the traffic
     * runs: after every cycle the traffic still gets replies, and none is an error. Throughput itself is the
     * bench's business, not a test's (a ratio measured here failed on a loaded machine without any defect).
     */
    private static void assertTrafficFlowsThroughLoading(TrafficRunner traffic, RespClient admin, Path next) {
        assertEquals("+OK", admin.line("CANCEL").substring(0, 3));
        for (int cycle = 0; cycle < 20; cycle++) {
            assertTrue(admin.line("LOAD", next.toString()).startsWith("+OK"));
            assertTrue(admin.line("CANCEL").startsWith("+OK"));
            awaitMoreReplies(traffic, 50);
        }
        assertTrue(admin.line("LOAD", next.toString()).startsWith("+OK staged"));
    }

    @Test
    void cancelReleasesEveryPortAndConnectionAndTrafficNeverNotices() throws Exception {
        int adminPort = FreePorts.pick();
        int alpha = FreePorts.pick();
        String active = admin(adminPort) + pool("alpha", alpha, "preconnect = true", backends.redis(1));
        int beta = FreePorts.pick();
        int newAdmin = FreePorts.pick();
        int metrics = FreePorts.pick();
        Path next = write(admin(newAdmin) + "[metrics]\nlisten = \"127.0.0.1:" + metrics + "\"\n\n"
                + pool("alpha", alpha, "preconnect = true\nserver_connections = 3", backends.redis(1))
                + pool("beta", beta, "preconnect = true", backends.redis(1)));
        try (RunningProxy proxy = RunningProxy.start(active);
             RespClient admin = new RespClient(proxy.adminPort());
             TrafficRunner traffic = TrafficRunner.start(alpha, 2, 2, true)) {
            awaitMoreReplies(traffic, 1000);
            int connectionsBefore = clients(backends.redis(1));

            assertTrue(admin.line("LOAD", next.toString()).startsWith("+OK staged"));
            assertTrue(!FreePorts.isFree(beta) && !FreePorts.isFree(newAdmin) && !FreePorts.isFree(metrics));
            assertEquals(connectionsBefore + 4, clients(backends.redis(1)),
                    "preconnect at LOAD: 3 for alpha, 1 for beta");
            awaitMoreReplies(traffic, 1000);

            assertTrue(admin.line("CANCEL").startsWith("+OK cancelled " + next), "CANCEL");
            assertNull(status(admin).get("staged"));
            assertTrue(admin.call("CONFIG", "STAGED").isNull());
            assertTrue(FreePorts.isFree(beta), "the new pool's port is free again");
            assertTrue(FreePorts.isFree(newAdmin), "the new admin port is free again");
            assertTrue(FreePorts.isFree(metrics), "the new metrics port is free again");
            await().atMost(Duration.ofSeconds(10)).until(() -> clients(backends.redis(1)) == connectionsBefore);
            assertEquals(active, admin.text("CONFIG", "ACTIVE"));
            assertEquals(Set.of("alpha"), map(map(status(admin).get("active")).get("pools")).keySet());

            assertEquals("-ERR no configuration is staged; there is nothing to cancel", admin.line("CANCEL"));
            assertEquals("-ERR no configuration is staged; LOAD one first", admin.line("COMMIT"));
            awaitMoreReplies(traffic, 1000);
            assertNothingLost(traffic, backends.redis(1));
        }
    }

    /** Connections open on a server, apart from the one asking. */
    private static int clients(RedisServer server) {
        try (Jedis jedis = server.jedis()) {
            return (int) jedis.clientList().lines().count() - 1;
        }
    }

    /** A Lua script that keeps the server busy for ARGV[1] ms: one slow request. */
    private static final String SLOW = "local t0 = redis.call('TIME') "
            + "local start = t0[1] * 1000000 + t0[2] "
            + "while true do local t = redis.call('TIME') "
            + "if t[1] * 1000000 + t[2] - start >= tonumber(ARGV[1]) * 1000 then break end end "
            + "return 'slept'";

    @Test
    void aNewTimeoutAppliesToRequestsSentAfterTheCommit() {
        try (RedisServer own = RedisServer.start()) {
            int adminPort = FreePorts.pick();
            int alpha = FreePorts.pick();
            String active = admin(adminPort) + pool("alpha", alpha, "timeout = 6000", own);
            Path next = write(admin(adminPort) + pool("alpha", alpha, "timeout = 1000", own));
            try (RunningProxy proxy = RunningProxy.start(active);
                 RespClient admin = new RespClient(proxy.adminPort());
                 RespClient slow = new RespClient(alpha);
                 TrafficRunner traffic = TrafficRunner.start(alpha, 2, 2, true)) {
                awaitMoreReplies(traffic, 1000);
                assertTrue(admin.line("LOAD", next.toString()).startsWith("+OK staged"));
                // Staged is not active: a 2.5 s request still passes under the 6 s timeout (the traffic waits).
                assertEquals("slept", slow.text("EVAL", SLOW, "1", "slow", "2500"));
                awaitMoreReplies(traffic, 1000);

                assertTrue(admin.line("COMMIT").startsWith("+OK committed " + next));
                awaitMoreReplies(traffic, 2000);
                assertNothingLost(traffic, own);

                Reply late = slow.call("EVAL", SLOW, "1", "slow", "2500");
                assertTrue(late.isError() && late.errorMessage().startsWith("ERR timeout after 1000 ms"),
                        late.toString());
            }
        }
    }

    @Test
    void aBadConfigurationIsRejectedWithItsReasonAndChangesNothing() {
        int adminPort = FreePorts.pick();
        int alpha = FreePorts.pick();
        String active = admin(adminPort) + pool("alpha", alpha, "", backends.all());
        int beta = FreePorts.pick();
        Map<String, String> bad = Map.of(
                "syntax", admin(adminPort) + pool("alpha", alpha, "", backends.redis(1)) + "[pools.beta\nlisten = 1\n",
                "unknown key", admin(adminPort) + pool("alpha", alpha, "", backends.redis(1))
                        + pool("beta", beta, "colour = \"blue\"", backends.redis(2)),
                "bad value", admin(adminPort) + pool("alpha", alpha, "", backends.redis(1))
                        + pool("beta", beta, "hash = \"fnv\"", backends.redis(2)));
        Map<String, String> reasons = Map.of("syntax", ":", "unknown key", "pools.beta.colour",
                "bad value", "pools.beta.hash: unknown hash 'fnv'");
        try (RunningProxy proxy = RunningProxy.start(active);
             RespClient admin = new RespClient(proxy.adminPort());
             TrafficRunner traffic = TrafficRunner.start(alpha, 1, 1, true)) {
            for (Map.Entry<String, String> config : bad.entrySet()) {
                Path file = write(config.getValue());
                String refused = admin.line("LOAD", file.toString());
                assertTrue(refused.startsWith("-ERR " + file + ":"), config.getKey() + ": " + refused);
                assertTrue(refused.contains(reasons.get(config.getKey())), config.getKey() + ": " + refused);
                assertTrue(admin.line("RELOAD", file.toString()).startsWith("-ERR " + file), config.getKey());
                assertUnchanged(admin, active);
                assertTrue(FreePorts.isFree(beta), config.getKey() + ": nothing was bound");
            }
            String missing = admin.line("LOAD", "/nonexistent/rproxy.toml");
            assertEquals("-ERR /nonexistent/rproxy.toml: no such file (looked for /nonexistent/rproxy.toml)", missing);
            assertEquals("-ERR wrong number of arguments for 'LOAD'; usage: LOAD <path>", admin.line("LOAD"));
            assertUnchanged(admin, active);
            awaitMoreReplies(traffic, 500);
            assertNothingLost(traffic, backends.all());
        }
    }

    private static void assertUnchanged(RespClient admin, String active) {
        assertEquals(active, admin.text("CONFIG", "ACTIVE"));
        assertNull(status(admin).get("staged"));
    }

    @Test
    void aTakenPortFailsTheLoadEarlyNamingItAndReleasesWhatItBound() throws Exception {
        RedisServer redis1 = backends.redis(1);
        int adminPort = FreePorts.pick();
        int alpha = FreePorts.pick();
        String active = admin(adminPort) + pool("alpha", alpha, "", redis1);
        try (RunningProxy proxy = RunningProxy.start(active);
             RespClient admin = new RespClient(proxy.adminPort());
             TrafficRunner traffic = TrafficRunner.start(alpha, 1, 1, true);
             ServerSocket taken = new ServerSocket(0)) {
            int beta = FreePorts.pick();
            int gamma = FreePorts.pick();
            Path pools = write(admin(adminPort) + pool("alpha", alpha, "", redis1) + pool("beta", beta, "", redis1)
                    + pool("gamma", taken.getLocalPort(), "", redis1) + pool("delta", gamma, "", redis1));
            String refused = admin.line("LOAD", pools.toString());
            assertTrue(refused.startsWith("-ERR pool 'gamma' cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                    refused);
            assertTrue(FreePorts.isFree(beta), "the port bound before the taken one was released");
            assertUnchanged(admin, active);

            Path adminTaken = write(admin(taken.getLocalPort()) + pool("alpha", alpha, "", redis1)
                    + pool("beta", beta, "", redis1));
            refused = admin.line("LOAD", adminTaken.toString());
            assertTrue(refused.startsWith("-ERR admin port cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                    refused);
            assertTrue(FreePorts.isFree(beta), "the pool port bound before the admin port was released");
            assertUnchanged(admin, active);
            assertTrue(admin.line("LOAD", write(admin(adminPort) + pool("beta", beta, "", redis1)).toString())
                    .startsWith("+OK staged"), "a later LOAD works");
            assertTrue(admin.line("CANCEL").startsWith("+OK"));
            awaitMoreReplies(traffic, 500);
            assertNothingLost(traffic, redis1);
        }
    }
}
