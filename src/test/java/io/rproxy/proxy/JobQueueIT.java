package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.ProxiedServers;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.RespCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.args.ListDirection;

/**
 * A job queue through rproxy, as Sidekiq-like workers run one: producers LPUSH, 20 workers take jobs with
 * BRPOPLPUSH or BLMOVE into their processing list and acknowledge each in MULTI/EXEC; every job must be done
 * exactly once. Then thousands of transactions, subscriptions and blocked-then-disconnected clients must leave each
 * backend with its shared connection and the dedicated reserve only, as the servers count them (INFO clients).
 */
class JobQueueIT {
    private static final int JOBS = 3000;
    private static final int WORKERS = 20;
    private static final String QUEUE = "{jobs}:queue";
    private static final String DONE = "{jobs}:done";

    private static ProxiedServers proxied;
    private static RunningProxy proxy;

    @BeforeAll
    static void start() {
        proxied = ProxiedServers.start(3, "hash_tag = \"{}\"\ntimeout = 2000");
        proxy = proxied.proxy();
    }

    @AfterAll
    static void stop() {
        proxied.close();
    }

    @Test
    void everyJobIsDoneExactlyOnce() throws Exception {
        AtomicBoolean produced = new AtomicBoolean();
        try (ExecutorService threads = Executors.newFixedThreadPool(WORKERS + 4)) {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int id = w;
                workers.add(threads.submit(() -> work(id, produced)));
            }
            List<Future<?>> producers = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int first = p;
                producers.add(threads.submit(() -> {
                    try (Jedis jedis = proxy.jedis()) {
                        for (int j = first; j < JOBS; j += 4) {
                            jedis.lpush(QUEUE, "job-" + j);
                        }
                    }
                }));
            }
            for (Future<?> p : producers) {
                p.get(60, TimeUnit.SECONDS);
            }
            produced.set(true);
            int done = 0;
            for (Future<Integer> w : workers) {
                done += w.get(120, TimeUnit.SECONDS);
            }
            assertEquals(JOBS, done);
        }
        try (Jedis jedis = proxy.jedis()) {
            Map<String, String> counts = jedis.hgetAll(DONE);
            assertEquals(JOBS, counts.size(), "every job done");
            assertTrue(counts.values().stream().allMatch("1"::equals), "no job done twice");
            assertEquals(0, jedis.llen(QUEUE));
            for (int w = 0; w < WORKERS; w++) {
                assertEquals(0, jedis.llen(processing(w)), "nothing left in processing");
            }
        }
        assertOnlyTheReserveIsLeft();
    }

    private static String processing(int worker) {
        return "{jobs}:processing:" + worker;
    }

    private static int work(int id, AtomicBoolean produced) {
        int done = 0;
        try (Jedis jedis = proxy.jedis()) {
            while (true) {
                String job = id % 2 == 0 ? jedis.brpoplpush(QUEUE, processing(id), 1)
                        : jedis.blmove(QUEUE, processing(id), ListDirection.RIGHT, ListDirection.LEFT, 1);
                if (job == null) {
                    if (produced.get() && jedis.llen(QUEUE) == 0) {
                        return done;
                    }
                    continue;
                }
                Transaction ack = jedis.multi();
                ack.lrem(processing(id), 1, job);
                ack.hincrBy(DONE, job, 1);
                List<Object> replies = ack.exec();
                assertEquals(List.of(1L, 1L), replies, job);
                done++;
            }
        }
    }

    /**
     * 2,000 stateful cycles, each of which leases dedicated connections and gives them back or closes them: 1,500
     * WATCH/MULTI/EXEC from ten clients while four others subscribe on two servers and leave (half after
     * unsubscribing, half still subscribed), then 100 clients that leave while blocked.
     */
    @Test
    void thousandsOfTransactionsSubscriptionsAndLeftBlockedClientsLeaveOnlyTheReserve() throws Exception {
        String[] channels = channelsOnTwoServers();
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < 10; c++) {
                int id = c;
                clients.add(threads.submit(() -> {
                    try (Jedis jedis = proxy.jedis()) {
                        for (int i = 0; i < 150; i++) {
                            String key = "{leak" + (i % 7) + "}:" + id;
                            jedis.watch(key);
                            Transaction t = jedis.multi();
                            t.incr(key);
                            assertEquals(List.of((long) i / 7 + 1), t.exec(), key);
                        }
                    }
                }));
            }
            for (int c = 0; c < 4; c++) {
                clients.add(threads.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        subscribeAndLeave(channels, i % 2 == 0);
                    }
                }));
            }
            for (Future<?> c : clients) {
                c.get(120, TimeUnit.SECONDS);
            }
        }
        System.out.printf("1,500 transactions beside 400 subscribe/leave cycles: %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
        start = System.nanoTime();
        for (int round = 0; round < 100; round++) {
            try (RawClient client = new RawClient(proxy.port())) {
                client.pipelineFramesAsync(List.of(RespCommand.of("BLPOP", "{left" + round % 5 + "}q", "0").frame()));
                await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(20))
                        .until(() -> BlockingIT.blockedClients(proxied) == 1);
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> BlockingIT.blockedClients(proxied) == 0);
        System.out.printf("100 clients that left while blocked: %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertOnlyTheReserveIsLeft();
    }

    /**
     * Two channels on different servers: a channel lives where a key of its name would (its hash tag), so the
     * first two of {@link #keysOnEachServer} serve.
     */
    private static String[] channelsOnTwoServers() {
        return keysOnEachServer().subList(0, 2).toArray(String[]::new);
    }

    /** A key on each server, in the servers' order, found by writing keys through rproxy and looking for them. */
    private static List<String> keysOnEachServer() {
        RedisServer[] servers = proxied.redis();
        String[] found = new String[servers.length];
        try (Jedis jedis = proxy.jedis()) {
            for (int n = 0, left = servers.length; left > 0; n++) {
                String key = "{placed" + n + "}:news";
                jedis.set(key, "where");
                for (int s = 0; s < servers.length; s++) {
                    try (Jedis direct = servers[s].jedis()) {
                        if (found[s] == null && direct.exists(key)) {
                            found[s] = key;
                            left--;
                        }
                    }
                }
            }
        }
        return List.of(found);
    }

    private static void subscribeAndLeave(String[] channels, boolean unsubscribeFirst) {
        try (RawClient subscriber = new RawClient(proxy.port())) {
            assertEquals(3, subscriber.call("SUBSCRIBE", channels[0], channels[1]).elements().size());
            assertEquals(2, subscriber.read().elements().get(2).integer());
            if (unsubscribeFirst) {
                subscriber.call("UNSUBSCRIBE");
                assertEquals(0, subscriber.read().elements().get(2).integer());
            }
        }
    }

    /**
     * Each backend: its shared connection, at most the reserve's two, and this check's own. The shared connections
     * are opened first (a request to each server), so that the count is exact but for the reserve.
     */
    private static void assertOnlyTheReserveIsLeft() {
        try (Jedis jedis = proxy.jedis()) {
            keysOnEachServer().forEach(jedis::get);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (RedisServer server : proxied.redis()) {
                long clients = connectedClients(server);
                System.out.printf("%s: %d connected clients (this check's own included)%n", server, clients);
                assertTrue(clients >= 1 + 1 && clients <= 1 + 2 + 1, server + " has " + clients + " clients");
            }
        });
    }

    private static long connectedClients(RedisServer server) {
        try (Jedis jedis = server.jedis()) {
            return Long.parseLong(jedis.info("clients").lines().filter(l -> l.startsWith("connected_clients:"))
                    .findFirst().orElseThrow().substring("connected_clients:".length()).trim());
        }
    }
}
