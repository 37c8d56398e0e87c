package io.rproxy.admin;

import io.rproxy.admin.Snapshot.PoolSample;
import io.rproxy.admin.Snapshot.ServerSample;
import io.rproxy.proxy.LatencyHistogram;
import java.util.List;

/**
 * The /metrics document in Prometheus's text exposition format (version 0.0.4): every pool and server metric of
 * {@link Metric} with its HELP and TYPE lines, each pool's request latency histogram, rproxy's version and
 * uptime, the open descriptors and their limit. Label values are escaped as the format requires (backslash, double quote, newline).
 */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String LATENCY = "rproxy_request_duration_seconds";

    private PrometheusText() {
    }

    static String render(Snapshot snapshot) {
        StringBuilder out = new StringBuilder(4096);
        header(out, "rproxy_build_info", "gauge", "Always 1; the version label says which rproxy runs.");
        out.append("rproxy_build_info{version=\"").append(escape(snapshot.version())).append("\"} 1\n");
        header(out, "rproxy_uptime_seconds", "gauge", "Seconds since rproxy started.");
        out.append("rproxy_uptime_seconds ").append(snapshot.uptime().toSeconds()).append('\n');
        openFiles(out, snapshot.openFiles());
        List<PoolSample> pools = snapshot.pools();
        for (Metric<PoolSample> metric : Metric.POOL) {
            String name = metric.prometheusName("rproxy_pool_");
            header(out, name, metric.kind().prometheusType(), metric.help());
            for (PoolSample pool : pools) {
                out.append(name).append("{pool=\"").append(escape(pool.name())).append("\"} ")
                        .append(metric.of(pool)).append('\n');
            }
        }
        refused(out, pools);
        for (Metric<ServerSample> metric : Metric.SERVER) {
            String name = metric.prometheusName("rproxy_server_");
            header(out, name, metric.kind().prometheusType(), metric.help());
            for (PoolSample pool : pools) {
                for (ServerSample server : pool.servers()) {
                    out.append(name).append("{pool=\"").append(escape(pool.name()))
                            .append("\",server=\"").append(escape(server.name())).append("\"} ")
                            .append(metric.of(server)).append('\n');
                }
            }
        }
        sentinels(out, pools);
        latency(out, pools);
        return out.toString();
    }

    /** Sentinel pools: each sentinel's state, and each master's switches (failovers rproxy followed). */
    private static void sentinels(StringBuilder out, List<PoolSample> pools) {
        String up = "rproxy_sentinel_up";
        header(out, up, "gauge",
                "1 when rproxy is subscribed to the sentinel and it answered when last asked, else 0.");
        for (PoolSample pool : pools) {
            if (pool.sentinel() != null) {
                pool.sentinel().sentinels().forEach(s -> out.append(up).append("{pool=\"").append(escape(pool.name()))
                        .append("\",sentinel=\"").append(escape(s.address().toString())).append("\"} ")
                        .append(s.up() ? 1 : 0).append('\n'));
            }
        }
        String switches = "rproxy_sentinel_master_switches_total";
        header(out, switches, "counter",
                "Times rproxy moved a Sentinel-managed master to a new address (a failover).");
        for (PoolSample pool : pools) {
            if (pool.sentinel() != null) {
                pool.sentinel().masters().forEach(m -> out.append(switches).append("{pool=\"")
                        .append(escape(pool.name())).append("\",server=\"").append(escape(m.identity()))
                        .append("\",master=\"").append(escape(m.name())).append("\"} ").append(m.switches())
                        .append('\n'));
            }
        }
    }

    private static void refused(StringBuilder out, List<PoolSample> pools) {
        String name = "rproxy_pool_refused_commands_total";
        header(out, name, "counter", "Commands refused by rproxy, by command name (subcommands as 'client|kill').");
        for (PoolSample pool : pools) {
            pool.stats().refusedByCommand().forEach((command, count) -> out.append(name).append("{pool=\"")
                    .append(escape(pool.name())).append("\",command=\"").append(escape(command)).append("\"} ")
                    .append(count).append('\n'));
        }
    }

    /** Under the names Prometheus's own client libraries give them, so that existing dashboards find them. */
    private static void openFiles(StringBuilder out, OpenFiles files) {
        if (files.open() >= 0) {
            header(out, "process_open_fds", "gauge", "File descriptors the process has open.");
            out.append("process_open_fds ").append(files.open()).append('\n');
        }
        if (files.limit() >= 0) {
            header(out, "process_max_fds", "gauge", "The most file descriptors the process may open.");
            out.append("process_max_fds ").append(files.limit()).append('\n');
        }
    }

    private static void latency(StringBuilder out, List<PoolSample> pools) {
        header(out, LATENCY, "histogram",
                "Time from reading a client's command to its reply being ready to write, per pool.");
        for (PoolSample pool : pools) {
            String label = "pool=\"" + escape(pool.name()) + "\"";
            LatencyHistogram.Snapshot h = pool.stats().latency();
            double[] bounds = LatencyHistogram.BOUNDS_SECONDS;
            for (int i = 0; i < bounds.length; i++) {
                out.append(LATENCY).append("_bucket{").append(label).append(",le=\"").append(plain(bounds[i]))
                        .append("\"} ").append(h.cumulative()[i]).append('\n');
            }
            out.append(LATENCY).append("_bucket{").append(label).append(",le=\"+Inf\"} ").append(h.count())
                    .append('\n');
            out.append(LATENCY).append("_sum{").append(label).append("} ").append(h.sumSeconds()).append('\n');
            out.append(LATENCY).append("_count{").append(label).append("} ").append(h.count()).append('\n');
        }
    }

    /** A bucket bound as people write it: 0.0001, 1, 2.5 (Double.toString would give 1.0E-4 and 1.0). */
    private static String plain(double bound) {
        return java.math.BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ')
                .append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
