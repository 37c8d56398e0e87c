package io.rproxy.proxy;

import static io.rproxy.harness.ServerStates.server;
import static io.rproxy.harness.ServerStates.state;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.backend.ServerState;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.routing.Distribution;
import io.rproxy.routing.HashFunction;
import io.rproxy.routing.Router;
import io.rproxy.routing.WeightedServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** auto_eject_hosts: keys move as twemproxy moves them, come back on recovery, and the retry time is kept. */
class EjectionIT {
    private static final String POOL = RunningProxy.POOL;
    private static final int KEYS = 200;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ketama", "modula", "random"})
    void keysOfAnEjectedServerMoveAsTwemproxyMovesThemAndReturn(String distribution) {
        RedisServer[] redis = {RedisServer.start(), RedisServer.start(), RedisServer.start()};
        String keys = "hash = \"murmur\"\ndistribution = \"" + distribution + "\"\nauto_eject_hosts = true\n"
                + "server_failure_limit = 1\nserver_retry_timeout = 500\ntimeout = 500";
        String toml = RunningProxy.poolToml(POOL, io.rproxy.harness.FreePorts.pick(), keys, List.of(
                line(redis[0], "redis1"), line(redis[1], "redis2"), line(redis[2], "redis3")));
        try (RunningProxy proxy = RunningProxy.start(toml, new Random(42)); Jedis client = proxy.jedis()) {
            redis[1].kill();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                for (int i = 0; i < 30; i++) {
                    try {
                        client.set("trigger:" + i, "x");
                    } catch (JedisDataException e) {
                        // the request that found the server dead
                    }
                }
                return state(proxy, POOL, "redis2") == ServerState.EJECTED;
            });
            writeKeys(client);
            assertPlacement(distribution, redis, List.of(0, 2));

            redis[1].restart();
            await().atMost(Duration.ofSeconds(5)).until(() -> state(proxy, POOL, "redis2") == ServerState.UP);
            Stream.of(redis).forEach(RedisServer::flushAll);
            writeKeys(client);
            assertPlacement(distribution, redis, List.of(0, 1, 2));
        } finally {
            Stream.of(redis).forEach(RedisServer::close);
        }
    }

    @Test
    void anEjectedServerStaysOutUntilItsRetryTimeAndComesBackRightAfter() {
        try (RedisServer one = RedisServer.start(); RedisServer two = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("hash = \"md5\"\nauto_eject_hosts = true\n"
                     + "server_failure_limit = 1\nserver_retry_timeout = 1000\ntimeout = 500", one, two);
             Jedis client = proxy.jedis()) {
            String onTwo = BackendFailureIT.keyOwnedBy(client, two);
            two.kill();
            try {
                client.set(onTwo, "x");
            } catch (JedisDataException e) {
                // the failure that ejects it
            }
            Instant until = server(proxy, POOL, "redis2").status().ejectedUntil().orElseThrow();
            two.restart(); // ready to answer the probe long before the retry time
            List<Instant> outAfterUntil = new ArrayList<>();
            Instant[] backAt = new Instant[1];
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
                ServerState now = state(proxy, POOL, "redis2");
                Instant seen = Instant.now();
                if (now == ServerState.UP) {
                    backAt[0] = seen;
                    return true;
                }
                if (seen.isAfter(until)) {
                    outAfterUntil.add(seen);
                }
                return false;
            });
            long lateMs = Duration.between(until, backAt[0]).toMillis();
            System.out.println("server_retry_timeout 1000 ms: back " + lateMs + " ms after the retry time");
            assertFalse(backAt[0].isBefore(until), "back before its retry time: " + backAt[0] + " < " + until);
            assertTrue(lateMs < 200, "back " + lateMs + " ms after the retry time");
            assertEquals("OK", client.set(onTwo, "home"));
        }
    }

    private static String line(RedisServer server, String name) {
        return "\"" + server.address() + ":1 " + name + "\"";
    }

    private static void writeKeys(Jedis client) {
        for (int i = 0; i < KEYS; i++) {
            assertEquals("OK", client.set("key:" + i, "v"));
        }
    }

    /**
     * Every key where a twemproxy ring over the live servers puts it; for random, every live server got some
     * (none was lost: every write succeeded, and the dead server cannot have taken one).
     */
    private static void assertPlacement(String distribution, RedisServer[] redis, List<Integer> live) {
        if (distribution.equals("random")) {
            for (int i : live) {
                try (Jedis direct = redis[i].jedis()) {
                    long size = direct.dbSize();
                    assertTrue(size > 0, "live server " + (i + 1) + " got none of the keys");
                }
            }
            return;
        }
        List<WeightedServer> ring = new ArrayList<>();
        live.forEach(i -> ring.add(new WeightedServer(i, "redis" + (i + 1), 1)));
        Router expected = new Router(HashFunction.MURMUR, Distribution.byConfigName(distribution).orElseThrow(),
                null, ring, null);
        for (int i = 0; i < KEYS; i++) {
            byte[] key = ("key:" + i).getBytes(StandardCharsets.UTF_8);
            int owner = expected.route(key, 0, key.length);
            try (Jedis direct = redis[owner].jedis()) {
                assertTrue(direct.exists(key), "key:" + i + " should be on server " + (owner + 1));
            }
        }
    }
}
