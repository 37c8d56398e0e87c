package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.ProxiedServers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.redisson.Redisson;
import org.redisson.api.RBlockingQueue;
import org.redisson.api.RLock;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import redis.clients.jedis.Jedis;

/**
 * Redisson, the client issue 14 names for using Lua, pub/sub and blocking pops together, through rproxy: a pool of
 * one server, and a pool of three with {@code hash_tag = "{}"}. Redisson names a lock's channel
 * {@code redisson_lock__channel:<name>} when the name has a hash tag ({@code redisson_lock__channel:{<name>}}
 * otherwise), and its unlock script names the lock and the channel as KEYS, so with the tag both land on one server.
 */
class RedissonIT {
    /** The lease outlives the test's bounds: the waiter can only get the lock in time by hearing the unlock. */
    private static final long LEASE_SECONDS = 120;

    private static ProxiedServers one;
    private static ProxiedServers three;
    private static ProxiedServers untagged;

    @BeforeAll
    static void start() {
        one = ProxiedServers.start(1, "timeout = 2000");
        three = ProxiedServers.start(3, "hash_tag = \"{}\"\ntimeout = 2000");
        untagged = ProxiedServers.start(3, "timeout = 2000");
    }

    @AfterAll
    static void stop() {
        try {
            if (one != null) {
                one.close();
            }
        } finally {
            try {
                if (three != null) {
                    three.close();
                }
            } finally {
                if (untagged != null) {
                    untagged.close();
                }
            }
        }
    }

    private static RedissonClient redisson(int servers) {
        return redissonAt((servers == 1 ? one : three).proxy().port());
    }

    private static RedissonClient redissonAt(int port) {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.useSingleServer()
                .setAddress("redis://127.0.0.1:" + port)
                .setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(4)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setSubscriptionConnectionPoolSize(2)
                .setTimeout(10_000)
                .setRetryAttempts(0)
                // Sent as CLIENT SETNAME on each new connection, which rproxy answers itself.
                .setClientName("redisson-it");
        return Redisson.create(config);
    }

    @ParameterizedTest(name = "{0} server(s)")
    @ValueSource(ints = {1, 3})
    void aSecondClientWaitsForTheLockAndGetsItOnUnlock(int servers) throws Exception {
        RedissonClient first = redisson(servers);
        RedissonClient second = redisson(servers);
        try (ExecutorService thread = Executors.newSingleThreadExecutor()) {
            RLock held = first.getLock("{job}:lock");
            held.lock(LEASE_SECONDS, TimeUnit.SECONDS);
            Future<Boolean> waiter = thread.submit(() -> {
                RLock lock = second.getLock("{job}:lock");
                boolean got = lock.tryLock(60, LEASE_SECONDS, TimeUnit.SECONDS);
                if (got) {
                    lock.unlock();
                }
                return got;
            });
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> !waiter.isDone());
            held.unlock();
            // Well before the first lease (120 s) would have run out: the unlock's message woke the waiter.
            assertTrue(waiter.get(20, TimeUnit.SECONDS));
            assertFalse(first.getLock("{job}:lock").isLocked());
        } finally {
            first.shutdown();
            second.shutdown();
        }
    }

    @ParameterizedTest(name = "{0} server(s)")
    @ValueSource(ints = {1, 3})
    void takeBlocksUntilAnotherClientOffers(int servers) throws Exception {
        RedissonClient producer = redisson(servers);
        RedissonClient consumer = redisson(servers);
        try (ExecutorService thread = Executors.newSingleThreadExecutor()) {
            RBlockingQueue<String> in = consumer.getBlockingQueue("{job}:queue");
            Future<String> taken = thread.submit(in::take);
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> !taken.isDone());
            RBlockingQueue<String> out = producer.getBlockingQueue("{job}:queue");
            assertTrue(out.offer("job-1"));
            assertEquals("job-1", taken.get(20, TimeUnit.SECONDS));
            assertEquals(0, out.size());
        } finally {
            producer.shutdown();
            consumer.shutdown();
        }
    }

    @ParameterizedTest(name = "{0} server(s)")
    @ValueSource(ints = {1, 3})
    void aTopicListenerHearsAnotherClientsMessages(int servers) throws Exception {
        RedissonClient publisher = redisson(servers);
        RedissonClient listener = redisson(servers);
        try {
            List<String> heard = new CopyOnWriteArrayList<>();
            RTopic topic = listener.getTopic("{job}:events");
            topic.addListener(String.class, (channel, message) -> heard.add(message));
            RTopic out = publisher.getTopic("{job}:events");
            assertEquals(1, out.publish("started"));
            out.publish("done");
            await().atMost(Duration.ofSeconds(20)).until(() -> heard.size() == 2);
            assertEquals(List.of("started", "done"), heard);
        } finally {
            publisher.shutdown();
            listener.shutdown();
        }
    }

    /**
     * With the pool's hash tag a name without braces works too: Redisson puts the name in braces in the names it
     * derives ({@code redisson_lock__channel:{mylock}}), so they hash as the bare name {@code mylock} does.
     */
    @Test
    void anUntaggedLockNameWorksInATaggedPool() {
        RedissonClient client = redisson(3);
        try {
            RLock lock = client.getLock("mylock");
            lock.lock(LEASE_SECONDS, TimeUnit.SECONDS);
            assertTrue(lock.isLocked());
            try (Jedis jedis = three.proxy().jedis()) {
                assertTrue(jedis.clientList().contains("name=redisson-it"), "rproxy kept Redisson's CLIENT SETNAME");
            }
            lock.unlock();
            assertFalse(lock.isLocked());
        } finally {
            client.shutdown();
        }
    }

    /**
     * Without a hash tag, a pool of three places a lock and its channel apart: locking (one key) works, and the
     * unlock script, whose KEYS are the lock, its channel and an unlock latch, gets -CROSSSLOT and runs nowhere.
     */
    @Test
    void withoutAHashTagAnUnlockIsCrossSlot() {
        RedissonClient client = redissonAt(untagged.proxy().port());
        try {
            String refused = null;
            for (int i = 0; i < 20 && refused == null; i++) {
                RLock lock = client.getLock("lock-" + i);
                lock.lock(LEASE_SECONDS, TimeUnit.SECONDS);
                try {
                    lock.unlock();
                } catch (RuntimeException e) {
                    refused = messages(e);
                    assertTrue(lock.isLocked(), "the refused unlock ran nowhere");
                }
            }
            assertTrue(refused != null && refused.contains("CROSSSLOT Keys in request don't hash to the same server"),
                    "no unlock of 20 names was refused: " + refused);
        } finally {
            client.shutdown();
        }
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
