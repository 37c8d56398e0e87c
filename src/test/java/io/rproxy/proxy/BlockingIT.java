package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.AgainstOneRedis;
import io.rproxy.harness.ProxiedServers;
import io.rproxy.harness.RedisServer;
import io.rproxy.resp.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Blocking commands through rproxy over three servers, on dedicated connections: Redis's replies byte for byte,
 * the pool's timeout (400 ms here) on top of the command's own block time, a client that leaves while blocked
 * (its connection closed at once, nothing popped for nobody), and other clients not slowed meanwhile.
 */
class BlockingIT {
    @RegisterExtension
    static final AgainstOneRedis setup = AgainstOneRedis.sharded(3, "hash_tag = \"{}\"\ntimeout = 400");

    @BeforeEach
    void flush() {
        setup.flushAll();
    }

    @Test
    void repliesAreRedisOwnByteForByte() {
        List<List<String>> commands = new ArrayList<>();
        for (String line : new String[] {
            "BLPOP {b}q 0.5", "RPUSH {b}q a b c d e f", "BLPOP {b}q {b}r 1", "BRPOP {b}r {b}q 1",
            "BRPOPLPUSH {b}q {b}p 1", "BLMOVE {b}q {b}p LEFT RIGHT 1", "BLMPOP 1 2 {b}r {b}q LEFT COUNT 2",
            "BLMOVE {b}none {b}p LEFT RIGHT 0.3", "ZADD {b}z 1 a 2 b 3 c", "BZPOPMIN {b}z 1", "BZPOPMAX {b}z 1",
            "BZMPOP 1 1 {b}z MIN", "BZPOPMIN {b}z 0.2", "XADD {b}s 1-1 f v", "XREAD STREAMS {b}s 0",
            "XREAD BLOCK 300 STREAMS {b}s $", "XREAD COUNT 1 BLOCK 100 STREAMS {b}s 0",
            "XGROUP CREATE {b}s g 0", "XREADGROUP GROUP g c BLOCK 100 STREAMS {b}s >",
            "XREADGROUP GROUP g c BLOCK 200 STREAMS {b}s >", "XREADGROUP GROUP g c STREAMS {b}s 0",
            "BLPOP {b}q notanumber", "BLPOP {b}q -1", "BLPOP", "BLMPOP 1 0 {b}q LEFT", "SET {b}str x",
            "BLPOP {b}str 1", "XREAD BLOCK x STREAMS {b}s 0",
        }) {
            commands.add(List.of(line.split(" ")));
        }
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            for (List<String> command : commands) {
                assertEquals(viaDirect.call(command), viaProxy.call(command), String.join(" ", command));
            }
        }
        setup.flushAll();
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            assertEquals(viaDirect.pipeline(commands), viaProxy.pipeline(commands), "pipelined");
        }
    }

    @Test
    void theBlockTimeComesOnTopOfThePoolTimeoutAndZeroWaitsForever() throws Exception {
        try (RawClient client = new RawClient(setup.proxy().port())) {
            long started = System.nanoTime();
            assertEquals(Reply.NULL_ARRAY, client.call("BLPOP", "{t}q", "1"), "nil after its own second");
            assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(950));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
             RawClient client = new RawClient(setup.proxy().port()); Jedis other = setup.proxy().jedis()) {
            CompletableFuture<Reply> popped = CompletableFuture.supplyAsync(
                    () -> client.call("BLPOP", "{t}forever", "0"), pool);
            await().atMost(Duration.ofSeconds(20)).until(() -> blockedClients() == 1);
            Thread.sleep(1500); // well past the pool's 400 ms: time must pass here, nothing to wait for
            assertEquals(1, blockedClients(), "still blocked, no proxy timeout");
            other.lpush("{t}forever", "late");
            assertEquals(Reply.array(List.of(Reply.bulk("{t}forever".getBytes()), Reply.bulk("late".getBytes()))),
                    popped.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClientThatLeavesWhileBlockedHasNothingPoppedForIt() {
        for (int round = 0; round < 20; round++) {
            RawClient client = new RawClient(setup.proxy().port());
            client.pipelineFramesAsync(List.of(io.rproxy.resp.RespCommand.of("BLPOP", "{g}q", "0").frame()));
            await().atMost(Duration.ofSeconds(20)).until(() -> blockedClients() == 1);
            client.close();
            await().atMost(Duration.ofSeconds(20)).until(() -> blockedClients() == 0);
        }
        try (Jedis jedis = setup.proxy().jedis()) {
            jedis.lpush("{g}q", "x");
            assertEquals(1, jedis.llen("{g}q"), "no element popped for a client that left");
        }
    }

    /** Two blocking commands in one write: the client is watched while the second waits too. */
    @Test
    void aClientThatLeavesDuringItsSecondPipelinedBlockingCommandIsSeen() {
        try (RawClient client = new RawClient(setup.proxy().port())) {
            client.pipelineFramesAsync(List.of(io.rproxy.resp.RespCommand.of("BLPOP", "{p}q", "0.2").frame(),
                    io.rproxy.resp.RespCommand.of("BLPOP", "{p}q", "0").frame()));
            assertEquals(Reply.NULL_ARRAY, client.read());
            await().atMost(Duration.ofSeconds(20)).until(() -> blockedClients() == 1);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> blockedClients() == 0);
        try (Jedis jedis = setup.proxy().jedis()) {
            jedis.lpush("{p}q", "x");
            assertEquals(1, jedis.llen("{p}q"), "no element popped for a client that left");
        }
    }

    @Test
    void otherClientsAreNotSlowedByBlockedOnes() throws Exception {
        List<RawClient> blocked = new ArrayList<>();
        try (Jedis jedis = setup.proxy().jedis()) {
            for (int i = 0; i < 10; i++) {
                RawClient client = new RawClient(setup.proxy().port());
                blocked.add(client);
                client.pipelineFramesAsync(List.of(io.rproxy.resp.RespCommand.of("BLPOP", "{n}q", "0").frame()));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> blockedClients() == 10);
            long started = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                jedis.set("{n}k" + i, "v");
            }
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "served while others block");
        } finally {
            blocked.forEach(RawClient::close);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> blockedClients() == 0);
    }

    @Test
    void keysOnTwoServersAreRefused() {
        try (RawClient client = new RawClient(setup.proxy().port())) {
            String[] keys = TransactionIT.keysOnTwoServers(setup.proxied());
            assertEquals(Reply.error("CROSSSLOT Keys in request don't hash to the same server"),
                    client.call("BLPOP", keys[0], keys[1], "0"));
            assertEquals(Reply.error("CROSSSLOT Keys in request don't hash to the same server"),
                    client.call("BLMOVE", keys[0], keys[1], "LEFT", "LEFT", "0"));
            assertEquals(Reply.PONG, client.call("PING"));
        }
    }

    static long blockedClients() {
        return blockedClients(setup.proxied());
    }

    /** Blocked clients over all the backends, as the servers count them. */
    static long blockedClients(ProxiedServers proxied) {
        long sum = 0;
        for (RedisServer server : proxied.redis()) {
            try (Jedis jedis = server.jedis()) {
                sum += Long.parseLong(jedis.info("clients").lines().filter(l -> l.startsWith("blocked_clients:"))
                        .findFirst().orElseThrow().substring("blocked_clients:".length()).trim());
            }
        }
        return sum;
    }
}
