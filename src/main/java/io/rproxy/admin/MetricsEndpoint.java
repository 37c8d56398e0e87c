package io.rproxy.admin;

import io.rproxy.admin.HttpRequestReader.Rejected;
import io.rproxy.admin.HttpRequestReader.Request;
import io.rproxy.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus endpoint: {@code GET /metrics} (and {@code HEAD}) answers {@link PrometheusText}; another path
 * is 404, another method 405, a malformed request 400. One request per connection, answered with
 * {@code Connection: close}. Served by an admin-side {@link Listener} ({@code metrics-listener} accepts, a virtual
 * thread {@code metrics-<n>} per connection): one GET every few seconds from a scraper needs no HTTP library, and
 * the JDK's {@code com.sun.net.httpserver}, used before, retried a failing accept without pausing, spinning half
 * a core at the open-files limit with one scrape waiting. The request head is read within a bound on its size
 * and on its time ({@link HttpRequestReader}), so a client that sends nothing or too much is closed.
 */
final class MetricsEndpoint {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    /** Time allowed for the request line and headers: a scraper sends them at once. */
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(5);
    /** Time a refused client is given to stop sending, so that closing does not reset the connection. */
    private static final Duration LINGER = Duration.ofSeconds(1);
    private static final String TEXT = "text/plain; charset=utf-8";
    /** RFC 9110's IMF-fixdate; the JDK's RFC_1123_DATE_TIME writes a one-digit day as one digit. */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final Listener listener;
    private final Supplier<String> document;
    private final Duration headTimeout;
    private final Clock clock;

    /** Binds now; serves after {@link #start}. IOException naming the address when it cannot bind. */
    MetricsEndpoint(HostPort address, Supplier<Snapshot> snapshots) throws IOException {
        this(address, () -> PrometheusText.render(snapshots.get()), HEAD_TIMEOUT, Clock.systemUTC());
    }

    /** For tests: any document, a shorter time for the head, a fixed clock for the Date header. */
    MetricsEndpoint(HostPort address, Supplier<String> document, Duration headTimeout, Clock clock)
            throws IOException {
        this.document = document;
        this.headTimeout = headTimeout;
        this.clock = clock;
        this.listener = new Listener("metrics", "metrics endpoint", address, this::serve);
    }

    int port() {
        return listener.port();
    }

    void start() {
        listener.start();
    }

    /** Closes the listening socket and every open connection. */
    void stop() {
        listener.stop();
    }

    /** Runs on the connection's virtual thread; the listener closes the socket afterwards. */
    private void serve(Socket socket) throws IOException {
        long deadline = System.nanoTime() + headTimeout.toNanos();
        Request request;
        try {
            request = new HttpRequestReader(socket.getInputStream(), () -> timeoutUntil(socket, deadline)).read();
        } catch (Rejected e) {
            log.debug("metrics: refusing a request from {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
            respond(socket, e.status(), false, TEXT, e.getMessage() + "\n", "");
            linger(socket);
            return;
        }
        if (request == null) {
            return;
        }
        boolean head = request.method().equals("HEAD");
        if (!request.path().equals("/metrics")) {
            respond(socket, 404, head, TEXT, "rproxy serves GET /metrics only\n", "");
        } else if (!head && !request.method().equals("GET")) {
            respond(socket, 405, false, TEXT, "method not allowed\n", "Allow: GET, HEAD\r\n");
        } else {
            respond(socket, 200, head, PrometheusText.CONTENT_TYPE, document.get(), "");
        }
    }

    /** Sets the socket's read timeout to what is left until {@code deadline}; throws when nothing is left. */
    private static void timeoutUntil(Socket socket, long deadline) throws IOException {
        long millis = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
        if (millis <= 0) {
            throw new SocketTimeoutException("no complete request head within the time allowed");
        }
        socket.setSoTimeout((int) Math.min(millis, Integer.MAX_VALUE));
    }

    /** Writes the whole response at once and ends the output; {@code extra} is header lines, each with CRLF. */
    private void respond(Socket socket, int status, boolean head, String contentType, String body, String extra)
            throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String header = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Date: " + HTTP_DATE.format(clock.instant()) + "\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Content-Length: " + content.length + "\r\n"
                + extra
                + "Connection: close\r\n\r\n";
        byte[] headerBytes = header.getBytes(StandardCharsets.US_ASCII);
        byte[] response = new byte[headerBytes.length + (head ? 0 : content.length)];
        System.arraycopy(headerBytes, 0, response, 0, headerBytes.length);
        if (!head) {
            System.arraycopy(content, 0, response, headerBytes.length, content.length);
        }
        OutputStream out = socket.getOutputStream();
        out.write(response);
        out.flush();
        socket.shutdownOutput();
    }

    /**
     * After a refusal the client may still be sending (the rest of a long head): closing with unread bytes would
     * reset the connection and could lose the answer before the client reads it. So read and drop what comes, for
     * {@link #LINGER} or until the client closes.
     */
    private static void linger(Socket socket) throws IOException {
        long deadline = System.nanoTime() + LINGER.toNanos();
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[4096];
        try {
            do {
                timeoutUntil(socket, deadline);
            } while (in.read(sink) >= 0);
        } catch (SocketTimeoutException e) {
            // The client is still connected after the linger: the listener closes the socket anyway.
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 505 -> "HTTP Version Not Supported";
            default -> throw new IllegalArgumentException("no reason phrase for " + status);
        };
    }
}
