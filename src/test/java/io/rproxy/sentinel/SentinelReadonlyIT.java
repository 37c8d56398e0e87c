package io.rproxy.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.harness.ScriptedBackend;
import io.rproxy.harness.ScriptedBackend.Step;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A master demoted behind rproxy's back, with no failover message to tell it: real redis-servers, and a scripted
 * sentinel (a real one would fail the demoted master over itself, and publish it) whose answer the test sets. The
 * {@code -READONLY} a write gets makes rproxy ask the sentinel at once (not at its next periodic refresh), and
 * while the sentinel still names the demoted server, ROLE in the handshake keeps every write off it.
 */
class SentinelReadonlyIT {
    @Test
    void aReadonlyReplyMakesRproxyAskTheSentinelsAndRoleKeepsWritesOffAReplica() throws Exception {
        try (RedisServer first = RedisServer.start(); RedisServer second = RedisServer.start()) {
            AtomicReference<RedisServer> named = new AtomicReference<>(first);
            AtomicReference<Long> epoch = new AtomicReference<>(1L);
            try (ScriptedBackend sentinel = ScriptedBackend.start(c -> answer(c, named.get(), epoch.get()));
                 RunningProxy proxy = RunningProxy.start("[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick()
                         + "\"\n[pools.ha]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\ntimeout = 500\n"
                         + "sentinels = [\"" + sentinel.address() + "\"]\nservers = [\"m:1\"]\n");
                 Jedis client = proxy.jedis(); Jedis onFirst = first.jedis(); Jedis onSecond = second.jedis()) {
                assertEquals("OK", client.set("k", "on-first"));
                assertEquals("on-first", onFirst.get("k"));

                // Demoted, and the sentinel still names it: the write that meets -READONLY fails, and no write
                // after it reaches the replica (ROLE refuses it at every reconnect).
                onFirst.replicaof(second.host(), second.port());
                List<String> errors = new ArrayList<>();
                int sent = 0;
                for (long end = System.nanoTime() + 300_000_000L; System.nanoTime() - end < 0; sent++) {
                    try {
                        client.set("k", "lost-" + sent);
                    } catch (JedisDataException e) {
                        errors.add(e.getMessage());
                    }
                    LockSupport.parkNanos(2_000_000); // pacing
                }
                assertEquals(sent, errors.size(), "every write failed: " + errors);
                assertTrue(errors.getFirst().startsWith("READONLY"), errors.getFirst());
                assertTrue(errors.stream().skip(1).noneMatch(e -> e.startsWith("READONLY")), "only the first write"
                        + " reached the replica: " + errors.stream().distinct().toList());
                assertTrue(errors.stream().anyMatch(e -> e.contains("is not a master (ROLE says slave)")),
                        errors.stream().distinct().toList().toString());

                // The sentinel names the new master: the next attempt asks it and goes there.
                onSecond.set("k", "on-second");
                named.set(second);
                epoch.set(2L);
                long switched = System.nanoTime();
                Awaitility.await("writes reach the new master").atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(10)).ignoreExceptions()
                        .until(() -> "OK".equals(client.set("k", "after")));
                long tookMs = (System.nanoTime() - switched) / 1_000_000;
                assertEquals("after", onSecond.get("k"));
                assertTrue(tookMs < Sentinels.REFRESH_EVERY.toMillis(), "found in " + tookMs + " ms, by the reconnect"
                        + " path rather than the periodic refresh");
                System.out.printf("demoted master: writes found the new master %d ms after the sentinel named it%n",
                        tookMs);
            }
        }
    }

    /** A sentinel that knows one master, {@code m}, at {@code master}'s address with config epoch {@code epoch}. */
    private static Step answer(RespCommand command, RedisServer master, long epoch) {
        return switch (command.name()) {
            case "sentinel" -> command.argString(1).equalsIgnoreCase("get-master-addr-by-name")
                    ? Step.reply(array(master.host(), Integer.toString(master.port())))
                    : Step.reply(array("name", "m", "config-epoch", Long.toString(epoch), "flags", "master"));
            case "subscribe" -> Step.reply("*3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n");
            case "ping" -> Step.reply(array("pong", ""));
            default -> Step.reply("-ERR unknown command\r\n");
        };
    }

    private static String array(String... items) {
        StringBuilder out = new StringBuilder("*").append(items.length).append("\r\n");
        for (String item : items) {
            out.append('$').append(item.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(item)
                    .append("\r\n");
        }
        return out.toString();
    }
}
