package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.harness.ScriptedBackend;
import io.rproxy.harness.ScriptedBackend.Step;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * Issue 12 item 1: a deadline that expires while the reader still has replies buffered must not shift replies onto
 * the wrong requests. Eight clients each pipeline GETs of their own keys (value {@code val-<key>}) while the server
 * stalls for about the pool's timeout; every reply must be the request's own value or an error.
 *
 * <p>{@code -Drproxy.alignment.cycles=N} runs N cycles per test (the reproduction is 60 on a real server).
 */
class TimeoutAlignmentIT {
    private static final int CLIENTS = 8;
    private static final int DEPTH = 1000;
    private static final int TIMEOUT_MS = 100;
    private static final int CYCLES = Integer.getInteger("rproxy.alignment.cycles", 100);
    /** Bounds each test's run time on a loaded machine: cycles stop early once it is spent. */
    private static final ProtocolCommand DEBUG = () -> "DEBUG".getBytes(StandardCharsets.US_ASCII);
    private static final Duration BUDGET = Duration.ofSeconds(Integer.getInteger("rproxy.alignment.seconds", 12));

    @Test
    void aServerThatStallsForTheTimeoutNeverGetsARequestAnotherKeysValue() throws Exception {
        try (RedisServer server = RedisServer.start("--enable-debug-command", "yes");
             RunningProxy proxy = RunningProxy.startPool("timeout = " + TIMEOUT_MS, server);
             Jedis direct = server.jedis(Duration.ofSeconds(10))) {
            load(direct);
            Outcome outcome = run(proxy.port(), () -> direct.sendCommand(DEBUG, "SLEEP", "0.1"));
            System.out.println("real server, timeout " + TIMEOUT_MS + " ms: " + outcome);
            assertEquals(0, outcome.wrong.get(), outcome.toString());
            assertTrue(outcome.right.get() > 0, "some replies got through: " + outcome);
        }
    }

    @Test
    void aDeepPipelineAnsweredInOneBurstAtTheDeadlineNeverGetsAnotherKeysValue() throws Exception {
        try (ScriptedBackend fake = ScriptedBackend.start(new BurstAtTheDeadline());
             RunningProxy proxy = RunningProxy.start(RunningProxy.poolToml(RunningProxy.POOL, FreePorts.pick(),
                     "timeout = " + TIMEOUT_MS, List.of("\"" + fake.address() + ":1 fake\"")))) {
            Outcome outcome = run(proxy.port(), () -> { });
            System.out.println("scripted backend, timeout " + TIMEOUT_MS + " ms: " + outcome);
            assertEquals(0, outcome.wrong.get(), outcome.toString());
            assertTrue(outcome.right.get() > 0, "some replies got through: " + outcome);
        }
    }

    /**
     * Holds the replies to each {@value #DEPTH} GETs of a connection and sends them in one write when the first of
     * them reaches its deadline: the reader is handing out a buffer full of replies just as the timer fires.
     * State per connection: the fake serves each on its own thread, and a new connection starts afresh.
     */
    private static final class BurstAtTheDeadline implements ScriptedBackend.Script {
        private final ThreadLocal<StringBuilder> held = ThreadLocal.withInitial(StringBuilder::new);
        private final ThreadLocal<long[]> firstHeldAt = ThreadLocal.withInitial(() -> new long[1]);
        private final ThreadLocal<int[]> count = ThreadLocal.withInitial(() -> new int[1]);

        @Override
        public Step next(RespCommand command) {
            if (!command.name().equals("get")) {
                return ScriptedBackend.likeRedis(command);
            }
            StringBuilder replies = held.get();
            if (replies.isEmpty()) {
                firstHeldAt.get()[0] = System.nanoTime();
            }
            String value = "val-" + new String(command.arg(1), StandardCharsets.UTF_8);
            replies.append('$').append(value.length()).append("\r\n").append(value).append("\r\n");
            if (++count.get()[0] % DEPTH != 0) {
                return new Step(new byte[0], Duration.ZERO, false);
            }
            // Around the deadline, from a little before to just after, so some bursts beat the timer.
            long offsetMs = ThreadLocalRandom.current().nextLong(-10, 3);
            long waitNanos = firstHeldAt.get()[0] + Duration.ofMillis(TIMEOUT_MS + offsetMs).toNanos()
                    - System.nanoTime();
            String burst = replies.toString();
            replies.setLength(0);
            return Step.delayed(Duration.ofNanos(Math.max(1, waitNanos)), burst);
        }
    }

    private static void load(Jedis direct) {
        Pipeline pipeline = direct.pipelined();
        for (int c = 0; c < CLIENTS; c++) {
            for (int k = 0; k < DEPTH; k++) {
                pipeline.set(key(c, k), "val-" + key(c, k));
            }
        }
        pipeline.sync();
    }

    private static String key(int client, int k) {
        return "c" + client + ":" + k;
    }

    /** Replies counted over all cycles. */
    private record Outcome(AtomicLong right, AtomicLong wrong, AtomicLong errors, AtomicLong cycles) {
        Outcome() {
            this(new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong());
        }

        @Override
        public String toString() {
            return cycles + " cycles: " + right + " right, " + wrong + " wrong, " + errors + " errors";
        }
    }

    private static Outcome run(int port, Runnable stall) throws Exception {
        Outcome outcome = new Outcome();
        long deadline = System.nanoTime() + BUDGET.toNanos();
        try (ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1)) {
            for (int cycle = 0; cycle < CYCLES && System.nanoTime() < deadline; cycle++) {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    running.add(pool.submit(() -> pipelineGets(port, client, outcome)));
                }
                running.add(pool.submit(stall));
                for (Future<?> f : running) {
                    f.get();
                }
                outcome.cycles.incrementAndGet();
            }
        }
        return outcome;
    }

    private static void pipelineGets(int port, int client, Outcome outcome) {
        List<List<String>> gets = new ArrayList<>(DEPTH);
        for (int k = 0; k < DEPTH; k++) {
            gets.add(List.of("GET", key(client, k)));
        }
        try (RawClient raw = new RawClient(port)) {
            List<Reply> replies = raw.pipeline(gets);
            for (int k = 0; k < DEPTH; k++) {
                Reply reply = replies.get(k);
                if (reply.isError()) {
                    outcome.errors.incrementAndGet();
                } else if (reply.equals(Reply.bulk(("val-" + key(client, k)).getBytes(StandardCharsets.UTF_8)))) {
                    outcome.right.incrementAndGet();
                } else {
                    outcome.wrong.incrementAndGet();
                }
            }
        }
    }
}
