package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.rproxy.harness.ProxiedServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Many clients pipelining deep into one backend connection at once: more requests than its outbox holds are
 * queued, deferred for one write per pipeline, and must all still be written and answered.
 */
class ManyPipelinesIT {
    private static final int CLIENTS = 16;
    private static final int DEPTH = 3000;

    @Test
    void deepConcurrentPipelinesIntoOneConnectionAllComplete() {
        try (ProxiedServers servers = ProxiedServers.start(1, "")) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
                try {
                    List<Future<Long>> done = new ArrayList<>();
                    for (int c = 0; c < CLIENTS; c++) {
                        int client = c;
                        done.add(pool.submit(() -> pipeline(servers, client)));
                    }
                    for (Future<Long> result : done) {
                        assertEquals(DEPTH, result.get());
                    }
                } finally {
                    pool.shutdownNow();
                }
            });
        }
    }

    private static long pipeline(ProxiedServers servers, int client) {
        try (Jedis jedis = servers.proxy().jedis()) {
            jedis.set("big:" + client, "x".repeat(15_000)); // grows the session's read buffer: bigger batches
            Pipeline pipeline = jedis.pipelined();
            List<Response<Long>> replies = new ArrayList<>(DEPTH);
            for (int i = 0; i < DEPTH; i++) {
                replies.add(pipeline.incr("counter:" + client));
            }
            pipeline.sync();
            return replies.get(DEPTH - 1).get();
        }
    }
}
