package io.rproxy.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Client traffic through a proxy port while a test does something to the proxy (a reload): several client
 * threads, some sending one command at a time, some pipelining, each writing keys of its own. Every reply is
 * counted and checked; whatever is not the expected reply (an error, a reply out of order, a dropped connection)
 * is recorded. Each acknowledged write is remembered, so the test can check afterwards that the servers hold it.
 *
 * <p>A write is {@code APPEND} to a fresh key with a value whose length cycles through 1..16, so its reply (the
 * length) tells which request it answers even when a reload moves the key to a server that never saw the
 * client's earlier requests: replies out of order show up as wrong lengths. With {@code readBack}, each write is
 * followed by a GET that must see the value; that only holds while the keys stay on the same servers.
 *
 * <p>Each client keeps one connection for its whole run, so a reload that closed it would show as an error.
 */
public final class TrafficRunner implements AutoCloseable {
    private static final int PIPELINE = 16;
    private static final int MAX_RECORDED_ERRORS = 20;
    private static final AtomicLong RUNS = new AtomicLong();

    private final String prefix = "traffic:" + ProcessHandle.current().pid() + ":" + RUNS.incrementAndGet() + ":";
    private final int port;
    private final boolean readBack;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong errorCount = new AtomicLong();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Map<String, String> written = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    private TrafficRunner(int port, boolean readBack) {
        this.port = port;
        this.readBack = readBack;
    }

    /**
     * Starts {@code plain} clients that wait for each reply and {@code pipelined} ones that send 16 writes at a
     * time; with {@code readBack} each write is followed by a GET of its key.
     */
    public static TrafficRunner start(int port, int plain, int pipelined, boolean readBack) {
        TrafficRunner runner = new TrafficRunner(port, readBack);
        for (int i = 0; i < plain + pipelined; i++) {
            boolean pipelining = i >= plain;
            String client = runner.prefix + i + ":";
            Thread thread = Thread.ofPlatform().daemon().name("traffic-" + i)
                    .start(() -> runner.run(client, pipelining));
            runner.threads.add(thread);
        }
        return runner;
    }

    private void run(String client, boolean pipelining) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            long n = 0;
            while (running) {
                n = pipelining ? pipelined(jedis, client, n) : plain(jedis, client, n);
            }
        } catch (RuntimeException e) {
            error(client + ": " + e);
        }
    }

    /** The n-th value: 1 to 16 characters, so that neighbouring writes have different reply lengths. */
    private static String value(long n) {
        return "abcdefghijklmnop".substring(0, (int) (n % 16) + 1);
    }

    private long plain(Jedis jedis, String client, long n) {
        String key = client + n;
        check(key, value(n), jedis.append(key, value(n)), readBack ? jedis.get(key) : null);
        return n + 1;
    }

    private long pipelined(Jedis jedis, String client, long n) {
        Pipeline pipeline = jedis.pipelined();
        List<Response<Long>> writes = new ArrayList<>();
        List<Response<String>> reads = new ArrayList<>();
        for (int i = 0; i < PIPELINE; i++) {
            String key = client + (n + i);
            writes.add(pipeline.append(key, value(n + i)));
            if (readBack) {
                reads.add(pipeline.get(key));
            }
        }
        pipeline.sync();
        for (int i = 0; i < PIPELINE; i++) {
            check(client + (n + i), value(n + i), writes.get(i).get(), readBack ? reads.get(i).get() : null);
        }
        return n + PIPELINE;
    }

    /**
     * An APPEND to a fresh key answers the value's length; the GET behind it (with readBack) must see the value.
     * Anything else is an error.
     */
    private void check(String key, String value, Long appended, String read) {
        replies.addAndGet(readBack ? 2 : 1);
        if (appended == null || appended != value.length()) {
            error(key + ": APPEND answered " + appended + ", expected " + value.length());
            return;
        }
        written.put(key, value);
        if (readBack && !value.equals(read)) {
            error(key + ": GET answered " + read + ", expected " + value);
        }
    }

    private void error(String what) {
        errorCount.incrementAndGet();
        if (errors.size() < MAX_RECORDED_ERRORS) {
            errors.add(what);
        }
    }

    /** Replies received and checked so far. */
    public long replies() {
        return replies.get();
    }

    public long errorCount() {
        return errorCount.get();
    }

    /** The first few errors, for a failure message. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Stops every client after its current round and waits for them. */
    public void stop() {
        running = false;
        for (Thread thread : threads) {
            try {
                if (!thread.join(Duration.ofSeconds(30))) {
                    error(thread.getName() + " did not stop within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Writes that were acknowledged, key to value. */
    public Map<String, String> acknowledgedWrites() {
        return Map.copyOf(written);
    }

    /**
     * The acknowledged writes that none of {@code servers} holds with the value written (read directly, not
     * through the proxy): empty when every acknowledged write landed.
     */
    public List<String> missingFrom(RedisServer... servers) {
        List<String> keys = new ArrayList<>(written.keySet());
        boolean[] found = new boolean[keys.size()];
        for (RedisServer server : servers) {
            try (Jedis jedis = server.jedis(Duration.ofSeconds(10))) {
                Pipeline pipeline = jedis.pipelined();
                List<Response<String>> values = new ArrayList<>(keys.size());
                keys.forEach(k -> values.add(pipeline.get(k)));
                pipeline.sync();
                for (int i = 0; i < keys.size(); i++) {
                    found[i] |= written.get(keys.get(i)).equals(values.get(i).get());
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (!found[i]) {
                missing.add(keys.get(i));
            }
        }
        return missing;
    }

    /** A one-line account for assertion messages. */
    public String summary() {
        return replies() + " replies, " + errorCount() + " errors " + errors();
    }

    @Override
    public void close() {
        stop();
    }
}
