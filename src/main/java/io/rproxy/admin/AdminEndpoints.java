package io.rproxy.admin;

import io.rproxy.config.HostPort;
import io.rproxy.config.ProxyConfig;
import io.rproxy.config.TlsConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The admin side of one configuration: the admin port, and the twemproxy stats port and Prometheus endpoint when
 * configured. Built by binding, so a taken address fails before anything is served. A reload builds the next
 * configuration's endpoints reusing every one whose address did not change; only new addresses are bound, at
 * LOAD, and they start at COMMIT. Touched under the composition root's reload lock (or before the proxy serves).
 */
public final class AdminEndpoints {
    private static final AdminCommands COMMANDS = AdminCommands.standard();

    private final HostPort adminAddress;
    private final Optional<HostPort> statsAddress;
    private final Optional<HostPort> metricsAddress;
    private Listener admin;
    private Listener stats;
    private MetricsEndpoint metrics;

    /** What the endpoints serve: each admin connection, each stats connection, and the metrics snapshot. */
    private record Handlers(Listener.Handler admin, Listener.Handler stats, Supplier<Snapshot> snapshots) {
        static Handlers of(ProxyControl proxy) {
            return new Handlers(
                    socket -> new AdminSession(socket, COMMANDS, proxy.activeConfig().admin().password(), proxy).run(),
                    socket -> sendStats(socket, proxy), proxy::snapshot);
        }
    }

    /** twemproxy's stats port: the document and a newline, then the connection closes. */
    private static void sendStats(Socket socket, ProxyControl proxy) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((TwemproxyStats.render(proxy.snapshot()) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private AdminEndpoints(ProxyConfig config) {
        this.adminAddress = config.admin().listen();
        this.statsAddress = config.admin().statsListen();
        this.metricsAddress = config.metrics().listen();
    }

    /**
     * Binds what {@code config} asks for, taking over from {@code running} (null at start) every endpoint whose
     * address is unchanged.
     *
     * @throws IOException naming the endpoint and address that cannot be bound; what was bound is released
     */
    public static AdminEndpoints bind(ProxyConfig config, AdminEndpoints running, ProxyControl proxy)
            throws IOException {
        Handlers handlers = Handlers.of(proxy);
        AdminEndpoints next = new AdminEndpoints(config);
        try {
            next.admin = running != null && running.adminAddress.equals(next.adminAddress) ? running.admin
                    : new Listener("admin", "admin port", next.adminAddress,
                            () -> proxy.activeConfig().admin().tls().map(TlsConfig::context), handlers.admin());
            if (next.statsAddress.isPresent()) {
                next.stats = running != null && running.statsAddress.equals(next.statsAddress) ? running.stats
                        : new Listener("stats", "stats port", next.statsAddress.get(), handlers.stats());
            }
            if (next.metricsAddress.isPresent()) {
                next.metrics = running != null && running.metricsAddress.equals(next.metricsAddress)
                        ? running.metrics : new MetricsEndpoint(next.metricsAddress.get(), handlers.snapshots());
            }
        } catch (IOException e) {
            next.stopAllBut(running);
            throw e;
        }
        return next;
    }

    public int adminPort() {
        return admin.port();
    }

    /** The twemproxy stats port, when {@code [admin] stats_listen} is set. */
    public OptionalInt statsPort() {
        return stats == null ? OptionalInt.empty() : OptionalInt.of(stats.port());
    }

    /** The metrics endpoint's port, when {@code [metrics] listen} is set. */
    public OptionalInt metricsPort() {
        return metrics == null ? OptionalInt.empty() : OptionalInt.of(metrics.port());
    }

    /** Starts every endpoint that {@code previous} (null at start) did not already run. */
    public void startAllBut(AdminEndpoints previous) {
        if (previous == null || admin != previous.admin) {
            admin.start();
        }
        if (stats != null && (previous == null || stats != previous.stats)) {
            stats.start();
        }
        if (metrics != null && (previous == null || metrics != previous.metrics)) {
            metrics.start();
        }
    }

    /**
     * After a commit to {@code next}: stops accepting on every endpoint {@code next} does not reuse. Connections
     * still open on a replaced admin or stats port finish the command they are running, then end.
     *
     * @return what closes the retired listeners and their last connections, for when the proxy stops
     */
    public List<Runnable> retireAllBut(AdminEndpoints next) {
        List<Runnable> retired = new ArrayList<>();
        if (admin != next.admin) {
            admin.retire();
            retired.add(admin::stop);
        }
        if (stats != null && stats != next.stats) {
            stats.retire();
            retired.add(stats::stop);
        }
        if (metrics != null && metrics != next.metrics) {
            metrics.stop();
        }
        return retired;
    }

    /** Closes every endpoint and its connections, except those {@code keep} (may be null) also holds. */
    public void stopAllBut(AdminEndpoints keep) {
        if (admin != null && (keep == null || admin != keep.admin)) {
            admin.stop();
        }
        if (stats != null && (keep == null || stats != keep.stats)) {
            stats.stop();
        }
        if (metrics != null && (keep == null || metrics != keep.metrics)) {
            metrics.stop();
        }
    }
}
