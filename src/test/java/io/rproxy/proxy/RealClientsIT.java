package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.rproxy.harness.Harness;
import io.rproxy.harness.ProxiedServers;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Jedis, Lettuce, redis-cli and redis-benchmark through rproxy to three real redis-servers: their handshakes
 * (HELLO, CLIENT SETINFO, CLIENT SETNAME, ...) and common operations, pipelined and not, with no error reaching
 * the caller.
 */
class RealClientsIT {
    private static ProxiedServers servers;
    private static RedisServer[] redis;
    private static RunningProxy proxy;

    @BeforeAll
    static void start() {
        servers = ProxiedServers.start(3, "");
        redis = servers.redis();
        proxy = servers.proxy();
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    @BeforeEach
    void flush() {
        servers.flushAll();
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
    void jedisHandshakeAndCommonOperationsPlainAndPipelined() {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().clientName("jedis-it")
                .timeoutMillis(10_000).build();
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", proxy.port()), config)) {
            assertEquals("jedis-it", jedis.clientGetname());
            assertEquals("PONG", jedis.ping());
            assertEquals("OK", jedis.set("j:s", "1"));
            assertEquals(5, jedis.incrBy("j:s", 4));
            assertEquals("OK", jedis.mset("j:a", "A", "j:b", "B", "j:c", "C"));
            assertEquals(List.of("A", "B", "C"), jedis.mget("j:a", "j:b", "j:c"));
            assertEquals(3, jedis.exists("j:a", "j:b", "j:c"));
            assertEquals(2, jedis.hset("j:h", Map.of("f1", "1", "f2", "2")));
            assertEquals(Map.of("f1", "1", "f2", "2"), jedis.hgetAll("j:h"));
            assertEquals(3, jedis.rpush("j:l", "x", "y", "z"));
            assertEquals(List.of("x", "y", "z"), jedis.lrange("j:l", 0, -1));
            assertEquals(2, jedis.sadd("{j}s1", "1", "2"));
            assertEquals(1, jedis.sadd("{j}s2", "2"));
            assertEquals(Set.of("2"), jedis.sinter("{j}s1", "{j}s2"));
            assertEquals(1, jedis.zadd("j:z", 1.5, "m"));
            assertEquals(1.5, jedis.zscore("j:z", "m"));
            assertEquals(1, jedis.expire("j:z", 100_000));
            assertTrue(jedis.ttl("j:z") > 99_000);
            assertTrue(jedis.info("server").contains("rproxy_version:"));
            assertEquals(2, jedis.time().size());
            assertEquals(4, jedis.del("j:a", "j:b", "j:c", "j:s"));

            Pipeline pipeline = jedis.pipelined();
            Response<String> set = pipeline.set("j:p", "v");
            Response<List<String>> mget = pipeline.mget("j:p", "j:none", "j:l");
            Response<Long> exists = pipeline.exists("j:p", "j:h", "j:l");
            Response<Object> refused = pipeline.sendCommand(Protocol.Command.SWAPDB, "0", "1");
            Response<String> echo = pipeline.get("j:p");
            pipeline.sync();
            assertEquals("OK", set.get());
            assertEquals(java.util.Arrays.asList("v", null, null), mget.get());
            assertEquals(3, exists.get());
            JedisDataException error = assertThrows(JedisDataException.class, refused::get);
            assertEquals("ERR command 'swapdb' is not supported by rproxy", error.getMessage());
            assertEquals("v", echo.get());
        }
    }

    @Test
    void jedisPooledWithItsConnectionPool() {
        try (JedisPooled jedis = new JedisPooled("127.0.0.1", proxy.port())) {
            for (int i = 0; i < 100; i++) {
                jedis.set("pooled:" + i, Integer.toString(i));
            }
            assertEquals(List.of("0", "50", "99"), jedis.mget("pooled:0", "pooled:50", "pooled:99"));
            assertEquals(100, jedis.del(java.util.stream.IntStream.range(0, 100).mapToObj(i -> "pooled:" + i)
                    .toArray(String[]::new)));
        }
    }

    @Test
    void lettuceHandshakeWithClientNameAndCommonOperations() throws Exception {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(proxy.port())
                .withClientName("lettuce-it").withTimeout(Duration.ofSeconds(10)).build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> sync = connection.sync();
            assertEquals("lettuce-it", sync.clientGetname());
            assertEquals("OK", sync.mset(Map.of("lt:a", "1", "lt:b", "2", "lt:c", "3")));
            assertEquals(3, sync.exists("lt:a", "lt:b", "lt:c"));
            assertEquals(List.of("1", "2", "3"),
                    sync.mget("lt:a", "lt:b", "lt:c").stream().map(kv -> kv.getValue()).toList());
            assertEquals(Boolean.TRUE, sync.hset("lt:h", "f", "v"));
            assertEquals("v", sync.hget("lt:h", "f"));
            assertEquals(2, sync.lpush("lt:l", "a", "b"));
            assertEquals(1, sync.zadd("lt:z", 2.0, "m"));
            assertEquals("hello", sync.echo("hello"));
            assertTrue(sync.info().contains("# Server"));
            assertEquals(4, sync.del("lt:a", "lt:b", "lt:c", "lt:h"));

            RedisAsyncCommands<String, String> async = connection.async();
            RedisFuture<String> set = async.set("lt:p", "v");
            RedisFuture<Long> touched = async.touch("lt:p", "lt:l", "lt:z", "lt:none");
            RedisFuture<String> get = async.get("lt:p");
            RedisFuture<Long> unlinked = async.unlink("lt:p", "lt:l", "lt:z");
            assertTrue(LettuceFutures.awaitAll(10, TimeUnit.SECONDS, set, touched, get, unlinked));
            assertEquals("OK", set.get());
            assertEquals(3, touched.get());
            assertEquals("v", get.get());
            assertEquals(3, unlinked.get());
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
        assertFalse(out.contains("WARNING"), "no warning (it reads CONFIG GET save and appendonly): " + out);
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
