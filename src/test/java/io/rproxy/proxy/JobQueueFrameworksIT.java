package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rproxy.admin.RespClient;
import io.rproxy.harness.Harness;
import io.rproxy.harness.ProcessRegistry;
import io.rproxy.harness.ProxiedServers;
import io.rproxy.harness.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;

/**
 * Job-queue frameworks packaged by Debian, end to end through rproxy (issue 14): RQ 1.13 ({@code python3-rq}),
 * Celery 5.2 with the redis broker and result backend ({@code celery}) and Sidekiq 6.4 ({@code ruby-sidekiq} with
 * {@code ruby-redis-namespace}). A producer process enqueues {@value #JOBS} jobs and a worker process runs them;
 * every job must run exactly once (each notes itself in a file) and give its result through the framework. Each
 * runs against redis-server directly (the reference), through a pool of one server, and through a pool of three
 * servers with {@code hash_tag = "{}"} and the framework's key prefix set to a hash tag; RQ has no prefix option,
 * so over three servers its first transaction is refused with -CROSSSLOT, as README says.
 *
 * <p>The scripts are in {@code src/test/resources/frameworks/}, copied to a folder of their own per test. A
 * framework that is not installed skips its tests, saying what to install (test-harness/test installs them).
 * Every process a test starts is ended after it, its children first.
 */
class JobQueueFrameworksIT {
    private static final int JOBS = 40;
    /** The most any one process (a producer, a worker) may take. */
    private static final Duration STEP = Duration.ofSeconds(30);
    /** Debian's python, the one its python3-rq and python3-celery are installed for (not a pyenv on PATH). */
    private static final String PYTHON = "/usr/bin/python3";
    private static final String RUBY = "/usr/bin/ruby";
    private static final String CELERY_PREFIX = "{celery}:";
    private static final String SIDEKIQ_PREFIX = "{sidekiq}";
    private static final Map<String, String> MISSING = new ConcurrentHashMap<>();

    /** Where the framework's clients connect. */
    enum Through { DIRECT, ONE_SERVER, THREE_SERVERS }

    private static RedisServer direct;
    private static ProxiedServers one;
    private static ProxiedServers three;

    private Path dir;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void start() {
        direct = RedisServer.start();
        one = ProxiedServers.start(1, "timeout = 5000");
        three = ProxiedServers.start(3, "hash_tag = \"{}\"\ntimeout = 5000");
    }

    @AfterAll
    static void stop() {
        try {
            Stream.of(one, three).filter(p -> p != null).forEach(ProxiedServers::close);
        } finally {
            if (direct != null) {
                direct.close();
            }
        }
    }

    @BeforeEach
    void emptyServersAndAFolder() throws IOException {
        direct.flushAll();
        one.flushAll();
        three.flushAll();
        dir = Files.createTempDirectory(Harness.dir(), "frameworks-");
        for (String script : List.of("rq_tasks.py", "rq_jobs.py", "celery_app.py", "celery_jobs.py",
                "sidekiq_app.rb", "sidekiq_jobs.rb")) {
            try (InputStream in = JobQueueFrameworksIT.class.getResourceAsStream("/frameworks/" + script)) {
                Files.copy(in, dir.resolve(script));
            }
        }
    }

