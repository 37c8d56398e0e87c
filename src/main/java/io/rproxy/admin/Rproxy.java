package io.rproxy.admin;

import io.rproxy.RproxyException;
import io.rproxy.Version;
import io.rproxy.admin.Snapshot.LoadedConfig;
import io.rproxy.admin.Snapshot.PoolSample;
import io.rproxy.config.ProxyConfig;
import io.rproxy.proxy.Proxy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
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

/**
 * A whole running rproxy: the {@link Proxy} (pools, clients, backends) and what reports on it, the admin port,
 * the optional twemproxy stats port and the optional Prometheus endpoint. {@code rproxy run} starts one; so do
 * integration tests. The reload issue will keep the staged configuration here and swap the proxy's pools.
 *
 * <p>{@link #start} binds every address (pools first, then the admin side) before anything is served, so a
 * configuration with a taken port fails with nothing bound.
 */
public final class Rproxy {
    private final Proxy proxy;
    private final Clock clock;
    private final Instant startedAt;
    private final LoadedConfig active;
    private final String hostName;
    private final List<Runnable> stoppers = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private Listener admin;
    private Listener statsPort;
    private MetricsEndpoint metrics;

    private Rproxy(Proxy proxy, Clock clock) {
        this.proxy = proxy;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.active = new LoadedConfig(proxy.config(), startedAt);
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
            rproxy.bindAdminSide(config);
        } catch (IOException e) {
            rproxy.stoppers.forEach(Runnable::run);
            proxy.stop(Duration.ZERO);
            throw new RproxyException(e.getMessage(), e);
        }
        proxy.accept();
        rproxy.admin.start();
        if (rproxy.statsPort != null) {
            rproxy.statsPort.start();
        }
        if (rproxy.metrics != null) {
            rproxy.metrics.start();
        }
        return rproxy;
    }

    private void bindAdminSide(ProxyConfig config) throws IOException {
        AdminCommands commands = AdminCommands.standard();
        admin = new Listener("admin", "admin port", config.admin().listen(),
                socket -> new AdminSession(socket, commands, config.admin().password(), this).run());
        stoppers.add(admin::stop);
        if (config.admin().statsListen().isPresent()) {
            statsPort = new Listener("stats", "stats port", config.admin().statsListen().get(), this::sendStats);
            stoppers.add(statsPort::stop);
        }
        if (config.metrics().listen().isPresent()) {
            metrics = new MetricsEndpoint(config.metrics().listen().get(), this::snapshot);
            stoppers.add(metrics::stop);
        }
    }

    /** twemproxy's stats port: the document and a newline, then the connection closes. */
    private void sendStats(java.net.Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((TwemproxyStats.render(snapshot()) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public Proxy proxy() {
        return proxy;
    }

    public ProxyConfig activeConfig() {
        return active.config();
    }

    /** The configuration loaded for the next reload; always empty until the reload issue adds LOAD. */
    public Optional<ProxyConfig> stagedConfig() {
        return Optional.empty();
    }

    /** The admin port's bound port. */
    public int adminPort() {
        return admin.port();
    }

    /** The twemproxy stats port, when {@code [admin] stats_listen} is set. */
    public OptionalInt statsPort() {
        return statsPort == null ? OptionalInt.empty() : OptionalInt.of(statsPort.port());
    }

    /** The metrics endpoint's port, when {@code [metrics] listen} is set. */
    public OptionalInt metricsPort() {
        return metrics == null ? OptionalInt.empty() : OptionalInt.of(metrics.port());
    }

    /** What STATUS, STATS and /metrics report, as of now. */
    public Snapshot snapshot() {
        return new Snapshot(Version.current(), hostName, startedAt, clock.instant(), active, null,
                proxy.pools().stream().map(PoolSample::of).toList());
    }

    /** Stops the proxy as {@link Proxy#stop} does, then the admin port, stats port and metrics endpoint. */
    public void stop(Duration grace) {
        if (!stopping.compareAndSet(false, true)) {
            try {
                awaitStop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        proxy.stop(grace);
        stoppers.forEach(Runnable::run);
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
