package io.rproxy.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a STATUS document (parsed JSON) for people: a header with version, uptime and configurations, then per
 * pool a line of settings and a table of its servers. Columns are sized to their contents.
 */
final class StatusTable {
    private static final String[] SERVER_COLUMNS = {"SERVER", "ADDRESS", "WEIGHT", "STATE", "REQUESTS",
        "RESPONSES", "ERRORS", "TIMEOUTS", "EJECTIONS", "IN-FLIGHT", "CONNS", "REQ-BYTES", "RESP-BYTES"};
    private static final String[] SERVER_FIELDS = {"name", "address", "weight", "state", "requests",
        "responses", "errors", "timeouts", "ejections", "in_flight", "connections", "request_bytes",
        "response_bytes"};
    /** A Sentinel pool's servers are masters: their Sentinel name and how often they moved come after the name. */
    private static final String[] MASTER_COLUMNS = {"SERVER", "MASTER", "ADDRESS", "WEIGHT", "STATE", "SWITCHES",
        "REQUESTS", "RESPONSES", "ERRORS", "TIMEOUTS", "IN-FLIGHT", "CONNS", "REQ-BYTES", "RESP-BYTES"};
    private static final String[] MASTER_FIELDS = {"name", "master", "address", "weight", "state", "switches",
        "requests", "responses", "errors", "timeouts", "in_flight", "connections", "request_bytes", "response_bytes"};

    private StatusTable() {
    }

    static String render(Map<String, Object> status) {
        StringBuilder out = new StringBuilder();
        out.append("rproxy ").append(status.get("version")).append(", up ").append(uptime(status.get("uptime_s")))
                .append(" (since ").append(status.get("started_at")).append(")");
        if (status.get("open_files_limit") != null) {
            out.append(", open files ").append(status.get("open_files") == null ? "?" : status.get("open_files"))
                    .append(" of ").append(status.get("open_files_limit"));
        }
        out.append('\n');
        Map<String, Object> active = map(status.get("active"));
        out.append("active config: ").append(describe(active)).append('\n');
        Map<String, Object> staged = map(status.get("staged"));
        out.append("staged config: ").append(staged == null ? "none" : describe(staged)
                + ", pools " + String.join(", ", map(staged.get("pools")).keySet())).append('\n');
        for (Map.Entry<String, Object> pool : map(active.get("pools")).entrySet()) {
            out.append('\n');
            pool(out, pool.getKey(), map(pool.getValue()));
        }
        return out.toString();
    }

    private static String describe(Map<String, Object> config) {
        String sha = String.valueOf(config.get("sha256"));
        return config.get("source") + " (sha256 " + sha.substring(0, Math.min(12, sha.length())) + ", loaded "
                + config.get("loaded_at") + ")";
    }

    private static void pool(StringBuilder out, String name, Map<String, Object> pool) {
        out.append("pool ").append(name)
                .append("  listen ").append(pool.get("listen"))
                .append("  ").append(Boolean.TRUE.equals(pool.get("cluster")) ? "redis-cluster"
                        : (pool.get("sentinels") != null ? "sentinel " : "") + pool.get("hash") + "/"
                        + pool.get("distribution"));
        if (pool.get("hash_tag") != null) {
            out.append("  hash_tag ").append(pool.get("hash_tag"));
        }
        out.append("  timeout ").append(pool.get("timeout_ms") == null ? "none" : pool.get("timeout_ms") + " ms")
                .append("  clients ").append(pool.get("client_connections"))
                .append("  forward errors ").append(pool.get("forward_errors"))
                .append("  fragments ").append(pool.get("fragments"));
        if (pool.get("accept_errors") instanceof Number n && n.longValue() > 0) {
            out.append("  accept errors ").append(n);
        }
        out.append('\n');
        boolean sentinel = pool.get("sentinels") instanceof List<?>;
        if (sentinel) {
            sentinels(out, (List<?>) pool.get("sentinels"));
        }
        String[] columns = sentinel ? MASTER_COLUMNS : SERVER_COLUMNS;
        String[] names = sentinel ? MASTER_FIELDS : SERVER_FIELDS;
        List<String[]> rows = new ArrayList<>();
        rows.add(columns);
        for (Object server : (List<?>) pool.getOrDefault("servers", List.of())) {
            Map<String, Object> fields = map(server);
            String[] row = new String[names.length];
            for (int i = 0; i < row.length; i++) {
                row[i] = names[i].equals("state") ? state(fields) : String.valueOf(fields.get(names[i]));
            }
            rows.add(row);
        }
        table(out, rows);
    }

    /** {@code   sentinels 10.0.0.1:26379 up, 10.0.0.2:26379 down (connection refused)} */
    private static void sentinels(StringBuilder out, List<?> sentinels) {
        List<String> states = new ArrayList<>();
        for (Object sentinel : sentinels) {
            Map<String, Object> fields = map(sentinel);
            String state = fields.get("address") + " " + fields.get("state");
            if ("down".equals(fields.get("state")) && fields.get("last_error") != null) {
                state += " (" + fields.get("last_error") + ")";
            }
            states.add(state);
        }
        out.append("  sentinels ").append(String.join(", ", states)).append('\n');
    }

    private static String state(Map<String, Object> server) {
        Object until = server.get("ejected_until");
        return until == null ? String.valueOf(server.get("state")) : server.get("state") + " until " + until;
    }

    private static void table(StringBuilder out, List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String uptime(Object seconds) {
        long s = seconds instanceof Number n ? n.longValue() : 0;
        return String.format("%dd %02d:%02d:%02d", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }
}
