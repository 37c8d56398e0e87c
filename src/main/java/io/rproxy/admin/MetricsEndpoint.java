package io.rproxy.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rproxy.config.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The Prometheus endpoint: {@code GET /metrics} answers {@link PrometheusText}. It uses the JDK's own
 * {@code com.sun.net.httpserver} (module jdk.httpserver): one GET every few seconds from a scraper needs no HTTP
 * library. Exchanges run on virtual threads named {@code metrics-<n>}; the JDK's dispatcher thread accepts.
 */
final class MetricsEndpoint {
    private final HttpServer server;
    /** Set by the thread that starts or stops it: Rproxy's, under its reload lock or before serving. */
    private boolean started;
    private final ExecutorService executor =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("metrics-", 1).factory());

    /** Binds now; serves after {@link #start}. IOException naming the address when it cannot bind. */
    MetricsEndpoint(HostPort address, Supplier<Snapshot> snapshots) throws IOException {
        try {
            server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 0);
        } catch (IOException e) {
            executor.shutdown();
            throw new IOException("metrics endpoint cannot listen on " + address + ": " + e.getMessage(), e);
        }
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, snapshots));
    }

    int port() {
        return server.getAddress().getPort();
    }

    void start() {
        started = true;
        server.start();
    }

    void stop() {
        if (!started) {
            // The JDK's server closes its socket on its dispatcher thread: one never started keeps the port bound
            // (a cancelled LOAD, a failed start) unless it is started to be stopped.
            start();
        }
        server.stop(0);
        executor.shutdown();
    }

    private static void handle(HttpExchange exchange, Supplier<Snapshot> snapshots) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                send(exchange, 404, "text/plain; charset=utf-8", "rproxy serves GET /metrics only\n");
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
            } else {
                send(exchange, 200, PrometheusText.CONTENT_TYPE, PrometheusText.render(snapshots.get()));
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
