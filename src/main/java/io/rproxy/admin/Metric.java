package io.rproxy.admin;

import io.rproxy.admin.Snapshot.PoolSample;
import io.rproxy.admin.Snapshot.ServerSample;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The counters and gauges of pools and servers, as one declarative list (STYLE habit 12): STATUS writes each
 * under {@code name}, /metrics as {@code rproxy_pool_<name>} or {@code rproxy_server_<name>} (counters with
 * {@code _total}) with {@code help} as its HELP line. twemproxy's STATS names differ, so it maps them itself
 * ({@link TwemproxyStats}).
 *
 * @param <T> a {@link PoolSample} or a {@link ServerSample}
 */
record Metric<T>(String name, Kind kind, String help, ToLongFunction<T> value) {
    enum Kind {
        COUNTER, GAUGE;

        String prometheusType() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final List<Metric<PoolSample>> POOL = List.of(
            gauge("client_connections", "Clients connected now.", p -> p.stats().clientConnections()),
            counter("clients_accepted", "Client connections accepted.", p -> p.stats().clientsAccepted()),
            counter("clients_rejected", "Clients closed on accept: the pool had client_connections clients already.",
                    p -> p.stats().clientsRejected()),
            counter("client_eof", "Clients that closed their connection.", p -> p.stats().clientEof()),
            counter("client_errors", "Client connections that failed, or were closed for a malformed request.",
                    p -> p.stats().clientErr()),
            counter("forward_errors", "Requests that no server answered: no live server, or its connection failed.",
                    PoolSample::forwardErrors),
            counter("fragments", "Requests made by splitting multi-key commands over several servers.",
                    p -> p.stats().fragments()),
            counter("accept_errors", "Accepts of the pool's listener that failed, e.g. at the open-files limit; "
                    + "the listener pauses (up to 1 s) while they do.", p -> p.stats().acceptErrors()),
            counter("client_output_buffer_limit_disconnections", "Clients disconnected for leaving more replies"
                    + " unread than client_output_buffer_limit.", p -> p.stats().outputLimitDisconnections()),
            counter("evicted_clients", "Clients disconnected because all clients' unread replies passed"
                    + " maxmemory_clients; each held the most.", p -> p.stats().evictedClients()),
            counter("tls_handshake_failures", "Clients of a TLS pool closed before their TLS handshake completed: it"
                    + " failed (plain text, a refused certificate), took too long, or the client left.",
                    p -> p.stats().tlsHandshakeFailures()));

    static final List<Metric<ServerSample>> SERVER = List.of(
            gauge("up", "1 when the server is up (in the distribution and reachable), else 0.",
                    s -> s.up() ? 1 : 0),
            counter("requests", "Requests sent to the server.", s -> s.stats().requests()),
            counter("request_bytes", "Bytes of requests sent to the server.", s -> s.stats().requestBytes()),
            counter("responses", "Replies received from the server.", s -> s.stats().responses()),
            counter("response_bytes", "Bytes of replies received from the server.", s -> s.stats().responseBytes()),
            counter("errors", "Requests failed by rproxy because the server could not be reached or its connection "
                    + "failed.", s -> s.stats().errors()),
            counter("timeouts", "Requests that timed out waiting for the server.", s -> s.stats().timeouts()),
            counter("ejections", "Times the server was ejected from the distribution.", s -> s.stats().ejections()),
            counter("eof", "Connections the server closed.", s -> s.stats().eof()),
            counter("connection_errors", "Connections closed on an error: I/O, protocol, timeout, refused connect.",
                    s -> s.stats().connectionErrors()),
            gauge("connections", "Connections open to the server, shared and dedicated.",
                    s -> s.stats().openConnections()),
            gauge("dedicated_connections", "Dedicated connections (transactions, WATCH, blocking commands) leased by"
                    + " clients now; at most the pool's max_dedicated_connections.", s -> s.stats().dedicatedInUse()),
            gauge("queued", "Requests queued for the server and not yet written.", s -> s.stats().queued()),
            gauge("in_flight", "Requests written to the server and awaiting a reply.", s -> s.stats().inFlight()));

    private static <T> Metric<T> counter(String name, String help, ToLongFunction<T> value) {
        return new Metric<>(name, Kind.COUNTER, help, value);
    }

    private static <T> Metric<T> gauge(String name, String help, ToLongFunction<T> value) {
        return new Metric<>(name, Kind.GAUGE, help, value);
    }

    long of(T sample) {
        return value.applyAsLong(sample);
    }

    /** The metric's name on /metrics, given its family prefix ({@code rproxy_pool_}, {@code rproxy_server_}). */
    String prometheusName(String prefix) {
        return prefix + name + (kind == Kind.COUNTER ? "_total" : "");
    }
}
