package io.rproxy.admin;

import io.rproxy.admin.Snapshot.PoolSample;
import io.rproxy.admin.Snapshot.ServerSample;
import io.rproxy.backend.ServerState;
import java.time.Instant;

/**
 * The STATS document: nutcracker's stats-port JSON, field for field and in its order, so that dashboards and
 * exporters written for twemproxy read rproxy unchanged. Top level: service, source, version, uptime,
 * timestamp, total_connections, curr_connections, then one object per pool, holding one object per server
 * keyed by the server's name.
 *
 * <p>Where rproxy counts differently: total_connections counts client connections accepted and curr_connections
 * the client and server connections open now (nutcracker counts its own listening sockets too);
 * in_queue_bytes and out_queue_bytes are not tracked and are 0; server_ejected_at is the time of the current
 * ejection in microseconds since the epoch, 0 while the server is in the distribution.
 */
final class TwemproxyStats {
    private TwemproxyStats() {
    }

    static String render(Snapshot snapshot) {
        long accepted = snapshot.pools().stream().mapToLong(p -> p.stats().clientsAccepted()).sum();
        long current = snapshot.pools().stream()
                .mapToLong(p -> p.stats().clientConnections() + p.serverConnections()).sum();
        JsonWriter w = new JsonWriter().beginObject()
                .field("service", "rproxy")
                .field("source", snapshot.source())
                .field("version", snapshot.version())
                .field("uptime", snapshot.uptime().toSeconds())
                .field("timestamp", snapshot.now().getEpochSecond())
                .field("total_connections", accepted)
                .field("curr_connections", current);
        for (PoolSample pool : snapshot.pools()) {
            w.name(pool.name()).beginObject()
                    .field("client_eof", pool.stats().clientEof())
                    .field("client_err", pool.stats().clientErr())
                    .field("client_connections", pool.stats().clientConnections())
                    .field("server_ejects", pool.ejections())
                    .field("forward_error", pool.forwardErrors())
                    .field("fragments", pool.stats().fragments());
            for (ServerSample server : pool.servers()) {
                server(w, pool, server);
            }
            w.endObject();
        }
        return w.endObject().toString();
    }

    private static void server(JsonWriter w, PoolSample pool, ServerSample server) {
        var stats = server.stats();
        w.name(server.name()).beginObject()
                .field("server_eof", stats.eof())
                .field("server_err", stats.connectionErrors())
                .field("server_timedout", stats.timeouts())
                .field("server_connections", stats.openConnections())
                .field("server_ejected_at", ejectedAtMicros(pool, server))
                .field("requests", stats.requests())
                .field("request_bytes", stats.requestBytes())
                .field("responses", stats.responses())
                .field("response_bytes", stats.responseBytes())
                .field("in_queue", stats.queued())
                .field("in_queue_bytes", 0)
                .field("out_queue", stats.inFlight())
                .field("out_queue_bytes", 0)
                .endObject();
    }

    /** When the current ejection began: its end minus the pool's retry timeout. */
    private static long ejectedAtMicros(PoolSample pool, ServerSample server) {
        if (server.status().state() != ServerState.EJECTED || server.status().ejectedUntil().isEmpty()) {
            return 0;
        }
        Instant at = server.status().ejectedUntil().get().minus(pool.config().serverRetryTimeout());
        return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
    }
}
