package io.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** The harness itself: real redis-server and nutcracker processes, started, frozen, crashed and cleaned up. */
class HarnessTest {

    /** Folders of every server this class started: none may have a process left when it is done. */
    private static final List<String> MARKERS = new CopyOnWriteArrayList<>();

    @AfterAll
    static void nothingLeftBehind() {
        MARKERS.forEach(marker -> assertEquals(List.of(), commandLinesWith(marker), "processes of " + marker));
    }

    @Test
    void startedServerAnswersAndStopEndsIt() {
        RedisServer redis = started(RedisServer.start());
        try (Jedis jedis = redis.jedis()) {
            assertEquals("PONG", jedis.ping());
            assertEquals("", jedis.configGet("save").get("save"), "no snapshots");
            jedis.set("k", "v");
        }
        assertTrue(redis.dir().startsWith(Harness.dir()));
        assertEquals(1, commandLinesWith(redis.dir().toString()).size());

        redis.stop();

        assertFalse(redis.isAlive());
        assertFalse(Harness.accepts(redis.host(), redis.port()));
        assertEquals(List.of(), commandLinesWith(redis.dir().toString()));
    }

    @Test
    void extraArgumentsReachTheServer() {
        try (RedisServer redis = started(RedisServer.start("--maxclients", "123"));
                Jedis jedis = redis.jedis()) {
            assertEquals("123", jedis.configGet("maxclients").get("maxclients"));
        }
    }

    @Test
    void pausedServerTimesOutUntilResumed() {
        try (RedisServer redis = started(RedisServer.start())) {
            redis.pause();
            // Jedis talks to the server as it connects (CLIENT SETINFO), so connecting already times out.
            assertThrows(JedisConnectionException.class, () -> {
                try (Jedis jedis = redis.jedis(Duration.ofMillis(300))) {
                    jedis.ping();
                }
            });
            redis.resume();
            try (Jedis jedis = redis.jedis(Duration.ofMillis(2000))) {
                assertEquals("PONG", jedis.ping());
            }
        }
    }

    @Test
    void stoppingAPausedServerStillEndsIt() {
        RedisServer redis = started(RedisServer.start());
        redis.pause();
        redis.close();
        assertFalse(redis.isAlive());
        assertEquals(List.of(), commandLinesWith(redis.dir().toString()));
    }

    @Test
    void killLeavesNoProcessAndRestartComesBackEmptyOnTheSamePort() {
        try (RedisServer redis = started(RedisServer.start()); Jedis before = redis.jedis()) {
            before.set("k", "v");
            long pid = redis.pid().orElseThrow();

            redis.kill();

            assertFalse(redis.isAlive());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertEquals(List.of(), commandLinesWith(redis.dir().toString()));
            assertThrows(JedisConnectionException.class, before::ping);

            redis.restart();

            try (Jedis after = redis.jedis()) {
                assertNull(after.get("k"), "no persistence across restarts");
            }
            assertTrue(redis.isAlive());
        }
    }

    @Test
    void redisServersServeTheirClassNumberedFromOneThenStopEveryOne() {
        RedisServers servers = RedisServers.of(2);
        assertThrows(IllegalStateException.class, () -> servers.redis(1), "before the class's tests");
        servers.beforeAll(null);
        List<RedisServer> both = List.of(servers.all());
        try {
            both.forEach(HarnessTest::started);
            assertEquals(List.of(servers.redis(1), servers.redis(2)), both);
            assertTrue(servers.redis(1).port() != servers.redis(2).port());
            assertThrows(IllegalArgumentException.class, () -> servers.redis(3));
            try (Jedis one = servers.redis(1).jedis(); Jedis two = servers.redis(2).jedis()) {
                one.set("k", "1");
                two.set("k", "2");
                servers.flushAll();
                assertEquals(0, one.dbSize() + two.dbSize());
            }
        } finally {
            servers.afterAll(null);
        }
        both.forEach(redis -> assertFalse(redis.isAlive(), redis.toString()));
        assertThrows(IllegalStateException.class, () -> servers.redis(1), "after the class's tests");
    }

    @Test
    void nutcrackerShardsKeysOverItsServers() {
        try (RedisServer a = started(RedisServer.start()); RedisServer b = started(RedisServer.start());
                Nutcracker twem = Nutcracker.builder().servers(a, b).hashTag("{}").autoEjectHosts(false)
                        .timeout(400).statsInterval(100).start();
                Jedis jedis = twem.jedis()) {
            IntStream.range(0, 100).forEach(i -> assertEquals("OK", jedis.set("key:" + i, "v" + i)));
            IntStream.range(0, 100).forEach(i -> assertEquals("v" + i, jedis.get("key:" + i)));

            try (Jedis ja = a.jedis(); Jedis jb = b.jedis()) {
                long onA = ja.dbSize();
                long onB = jb.dbSize();
                assertEquals(100, onA + onB);
                assertTrue(onA > 0 && onB > 0, "keys on a: " + onA + ", on b: " + onB);
            }
            assertTrue(twem.stats().contains("\"" + Nutcracker.POOL + "\""), twem.stats());
            MARKERS.add(twem.configFile().toString());
            assertEquals(1, commandLinesWith(twem.configFile().toString()).size());
        }
    }

    @Test
    void invalidNutcrackerConfigFailsWithNutcrackersWords() {
        HarnessException e = assertThrows(HarnessException.class,
                () -> Nutcracker.start("redis: true\nhash: no_such_hash\nservers:\n - 127.0.0.1:1:1 x\n"));
        assertTrue(e.getMessage().contains("no_such_hash"), e.getMessage());
    }

    @Test
    void registryKillsEverythingItTracks() throws Exception {
        ProcessRegistry registry = new ProcessRegistry();
        Process sleeper = registry.start(new ProcessBuilder("sleep", "60"),
                Harness.newWorkDir("sleep-").resolve("out.log"));
        assertEquals(List.of(sleeper), registry.processes());

        registry.close();

        assertFalse(sleeper.isAlive());
        assertEquals(List.of(), registry.processes());
    }

    @Test
    void missingToolFailsSayingWhatToInstall() {
        HarnessException e = assertThrows(HarnessException.class,
                () -> Harness.requireTool("no-such-tool-rproxy", "some-package"));
        assertTrue(e.getMessage().contains("apt-get install -y some-package"), e.getMessage());
    }

    @Test
    void freePortsAreFreeAndNeverRepeated() {
        List<Integer> ports = IntStream.range(0, 20).mapToObj(i -> FreePorts.pick()).toList();
        assertEquals(ports.size(), ports.stream().distinct().count());
        ports.forEach(port -> assertTrue(FreePorts.isFree(port), "port " + port));
    }

    private static RedisServer started(RedisServer redis) {
        MARKERS.add(redis.dir().toString());
        return redis;
    }

    private static List<String> commandLinesWith(String marker) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .filter(line -> line.contains(marker))
                .toList();
    }
}
