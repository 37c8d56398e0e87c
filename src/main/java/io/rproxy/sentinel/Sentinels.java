package io.rproxy.sentinel;

import io.rproxy.RproxyException;
import io.rproxy.backend.AddressSource;
import io.rproxy.backend.BackendServer;
import io.rproxy.backend.BackendSettings;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.SentinelConfig;
import io.rproxy.config.ServerSpec;
import io.rproxy.resp.RespCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sentinels of one Sentinel pool and the masters they name. Built with the pool (at start and LOAD), it asks
 * every sentinel where each master is and fails the configuration when no sentinel answers or one that answers
 * does not know a master; then {@link #follow} starts one subscriber thread per sentinel (failover messages are
 * followed at once: {@code +selected-slave} fences the master, {@code +promoted-slave} and {@code +switch-master}
 * move it) and the {@code sentinel-<pool>} thread, which asks every sentinel again every {@link #REFRESH_EVERY}
 * (and soon after a sentinel subscribes again), in case a message was missed. Each master's server also asks before
 * every attempt to reach it. One sentinel down is tolerated: the others are asked and followed.
 *
 * <p>Built on the thread that stages the pool; its own threads follow and refresh; the admin port reads
 * {@link #status}.
 */
public final class Sentinels implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sentinels.class);
    /** How often every sentinel is asked again, besides the messages; also the subscriptions' keep-alive PING. */
    public static final Duration REFRESH_EVERY = Duration.ofSeconds(5);
    /** Refreshes asked for by reconnecting sentinels are at most this often. */
    private static final long MIN_REFRESH_GAP_NANOS = Duration.ofMillis(200).toNanos();

    private final String pool;
    private final Duration askWithin;
    private final ThreadFactory askThreads;
    private final List<SentinelLink> links = new ArrayList<>();
    /** By master name, in configuration order. */
    private final Map<String, SentinelMaster> masters = new LinkedHashMap<>();
    /** Guards refreshAsked and closed for the refresher's wait. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean refreshAsked;
    private volatile boolean closed;
    private volatile long lastRefreshNanos = System.nanoTime() - MIN_REFRESH_GAP_NANOS;

    /** An answer per master from one sentinel, or null answers when it could not be asked. */
    record Polled(SentinelLink sentinel, Map<String, SentinelAnswer> answers) {
    }

    private Sentinels(PoolConfig config, SentinelConfig sentinel, BackendSettings poolSettings) {
        this.pool = config.name();
        this.askWithin = poolSettings.connectTimeout();
        this.askThreads = Thread.ofVirtual().name("sentinel-" + pool + "-ask-", 0).factory();
        BackendSettings settings = poolSettings.forNode(sentinel.password());
        sentinel.sentinels().forEach(address -> links.add(new SentinelLink(this, address, settings)));
    }

    /**
     * Asks the sentinels where every master of {@code config} is. Nothing runs yet: {@link #follow} starts it.
     *
     * @throws RproxyException naming every sentinel when none answered, or the sentinels that do not know a master
     */
    public static Sentinels resolve(PoolConfig config, BackendSettings poolSettings) {
        SentinelConfig sentinel = config.sentinel().orElseThrow(() -> new IllegalArgumentException(
                "pool '" + config.name() + "' has no sentinels"));
        Sentinels sentinels = new Sentinels(config, sentinel, poolSettings);
        List<String> names = sentinel.masters().stream().map(SentinelConfig.Master::name).toList();
        List<Polled> polled = sentinels.ask(names);
        List<String> problems = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        for (Polled p : polled) {
            if (p.answers() == null) {
                unreachable.add(p.sentinel().status().lastError());
                continue;
            }
            p.answers().values().stream().filter(a -> !a.known())
                    .forEach(a -> problems.add("sentinel " + p.sentinel().address() + " " + a.problem()));
        }
        if (unreachable.size() == polled.size()) {
            throw new RproxyException("pool '" + config.name() + "': no sentinel answered: "
                    + String.join("; ", unreachable));
        }
        if (!problems.isEmpty()) {
            throw new RproxyException("pool '" + config.name() + "': " + String.join("; ", problems));
        }
        for (SentinelConfig.Master master : sentinel.masters()) {
            sentinels.masters.put(master.name(), new SentinelMaster(sentinels, master, best(polled, master.name())));
        }
        return sentinels;
    }

    String name() {
        return pool;
    }

    /** The masters at the addresses the sentinels gave, in configuration order, named as their keys are placed. */
    public List<ServerSpec> specs() {
        return masters.values().stream().map(m -> m.config().at(m.current())).toList();
    }

    /** What each master's server asks before every attempt to reach it, in the order of {@link #specs}. */
    public List<AddressSource> sources() {
        return List.copyOf(masters.values());
    }

    /**
     * Starts following: {@code servers} are the masters' servers in the order of {@link #specs}, moved from now on
     * as the sentinels say.
     */
    public void follow(List<BackendServer> servers) {
        List<SentinelMaster> ordered = List.copyOf(masters.values());
        for (int i = 0; i < ordered.size(); i++) {
            ordered.get(i).follow(servers.get(i));
        }
        links.forEach(SentinelLink::start);
        Thread.ofVirtual().name("sentinel-" + pool).start(this::refreshLoop);
    }

    /** What STATUS shows: each sentinel's state, each master's address now. */
    public SentinelStatus status() {
        return new SentinelStatus(links.stream().map(SentinelLink::status).toList(),
                masters.values().stream().map(SentinelMaster::status).toList());
    }

    /**
     * Asks every sentinel about {@code names} at once, each on a thread of its own, within the pool's connect
     * timeout: a sentinel that does not answer in time counts as down and delays nobody.
     */
    List<Polled> ask(List<String> names) {
        List<RespCommand> questions = names.stream().flatMap(n -> SentinelAnswer.questions(n).stream()).toList();
        List<Callable<Map<String, SentinelAnswer>>> tasks = new ArrayList<>();
        links.forEach(link -> tasks.add(() -> link.ask(names, questions)));
        List<Polled> polled = new ArrayList<>(links.size());
        ExecutorService executor = Executors.newThreadPerTaskExecutor(askThreads);
        try {
            List<Future<Map<String, SentinelAnswer>>> futures = executor.invokeAll(tasks, askWithin.toNanos(),
                    TimeUnit.NANOSECONDS);
            for (int i = 0; i < links.size(); i++) {
                polled.add(new Polled(links.get(i), answers(links.get(i), futures.get(i))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            links.forEach(link -> polled.add(new Polled(link, null)));
        } finally {
            executor.shutdownNow();
        }
        return polled;
    }

    private Map<String, SentinelAnswer> answers(SentinelLink link, Future<Map<String, SentinelAnswer>> future) {
        if (future.isCancelled()) {
            link.failed("sentinel " + link.address() + " did not answer within " + askWithin.toMillis() + " ms",
                    link.status().up());
            return null;
        }
        try {
            return future.get();
        } catch (ExecutionException | InterruptedException e) {
            link.failed("asking sentinel " + link.address() + " failed: " + e, true);
            return null;
        }
    }

    /** The known answer about {@code master} with the highest config epoch (the first of equals); null for none. */
    static SentinelAnswer best(List<Polled> polled, String master) {
        SentinelAnswer best = null;
        for (Polled p : polled) {
            SentinelAnswer answer = p.answers() == null ? null : p.answers().get(master);
            if (answer != null && answer.known() && (best == null || answer.epoch() > best.epoch())) {
                best = answer;
            }
        }
        return best;
    }

    private static boolean failingOver(List<Polled> polled, String master) {
        return polled.stream().anyMatch(p -> p.answers() != null && p.answers().get(master) != null
                && p.answers().get(master).failingOver());
    }

    /** A sentinel's subscriber thread: one failover message, about one of this pool's masters or another's. */
    void onEvent(SentinelLink from, SentinelEvent event) {
        SentinelMaster master = masters.get(event.master());
        if (master == null) {
            return; // the sentinels monitor masters of other pools too
        }
        log.info("pool '{}': sentinel {}: {} master '{}' {}", pool, from.address(), event.kind(), event.master(),
                event.address());
        switch (event.kind()) {
            case SELECTED -> master.selected(event.address(), from.address().toString());
            case PROMOTED, SWITCHED -> master.switched(event.address(), "sentinel " + from.address()
                    + " names " + event.address() + " master '" + event.master() + "'");
            case ABORTED -> master.aborted("sentinel " + from.address() + " called the failover of master '"
                    + event.master() + "' off");
        }
    }

    /** Asks the refresher for a refresh now, unless one ran a moment ago. */
    void refreshSoon() {
        if (System.nanoTime() - lastRefreshNanos < MIN_REFRESH_GAP_NANOS) {
            return;
        }
        lock.lock();
        try {
            refreshAsked = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The {@code sentinel-<pool>} thread: refreshes every REFRESH_EVERY, or when asked, until closed. */
    private void refreshLoop() {
        while (awaitRefresh()) {
            try {
                refresh();
            } catch (RuntimeException e) { // the refresher's catch ladder: it must keep refreshing
                log.error("pool '{}': refreshing from the sentinels failed in {}", pool,
                        Thread.currentThread().getName(), e);
            }
        }
    }

    /** Waits for the next refresh; false once closed. */
    private boolean awaitRefresh() {
        lock.lock();
        try {
            long left = REFRESH_EVERY.toNanos();
            while (!closed && !refreshAsked && left > 0) {
                left = wake.awaitNanos(left);
            }
            refreshAsked = false;
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void refresh() {
        long askedAt = System.nanoTime();
        lastRefreshNanos = askedAt;
        List<String> names = List.copyOf(masters.keySet());
        List<Polled> polled = ask(names);
        if (closed) {
            return;
        }
        for (SentinelMaster master : masters.values()) {
            master.refreshed(best(polled, master.name()), failingOver(polled, master.name()), askedAt);
        }
        links.forEach(SentinelLink::ping);
    }

    /** Stops following: the subscriber connections close and the refresher ends. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
        links.forEach(SentinelLink::close);
    }
}
