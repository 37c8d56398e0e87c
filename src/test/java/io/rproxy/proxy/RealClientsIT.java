package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;

/** Lettuce, redis-cli and redis-benchmark through rproxy to three real redis-servers. */
class RealClientsIT {
    private static RedisServer[] redis;
    private static RunningProxy proxy;

    @BeforeAll
    static void start() {
        redis = new RedisServer[] {RedisServer.start(), RedisServer.start(), RedisServer.start()};
        proxy = RunningProxy.startPool("", redis);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        Stream.of(redis).forEach(RedisServer::close);
    }

    @BeforeEach
    void flush() {
        Stream.of(redis).forEach(RedisServer::flushAll);
    }

    @Test
    void lettuceSyncAndPipelinedAsync() {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(proxy.port())
                .withTimeout(Duration.ofSeconds(10)).build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> sync = connection.sync();
            assertEquals("PONG", sync.ping());
            assertEquals("OK", sync.set("lettuce", "sync"));
            assertEquals("sync", sync.get("lettuce"));

            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false);
            List<RedisFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                futures.add(async.incrby("counter:" + (i % 50), i));
            }
            connection.flushCommands();
            assertTrue(LettuceFutures.awaitAll(10, TimeUnit.SECONDS, futures.toArray(new RedisFuture[0])));
            connection.setAutoFlushCommands(true);
            for (int k = 0; k < 50; k++) {
                long expected = 0;
                for (int i = k; i < 500; i += 50) {
                    expected += i;
                }
                assertEquals(Long.toString(expected), sync.get("counter:" + k));
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void redisCliSetsAndGets() throws Exception {
        assertEquals("OK", redisCli("set", "from-cli", "hello world"));
        assertEquals("hello world", redisCli("get", "from-cli"));
        assertEquals("PONG", redisCli("ping"));
        try (Jedis client = proxy.jedis()) {
            assertEquals("hello world", client.get("from-cli"));
        }
    }

    @ParameterizedTest(name = "pipeline {0}")
    @ValueSource(ints = {1, 16})
    void redisBenchmarkRunsCleanAndSpreadsKeys(int pipeline) throws Exception {
        String out = run(List.of(Harness.requireTool("redis-benchmark", "redis-tools").toString(),
                "-h", "127.0.0.1", "-p", Integer.toString(proxy.port()), "-t", "set,get", "-n", "20000",
                "-c", "20", "-P", Integer.toString(pipeline), "-r", "10000", "-q"));
        assertTrue(out.contains("SET:") && out.contains("GET:"), out);
        for (RedisServer server : redis) {
            try (Jedis direct = server.jedis()) {
                assertTrue(direct.dbSize() > 100, server + " got too few of the benchmark's keys");
            }
        }
    }

    private static String redisCli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Harness.requireRedisCli().toString(),
                "-h", "127.0.0.1", "-p", Integer.toString(proxy.port())));
        command.addAll(List.of(args));
        return run(command).strip();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "finished: " + command);
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), text);
        return text;
    }
}