    @AfterEach
    void endEveryProcess() throws InterruptedException {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly); // RQ's work horse, Celery's pool
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "RQ {0}")
    @EnumSource(names = {"DIRECT", "ONE_SERVER"})
    void rq(Through through) {
        assumeInstalled("RQ", "python3-rq", PYTHON, "-c", "import rq");
        // Not --burst: started before the jobs are there, the worker waits in BLPOP as a real one does; --max-jobs
        // ends it after the last. The scheduler takes its locks too.
        Process worker = start("rq-worker", through, "", PYTHON, "/usr/bin/rq", "worker", "--max-jobs",
                String.valueOf(JOBS), "--with-scheduler", "--name", "rp-worker", "--url", url(through),
                "--path", here());
        awaitSuccess(start("rq-enqueue", through, "", PYTHON, script("rq_jobs.py"), "enqueue"));
        awaitSuccess(worker);
        String check = awaitSuccess(start("rq-check", through, "", PYTHON, script("rq_jobs.py"), "check"));
        assertTrue(check.contains("checked " + JOBS + " bad 0"), check);
        eachJobRanOnce("RQ", through);
        proxyRefusedNothing(through);
    }

    /** RQ's keys are fixed (rq:queue:default, rq:job:ID, rq:queues, ...): over three servers they fall apart. */
    @Test
    void rqHasNoKeyPrefixSoAPoolOfThreeRefusesItsFirstTransaction() {
        assumeInstalled("RQ", "python3-rq", PYTHON, "-c", "import rq");
        Process enqueue = start("rq-enqueue", Through.THREE_SERVERS, "", PYTHON, script("rq_jobs.py"), "enqueue");
        String output = awaitExit(enqueue);
        assertNotEquals(0, enqueue.exitValue(), output);
        assertTrue(output.contains("CROSSSLOT Keys in request don't hash to the same server"), output);
        for (RedisServer server : three.redis()) {
            try (Jedis jedis = server.jedis()) {
                assertEquals(0, jedis.dbSize(), "nothing of the refused transaction ran on " + server);
            }
        }
    }

    @ParameterizedTest(name = "Celery {0}")
    @EnumSource(Through.class)
    void celery(Through through) {
        assumeInstalled("Celery", "celery", PYTHON, "-c", "import celery, kombu.transport.redis");
        String prefix = through == Through.THREE_SERVERS ? CELERY_PREFIX : "";
        Process worker = start("celery-worker", through, prefix, PYTHON, "-m", "celery", "-A", "celery_app",
                "--workdir", here(), "worker", "-c", "2", "-n", "rp@localhost", "-l", "info");
        // The producer waits for every result, pings the worker and tells it to shut down.
        String output = awaitSuccess(start("celery-jobs", through, prefix, PYTHON, script("celery_jobs.py")));
        assertTrue(output.contains("checked " + JOBS + " bad 0"), output);
        assertTrue(output.contains("'ok': 'pong'"), output);
        awaitSuccess(worker);
        eachJobRanOnce("Celery", through);
        proxyRefusedNothing(through);
        if (through == Through.THREE_SERVERS) {
            // The result backend has no prefix in Celery 5.2: each result is one key (and a channel of its name).
            onOneServer(CELERY_PREFIX, key -> key.startsWith("celery-task-meta-"));
        }
    }

    @ParameterizedTest(name = "Sidekiq {0}")
    @EnumSource(Through.class)
    void sidekiq(Through through) {
        assumeInstalled("Sidekiq", "ruby-sidekiq ruby-redis-namespace", RUBY, "-e",
                "require 'sidekiq'; require 'redis/namespace'");
        String prefix = through == Through.THREE_SERVERS ? SIDEKIQ_PREFIX : "";
        Process worker = start("sidekiq-worker", through, prefix, "/usr/bin/sidekiq", "-r", script("sidekiq_app.rb"),
                "-c", "2", "-t", "1", "-g", here()); // -g: the tag Sidekiq puts in the process title it sets
        String output = awaitSuccess(start("sidekiq-jobs", through, prefix, RUBY, script("sidekiq_jobs.rb")));
        assertTrue(output.contains("checked " + JOBS + " bad 0"), output);
        worker.destroy(); // SIGTERM: Sidekiq's own shutdown (its heartbeat's keys go)
        awaitSuccess(worker);
        eachJobRanOnce("Sidekiq", through);
        proxyRefusedNothing(through);
        if (through == Through.THREE_SERVERS) {
            onOneServer(SIDEKIQ_PREFIX + ":", key -> false);
        }
    }

    private static int port(Through through) {
        return switch (through) {
            case DIRECT -> direct.port();
            case ONE_SERVER -> one.proxy().port();
            case THREE_SERVERS -> three.proxy().port();
        };
    }

    private static String url(Through through) {
        return "redis://127.0.0.1:" + port(through) + "/0";
    }

    /** Skips the test unless {@code probe} (loading the framework) succeeds; checked once per framework. */
    private static void assumeInstalled(String framework, String packages, String... probe) {
        String missing = MISSING.computeIfAbsent(framework, f -> {
            if (!Files.isExecutable(Path.of(probe[0]))) {
                return probe[0] + " is missing";
            }
            try {
                Process process = new ProcessBuilder(probe).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0 ? "" : output.strip();
            } catch (IOException e) {
                return e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return e.toString();
            }
        });
        Assumptions.assumeTrue(missing.isEmpty(), framework + " is not installed (" + missing + "): apt-get install "
                + packages + ", or run test-harness/test, which installs it");
    }

    /**
     * The test's folder. Every process names it (or a script in it) on its command line, as the harness's servers
     * name theirs, so that test-harness/test can find one that a killed test JVM left behind.
     */
    private String here() {
        return dir.toString();
    }

    private String script(String name) {
        return dir.resolve(name).toString();
    }

    /** Starts a process in the test's folder, its output in {@code <name>.log} there. */
    private Process start(String name, Through through, String prefix, String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().putAll(Map.of("RP_PORT", String.valueOf(port(through)), "RP_PREFIX", prefix,
                "RP_JOBS", String.valueOf(JOBS), "RP_DONE_LOG", dir.resolve("done.log").toString(),
                "PYTHONDONTWRITEBYTECODE", "1"));
        Process process = ProcessRegistry.global().start(builder, dir.resolve(name + ".log"));
        started.add(process);
        return process;
    }

    /** Waits for the process to end (at most {@link #STEP}) and returns the test's logs. */
    private String awaitExit(Process process) {
        try {
            if (!process.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)) {
                fail(String.join(" ", process.info().commandLine().orElse("a process")) + " did not end within "
                        + STEP.toSeconds() + " s; its output: " + logs());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        return logs();
    }

    private String awaitSuccess(Process process) {
        String output = awaitExit(process);
        assertEquals(0, process.exitValue(), "exit code; output:\n" + output);
        return output;
    }

    /** Every log of the test's folder (the tail of each), for a failure's message. */
    private String logs() {
        try (Stream<Path> logs = Files.list(dir)) {
            StringBuilder all = new StringBuilder();
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                String text = Files.readString(log);
                all.append("--- ").append(log.getFileName()).append(":\n")
                        .append(text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text);
            }
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every job wrote "i i*i time" once; prints the rate from the first job's start to the last's. */
    private void eachJobRanOnce(String framework, Through through) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve("done.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<Integer, Integer> runs = new TreeMap<>();
        double first = Double.MAX_VALUE;
        double last = 0;
        for (String line : lines) {
            String[] fields = line.split(" ");
            int job = Integer.parseInt(fields[0]);
            assertEquals((long) job * job, Long.parseLong(fields[1]), line);
            runs.merge(job, 1, Integer::sum);
            double at = Double.parseDouble(fields[2]);
            first = Math.min(first, at);
            last = Math.max(last, at);
        }
        assertEquals(JOBS, runs.size(), "jobs that ran: " + runs.keySet());
        assertTrue(runs.values().stream().allMatch(n -> n == 1), "runs of each job: " + runs);
        System.out.printf("%s %s: %d jobs, first to last in %.3f s (%.0f jobs/s)%n", framework, through, JOBS,
                last - first, (JOBS - 1) / (last - first));
    }

    /** Through rproxy, no command was refused and none failed to reach its server. */
    private static void proxyRefusedNothing(Through through) {
        if (through == Through.DIRECT) {
            return;
        }
        ProxiedServers proxied = through == Through.ONE_SERVER ? one : three;
        try (RespClient admin = new RespClient(proxied.proxy().adminPort())) {
            String status = admin.text("STATUS");
            assertTrue(status.contains("\"refused_commands\":{}"), status);
            assertTrue(status.contains("\"forward_errors\":0"), status);
        }
    }

    /**
     * The keys under {@code prefix} are all on one server of the pool of three, and every other key is one that
     * {@code elsewhere} allows (a key of its own, which may be anywhere).
     */
    private static void onOneServer(String prefix, Predicate<String> elsewhere) {
        List<String> holding = new ArrayList<>();
        for (RedisServer server : three.redis()) {
            try (Jedis jedis = server.jedis()) {
                Set<String> keys = jedis.keys("*");
                keys.stream().filter(k -> !k.startsWith(prefix)).forEach(k -> assertTrue(elsewhere.test(k),
                        "a key not under " + prefix + ": " + k));
                if (keys.stream().anyMatch(k -> k.startsWith(prefix))) {
                    holding.add(server.address());
                }
            }
        }
        assertEquals(1, holding.size(), "servers holding " + prefix + " keys: " + holding);
    }
}
