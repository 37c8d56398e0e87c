package io.rproxy.admin;

import com.sun.management.UnixOperatingSystemMXBean;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.ProxyConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Optional;

/**
 * The process's file descriptors, read when asked: how many are open and the limit in effect (RLIMIT_NOFILE as
 * the JVM runs with it). Every client, backend connection and listener takes one; at the limit, accepts fail
 * (see {@link io.rproxy.proxy.AcceptBackoff}). Immutable; read by the admin threads and at start.
 *
 * @param open  descriptors open now; -1 when unknown (not Unix, or at the limit itself: counting them takes one)
 * @param limit the most the process may open; -1 when unknown
 */
public record OpenFiles(long open, long limit) {
    /** What the JVM and rproxy's own listeners take, besides clients and backends (about 20 at start, measured). */
    static final int OWN = 64;
    /** Clients the limit should leave room for, beyond backends and {@link #OWN}, before the start warns. */
    static final int CLIENT_HEADROOM = 1024;

    public static OpenFiles now() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            return new OpenFiles(openCount(unix), unix.getMaxFileDescriptorCount());
        }
        return new OpenFiles(-1, -1);
    }

    /**
     * The JDK counts the entries of /proc/self/fd, which takes a descriptor: at the limit itself it throws
     * InternalError ("errno: 24 ... Unable to open directory"), which is exactly when STATUS is wanted.
     */
    private static long openCount(UnixOperatingSystemMXBean unix) {
        try {
            return unix.getOpenFileDescriptorCount();
        } catch (InternalError e) {
            return -1;
        }
    }

    /**
     * The backend connections {@code config} opens at most: server_connections per server (a cluster pool's seeds
     * stand in for its masters, which are known only once it runs).
     */
    static long backendConnections(ProxyConfig config) {
        long sum = 0;
        for (PoolConfig pool : config.pools().values()) {
            int servers = pool.sentinel().map(s -> s.masters().size()).orElse(pool.servers().size());
            sum += (long) pool.serverConnections() * servers;
            sum += pool.sentinel().map(s -> s.sentinels().size()).orElse(0); // a subscription to each sentinel
        }
        return sum;
    }

    /** For the start-up log: a warning when the limit leaves room for few clients under {@code config}. */
    public Optional<String> warning(ProxyConfig config) {
        long backends = backendConnections(config);
        long clients = limit - backends - OWN;
        if (limit < 0 || clients >= CLIENT_HEADROOM) {
            return Optional.empty();
        }
        return Optional.of("the open-files limit " + limit + " is low for this configuration: its servers take up to "
                + backends + " connection(s) and rproxy itself about " + OWN + " descriptors, which leaves room for "
                + Math.max(0, clients) + " client(s); at the limit accepts fail until clients leave "
                + "(raise it with ulimit -n, or LimitNOFILE= in a systemd unit)");
    }
}
