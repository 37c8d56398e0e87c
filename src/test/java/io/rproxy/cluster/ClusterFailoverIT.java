package io.rproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisCluster;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.routing.ClusterSlot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Three masters with a replica each; a master is killed under traffic. rproxy follows the promotion by itself:
 * requests for the dead master's slots fail fast (never past the timeout) until the replica takes over, those
 * for the other masters never fail.
 */
class ClusterFailoverIT {
    private static final int TIMEOUT_MS = 400;
    private static RedisCluster cluster;
    private static RunningProxy proxy;

    @BeforeAll
    static void start() {
        cluster = RedisCluster.start(3, 1);
        proxy = RunningProxy.start(ClusterIT.clusterToml(FreePorts.pick(), cluster.seeds(2))
                .replace("timeout = 2000", "timeout = " + TIMEOUT_MS));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aKilledMasterIsFollowedToItsPromotedReplica() throws InterruptedException {
        String victimKey = "{victim}";
        RedisServer victim = cluster.ownerOf(ClusterSlot.of(victimKey.getBytes(StandardCharsets.UTF_8)));
        String bystanderKey = bystanderKey(victim);
        Set<String> bystanderErrors = ConcurrentHashMap.newKeySet();
        AtomicLong bystanderReplies = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread bystander = Thread.ofVirtual().start(() -> {
            try (Jedis client = proxy.jedis()) {
                while (running.get()) {
                    try {
                        client.incr(bystanderKey);
                        bystanderReplies.incrementAndGet();
                    } catch (JedisDataException e) {
                        bystanderErrors.add(e.getMessage());
                    }
                }
            } catch (RuntimeException e) {
                bystanderErrors.add(e.toString());
            }
        });
        try (Jedis client = proxy.jedis()) {
            assertEquals("OK", client.set(victimKey, "before"));
            long killedAt = System.nanoTime();
            victim.kill();
            long[] slowestFailureMs = {0};
            long[] failures = {0};
            Awaitility.await("a write to the dead master's slot succeeds again").atMost(Duration.ofSeconds(20))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() -> {
                        long sent = System.nanoTime();
                        try {
                            client.set(victimKey, "after");
                            return true;
                        } catch (JedisDataException e) {
                            failures[0]++;
                            slowestFailureMs[0] = Math.max(slowestFailureMs[0], (System.nanoTime() - sent) / 1_000_000);
                            return false;
                        }
                    });
            long outageMs = (System.nanoTime() - killedAt) / 1_000_000;
            System.out.printf("failover: writes to the killed master's slots failed for %d ms (%d failed requests,"
                    + " slowest failure %d ms); cluster-node-timeout %d ms%n", outageMs, failures[0],
                    slowestFailureMs[0], RedisCluster.NODE_TIMEOUT.toMillis());
            assertTrue(outageMs < RedisCluster.NODE_TIMEOUT.toMillis() + Cluster.REFRESH_EVERY.toMillis() + 3000,
                    "outage " + outageMs + " ms");
            assertTrue(slowestFailureMs[0] <= TIMEOUT_MS + 300, "a failing request took " + slowestFailureMs[0]
                    + " ms, past the " + TIMEOUT_MS + " ms timeout");
            assertEquals("after", client.get(victimKey));
        } finally {
            running.set(false);
            bystander.join();
        }
        assertTrue(bystanderReplies.get() > 0);
        // While the dead master is marked failed and not yet replaced, the whole cluster refuses writes
        // (cluster-require-full-coverage): the cluster's own answer passes through; rproxy adds no error.
        bystanderErrors.remove("CLUSTERDOWN The cluster is down");
        assertEquals(Set.of(), bystanderErrors, "the other masters' keys failed only as the cluster said");
    }

    /** A key whose master is not {@code victim}. */
    private static String bystanderKey(RedisServer victim) {
        for (int i = 0; ; i++) {
            String key = "bystander:" + i;
            if (cluster.ownerOf(ClusterSlot.of(key.getBytes(StandardCharsets.UTF_8))) != victim) {
                return key;
            }
        }
    }
}
