package io.rproxy.proxy;

import static io.rproxy.harness.ServerStates.server;
import static io.rproxy.harness.ServerStates.state;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.backend.ServerState;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.harness.ScriptedBackend;
import io.rproxy.harness.ScriptedBackend.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** Slow, hung, dead and misbehaving backends: timeouts, ejection, recovery, fail-fast. */
class BackendFailureIT {
    private static final String POOL = RunningProxy.POOL;
    /**
     * What "small" means in "no request waits longer than its timeout plus a small bound": generous, for a
     * 2-core machine that runs the servers, the proxy and the test (measured lateness is 1-4 ms; see below).
     */
    private static final long BOUND_MS = 400;

    @Test
    void aReplyWithinTheTimeoutPassesAndOneBeyondItFailsOnTime() {
        AtomicLong delayMs = new AtomicLong(150);
        try (ScriptedBackend fake = ScriptedBackend.start(command -> command.name().equals("get")
                ? Step.delayed(Duration.ofMillis(delayMs.get()), "$1\r\nv\r\n") : ScriptedBackend.likeRedis(command));
             RunningProxy proxy = RunningProxy.start(RunningProxy.poolToml(POOL, FreePorts.pick(), "timeout = 200",
                     List.of("\"" + fake.address() + ":1 fake\"")));
             Jedis client = proxy.jedis()) {
            for (int i = 0; i < 5; i++) {
                assertEquals("v", client.get("k"), "a reply after 150 ms is within a 200 ms timeout");
            }
            delayMs.set(250);
            List<Long> lateMs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                long start = System.nanoTime();
                JedisDataException e = assertThrows(JedisDataException.class, () -> client.get("k"));
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                assertEquals("ERR timeout after 200 ms waiting for fake (" + fake.address() + ")", e.getMessage());
                lateMs.add(elapsedMs - 200);
            }
            System.out.println("timeout 200 ms fired late by (ms): " + lateMs);
            assertTrue(lateMs.stream().allMatch(ms -> ms >= 0 && ms < BOUND_MS), lateMs::toString);
        }
    }

    @Test
    void aHungServerIsEjectedAndReturnsWhenItRecovers() {
        try (RedisServer one = RedisServer.start(); RedisServer two = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("hash = \"md5\"\ntimeout = 300\nauto_eject_hosts = true\n"
                     + "server_failure_limit = 2\nserver_retry_timeout = 1000", one, two);
             Jedis client = proxy.jedis()) {
            String onTwo = keyOwnedBy(client, two);
            String onOne = keyOwnedBy(client, one);
            two.pause();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                assertAnsweredInTime(client, onTwo, 300);
                assertEquals("OK", client.set(onOne, "unaffected"), "the other server's traffic goes on");
                return state(proxy, POOL, "redis2") == ServerState.EJECTED;
            });
            assertEquals("OK", client.set(onTwo, "moved"));
            try (Jedis direct = one.jedis()) {
                assertEquals("moved", direct.get(onTwo), "the ejected server's keys moved to the other");
            }
            two.resume();
            await().atMost(Duration.ofSeconds(5)).until(() -> state(proxy, POOL, "redis2") == ServerState.UP);
            assertEquals("OK", client.set(onTwo, "home"));
            try (Jedis direct = two.jedis()) {
                assertEquals("home", direct.get(onTwo), "back in the distribution");
            }
        }
    }

    @Test
    void severalHungServersAreEjectedAndAllReturn() {
        try (RedisServer one = RedisServer.start(); RedisServer two = RedisServer.start();
             RedisServer three = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("hash = \"md5\"\ntimeout = 200\nauto_eject_hosts = true\n"
                     + "server_failure_limit = 1\nserver_retry_timeout = 500", one, two, three);
             Jedis client = proxy.jedis()) {
            String onTwo = keyOwnedBy(client, two);
            String onThree = keyOwnedBy(client, three);
            two.pause();
            three.pause();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                assertAnsweredInTime(client, onTwo, 200);
                assertAnsweredInTime(client, onThree, 200);
                return state(proxy, POOL, "redis2") == ServerState.EJECTED
                        && state(proxy, POOL, "redis3") == ServerState.EJECTED;
            });
            for (int i = 0; i < 50; i++) {
                assertEquals("OK", client.set("all-on-one:" + i, "x"), "every key on the one live server");
            }
            two.resume();
            three.resume();
            await().atMost(Duration.ofSeconds(5)).until(() -> state(proxy, POOL, "redis2") == ServerState.UP
                    && state(proxy, POOL, "redis3") == ServerState.UP);
        }
    }

    @Test
    void withoutEjectionADeadServerFailsFastAndIsReconnectedWhenItIsBack() {
        try (RedisServer one = RedisServer.start(); RedisServer two = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("hash = \"md5\"\ntimeout = 500", one, two);
             Jedis client = proxy.jedis()) {
            String onTwo = keyOwnedBy(client, two);
            two.kill();
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                JedisDataException e = assertThrows(JedisDataException.class, () -> client.set(onTwo, "x"));
                assertTrue(e.getMessage().contains("redis2 (" + two.address() + ")"), e.getMessage());
                assertTrue((System.nanoTime() - start) / 1_000_000 < BOUND_MS, "failed fast");
            }
            assertEquals(ServerState.DOWN, state(proxy, POOL, "redis2"));
            two.restart();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> "OK".equals(client.set(onTwo, "y")));
            try (Jedis direct = two.jedis()) {
                assertEquals("y", direct.get(onTwo));
            }
        }
    }

    @Test
    void aServerThatHangsUpInsideAReplyFailsThatRequestOnlyAndIsReconnected() {
        AtomicLong gets = new AtomicLong();
        try (ScriptedBackend fake = ScriptedBackend.start(command -> command.name().equals("get")
                && gets.incrementAndGet() == 1 ? Step.sendAndClose("$10\r\nhal") : ScriptedBackend.likeRedis(command));
             RunningProxy proxy = RunningProxy.start(RunningProxy.poolToml(POOL, FreePorts.pick(), "timeout = 1000",
                     List.of("\"" + fake.address() + ":1 fake\"")));
             Jedis client = proxy.jedis()) {
            JedisDataException e = assertThrows(JedisDataException.class, () -> client.get("k"));
            assertTrue(e.getMessage().startsWith("ERR rproxy: fake (" + fake.address() + "): "), e.getMessage());
            assertEquals("v", client.get("k"), "a new connection serves the next request");
            assertEquals(2, fake.accepted());
        }
    }

    @Test
    void aThousandFailuresAndRecoveriesLeaveNoThreadSocketOrTokenBehind() throws Exception {
        AtomicLong commands = new AtomicLong();
        try (ScriptedBackend fake = ScriptedBackend.start(command -> command.name().equals("set")
                && commands.incrementAndGet() % 2 == 0 ? Step.sendAndClose("") : ScriptedBackend.likeRedis(command));
             RunningProxy proxy = RunningProxy.start(RunningProxy.poolToml(POOL, FreePorts.pick(), "timeout = 1000",
                     List.of("\"" + fake.address() + ":1 fake\"")));
             Jedis client = proxy.jedis()) {
            client.set("warm", "up");
            long fdsBefore = openFileDescriptors();
            int failures = 0;
            for (int i = 0; i < 2000; i++) {
                try {
                    client.set("k", "v");
                } catch (JedisDataException e) {
                    failures++;
                }
            }
            assertEquals(1000, failures);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertTrue(proxy.proxy().backendThreads() <= 2, "threads: " + proxy.proxy().backendThreads());
                assertTrue(fake.open() <= 1, "sockets at the server: " + fake.open());
                assertTrue(server(proxy, POOL, "fake").stats().openConnections() <= 1);
                assertTrue(openFileDescriptors() <= fdsBefore + 8, "fds " + fdsBefore + " -> " + openFileDescriptors());
            });
            assertEquals(1000, server(proxy, POOL, "fake").stats().eof(), "each hang-up counted once");
        }
    }

    /** A request to a hung server either succeeds or fails within its timeout plus the bound. */
    private static void assertAnsweredInTime(Jedis client, String key, long timeoutMs) {
        long start = System.nanoTime();
        try {
            client.set(key, "x");
        } catch (JedisDataException e) {
            // Expected while the server hangs: a timeout, or a fast failure once it is ejected.
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs < timeoutMs + BOUND_MS, "waited " + elapsedMs + " ms");
    }

    /** Writes keys through the proxy until one lands on {@code target}; returns it. */
    static String keyOwnedBy(Jedis client, RedisServer target) {
        try (Jedis direct = target.jedis()) {
            for (int i = 0; i < 1000; i++) {
                String key = "owned:" + target.port() + ":" + i;
                client.set(key, "probe");
                if (direct.exists(key)) {
                    return key;
                }
            }
        }
        throw new AssertionError("no key landed on " + target);
    }

    private static long openFileDescriptors() throws java.io.IOException {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
