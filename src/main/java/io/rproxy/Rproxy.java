package io.rproxy;

import io.rproxy.admin.AdminEndpoints;
import io.rproxy.admin.ProxyControl;
import io.rproxy.admin.Snapshot;
import io.rproxy.admin.Snapshot.LoadedConfig;
import io.rproxy.admin.Snapshot.PoolSample;
import io.rproxy.config.ConfigLoader;
import io.rproxy.config.ProxyConfig;
import io.rproxy.proxy.Pool;
import io.rproxy.proxy.Proxy;
import io.rproxy.proxy.StagedPools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.random.RandomGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: a whole running rproxy, and the one owner of its start, stop and reload. It holds the
 * {@link Proxy} (pools, clients, backends) and the admin side that reports on it (the admin port, the optional
 * twemproxy stats port and Prometheus endpoint), which reaches back only through {@link ProxyControl}.
 * {@code rproxy run} starts one; so do integration tests.
 *
 * <p>{@link #start} binds every address (pools first, then the admin side) before anything is served, so a
 * configuration with a taken port fails with nothing bound.
 *
 * <p>It also holds the configuration staged for the next reload: {@link #load} parses a file, binds every new
 * address and connects preconnect pools beside the running configuration; {@link #commit} makes it the active
 * one, {@link #cancel} releases everything it took. One lock serialises these transitions; the data path never
 * takes it, nor do the reports: they read one {@link Published} record that each transition replaces whole. No
 * I/O that may be slow happens under it: a file is read and parsed before, and a staging binds and connects
 * after taking its turn (see {@link #stage}), so a slow file or server holds up neither stop nor CANCEL.
 */
public final class Rproxy implements ProxyControl {
    private static final Logger log = LoggerFactory.getLogger(Rproxy.class);

    private final Proxy proxy;
    private final Clock clock;
    private final Instant startedAt;
    private final String hostName;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** Guards load, commit, cancel and stop, and the fields below that they write. */
    private final ReentrantLock reloadLock = new ReentrantLock();
    /** Written under the reload lock; read without it by reports, admin connections and tests. */
    private volatile Published published;
    private Staged staged;
    /** Whether a LOAD or RELOAD is binding and connecting its configuration now, outside the lock. */
    private boolean staging;
    /** Written under the reload lock; read without it for the bound ports. */
    private volatile AdminEndpoints endpoints;
    /** Closes admin and stats listeners replaced by a reload, and their last connections: run by {@link #stop}. */
    private final List<Runnable> retired = new ArrayList<>();

    /**
     * The active configuration with the pools that serve it, and the staged one (null when none is): what STATUS,
     * STATS and /metrics report, in one record so that a report never pairs one generation's configuration with
     * another's servers, and never waits for a transition in progress.
     */
    private record Published(LoadedConfig active, List<Pool> pools, LoadedConfig staged) {
    }

    /** A loaded, not yet committed configuration and what it bound. */
    private record Staged(LoadedConfig loaded, StagedPools pools, AdminEndpoints endpoints) {
    }

    private Rproxy(Proxy proxy, Clock clock) {
        this.proxy = proxy;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.published = new Published(new LoadedConfig(proxy.config(), startedAt), proxy.pools(), null);
        this.hostName = hostName();
    }

    public static Rproxy start(ProxyConfig config) {
        return start(config, Clock.systemUTC(), null);
    }

    /**
     * @param clock  what uptime, ejection times and the reports' times are read from
     * @param random what the random distribution draws from; null for a ThreadLocalRandom per client thread
     * @throws RproxyException naming the address when one cannot be bound; nothing stays bound then
     */
    public static Rproxy start(ProxyConfig config, Clock clock, RandomGenerator random) {
        Proxy proxy = Proxy.bind(config, clock, random);
        Rproxy rproxy = new Rproxy(proxy, clock);
        try {
            rproxy.endpoints = AdminEndpoints.bind(config, null, rproxy);
        } catch (IOException e) {
            proxy.stop(Duration.ZERO);
            throw new RproxyException(e.getMessage(), e);
        }
        proxy.accept();
        rproxy.endpoints.startAllBut(null);
        return rproxy;
    }

    /**
     * Stages the configuration in {@code file}: parses and validates it, binds every address the running proxy
     * does not already listen on for the same purpose, and connects the pools that ask for preconnect. Traffic
     * carries on meanwhile: nothing running is touched, and the reload lock is not held while the file is read
     * or the servers are connected, so that neither holds up stop or the other admin commands.
     *
     * @return what was staged, as one line
     * @throws RproxyException (a ConfigException for a bad file) with the reason; nothing stays bound then
     */
    @Override
    public String load(Path file) {
        return stageFile(file, "staged", next -> {
            staged = next;
            publish(published.active());
        });
    }

    /**
     * Reads, parses and stages {@code file} (see {@link #stage}), then ends the staging turn and hands what was
     * staged to {@code step} under the reload lock, unless rproxy began stopping meanwhile.
     *
     * @return {@code verb}, what was staged and how long it all took, as one line (also logged)
     */
    private String stageFile(Path file, String verb, Consumer<Staged> step) {
        long begin = System.nanoTime();
        ProxyConfig config = loadKeepingEndpoints(file);
        Staged next = stage(config);
        reloadLock.lock();
        try {
            staging = false;
            refuseWhenStopping(next);
            step.accept(next);
        } finally {
            reloadLock.unlock();
        }
        String done = verb + " " + describe(next.loaded()) + " in " + millisSince(begin) + " ms";
        log.info("{}", done);
        return done;
    }

    /**
     * Makes the staged configuration the active one.
     *
     * @return what is active now, as one line
     * @throws RproxyException when nothing is staged
     */
    @Override
    public String commit() {
        reloadLock.lock();
        try {
            Staged next = staged;
            if (next == null) {
                throw new RproxyException("no configuration is staged; LOAD one first");
            }
            commit(next);
            String done = "committed " + describe(next.loaded());
            log.info("{}", done);
            return done;
        } finally {
            reloadLock.unlock();
        }
    }

    /**
     * Discards the staged configuration and releases every port and connection it took.
     *
     * @throws RproxyException when nothing is staged
     */
    @Override
    public String cancel() {
        reloadLock.lock();
        try {
            Staged discarded = staged;
            if (discarded == null) {
                throw new RproxyException("no configuration is staged; there is nothing to cancel");
            }
            release(discarded);
            String done = "cancelled " + describe(discarded.loaded());
            log.info("{}", done);
            return done;
        } finally {
            reloadLock.unlock();
        }
    }

    /**
     * Load and commit in one step (also what SIGHUP does with the file rproxy was started with).
     *
     * @throws RproxyException with the reason when the file cannot be staged; the active config is untouched
     */
    @Override
    public String reload(Path file) {
        return stageFile(file, "reloaded", this::commit);
    }

    /**
     * Takes the one staging turn under the reload lock, then binds and preconnects without it: connecting to a
     * slow server (a handshake bounded only by the pool's timeout, per connection; a cluster's seeds) must hold up
     * neither stop nor CANCEL. No commit can run meanwhile (nothing is staged), so the running listeners and
     * endpoints it compares with stay as they are. The caller ends the turn ({@link #staging}) under the lock.
     */
    private Staged stage(ProxyConfig config) {
        reloadLock.lock();
        try {
            if (stopping.get()) {
                throw new RproxyException("rproxy is stopping");
            }
            if (staged != null) {
                throw new RproxyException("a configuration is staged already (" + describe(staged.loaded())
                        + "); COMMIT or CANCEL it first");
            }
            if (staging) {
                throw new RproxyException("another LOAD or RELOAD is staging a configuration; try again when it "
                        + "has answered");
            }
            staging = true;
        } finally {
            reloadLock.unlock();
        }
        try {
            return bindAndConnect(config);
        } catch (RuntimeException e) {
            reloadLock.lock();
            try {
                staging = false;
            } finally {
                reloadLock.unlock();
            }
            throw e;
        }
    }

    private Staged bindAndConnect(ProxyConfig config) {
        StagedPools pools = proxy.stage(config);
        AdminEndpoints nextEndpoints;
        try {
            nextEndpoints = AdminEndpoints.bind(config, endpoints, this);
        } catch (IOException e) {
            proxy.cancel(pools);
            throw new RproxyException(e.getMessage(), e);
        }
        try {
            pools.preconnect();
        } catch (RuntimeException e) { // a stop closed the backends meanwhile
            proxy.cancel(pools);
            nextEndpoints.stopAllBut(endpoints);
            throw e;
        }
        return new Staged(new LoadedConfig(config, clock.instant()), pools, nextEndpoints);
    }

    /** Caller holds the reload lock: a stop that came during the staging left what it bound to be released here. */
    private void refuseWhenStopping(Staged next) {
        if (stopping.get()) {
            discard(next);
            throw new RproxyException("rproxy is stopping");
        }
    }

    /** Caller holds the reload lock. */
    private void commit(Staged next) {
        AdminEndpoints previous = endpoints;
        proxy.commit(next.pools());
        next.endpoints().startAllBut(previous);
        endpoints = next.endpoints();
        staged = null;
        publish(next.loaded());
        // Last: the admin connection that sent COMMIT may be on a retired port; it still gets its reply.
        retired.addAll(previous.retireAllBut(next.endpoints()));
    }

    /** Caller holds the reload lock. */
    private void release(Staged discarded) {
        discard(discarded);
        staged = null;
        publish(published.active());
    }

    /** Releases what a staging bound and connected, keeping the endpoints that the running ones share with it. */
    private void discard(Staged discarded) {
        proxy.cancel(discarded.pools());
        discarded.endpoints().stopAllBut(endpoints);
    }

    /**
     * Reads {@code file}; a nutcracker.yml has no admin, stats, metrics or limits settings, so those in force stay
     * (e.g. the stats port given to {@code rproxy nutcracker -s}). Runs outside the reload lock, as the read does.
     */
    private ProxyConfig loadKeepingEndpoints(Path file) {
        return ConfigLoader.load(file).keepingEndpointsOf(activeConfig());
    }

    /** Caller holds the reload lock; the proxy's pools serve {@code active} now. */
    private void publish(LoadedConfig active) {
        published = new Published(active, proxy.pools(), staged == null ? null : staged.loaded());
    }

    private static String describe(LoadedConfig loaded) {
        return loaded.config().source() + " (sha256 " + loaded.sha256().substring(0, 12) + ")";
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    public Proxy proxy() {
        return proxy;
    }

    @Override
    public ProxyConfig activeConfig() {
        return published.active().config();
    }

    /** The configuration loaded for the next reload, if one is staged. */
    @Override
    public Optional<ProxyConfig> stagedConfig() {
        LoadedConfig now = published.staged();
        return now == null ? Optional.empty() : Optional.of(now.config());
    }

    /** The admin port's bound port. */
    public int adminPort() {
        return endpoints.adminPort();
    }

    /** The twemproxy stats port, when {@code [admin] stats_listen} is set. */
    public OptionalInt statsPort() {
        return endpoints.statsPort();
    }

    /** The metrics endpoint's port, when {@code [metrics] listen} is set. */
    public OptionalInt metricsPort() {
        return endpoints.metricsPort();
    }

    /**
     * What STATUS, STATS and /metrics report, as of now: the configuration and pools that the last transition
     * published. A commit in progress is not waited for (it may wait on other threads itself: a removed pool's
     * acceptor); until it publishes, reports show the configuration it replaces.
     */
    @Override
    public Snapshot snapshot() {
        Published now = published;
        List<PoolSample> pools = now.pools().stream().map(PoolSample::of).toList();
        return new Snapshot(Version.current(), hostName, startedAt, clock.instant(), now.active(), now.staged(),
                pools);
    }

    /**
     * Stops the proxy as {@link Proxy#stop} does, then the admin port, stats port and metrics endpoint; a staged
     * configuration is released first. A LOAD or RELOAD still binding or connecting is not waited for: it releases
     * what it took when it finds rproxy stopping.
     */
    public void stop(Duration grace) {
        if (!stopping.compareAndSet(false, true)) {
            try {
                awaitStop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        reloadLock.lock();
        try {
            if (staged != null) {
                release(staged);
            }
            proxy.stop(grace);
            endpoints.stopAllBut(null);
            retired.forEach(Runnable::run);
        } finally {
            reloadLock.unlock();
        }
        stopped.countDown();
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
