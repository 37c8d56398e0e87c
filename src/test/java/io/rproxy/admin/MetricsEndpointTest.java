package io.rproxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.config.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The metrics endpoint over a real socket: the exact responses, and the bounds on what a client may send. */
class MetricsEndpointTest {
    private static final String DOCUMENT = "# HELP up Always 1.\n# TYPE up gauge\nup 1\n";
    private static final Duration HEAD_TIMEOUT = Duration.ofMillis(500);
    private static final String DATE = "Date: Tue, 01 Dec 2026 09:05:03 GMT\r\n";

    private MetricsEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T09:05:03Z"), ZoneOffset.UTC);
        endpoint = new MetricsEndpoint(new HostPort("127.0.0.1", 0), () -> DOCUMENT, HEAD_TIMEOUT, clock);
        endpoint.start();
    }

    @AfterEach
    void stop() {
        endpoint.stop();
    }

    @Test
    void getAnswersTheDocumentWithItsLengthAndCloses() throws IOException {
        assertEquals("HTTP/1.1 200 OK\r\n" + DATE
                + "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                + "Content-Length: " + DOCUMENT.length() + "\r\n"
                + "Connection: close\r\n\r\n" + DOCUMENT,
                exchange("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n"));
    }

    @Test
    void headAnswersTheSameHeadersWithoutTheBody() throws IOException {
        assertEquals("HTTP/1.1 200 OK\r\n" + DATE
                + "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                + "Content-Length: " + DOCUMENT.length() + "\r\n"
                + "Connection: close\r\n\r\n",
                exchange("HEAD /metrics HTTP/1.0\r\n\r\n"));
    }

    @Test
    void anotherPathIs404AndAnotherMethod405() throws IOException {
        String notFound = "rproxy serves GET /metrics only\n";
        assertEquals("HTTP/1.1 404 Not Found\r\n" + DATE + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + notFound.length() + "\r\nConnection: close\r\n\r\n" + notFound,
                exchange("GET /other HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals("HTTP/1.1 405 Method Not Allowed\r\n" + DATE + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: 19\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\nmethod not allowed\n",
                exchange("POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"));
    }

    @Test
    void garbageIs400AndAnotherVersion505() throws IOException {
        assertTrue(exchange("PING\r\n").startsWith("HTTP/1.1 400 Bad Request\r\n"));
        assertTrue(exchange("*1\r\n$4\r\nPING\r\n").startsWith("HTTP/1.1 400 Bad Request\r\n"));
        assertTrue(exchange("GET /metrics HTTP/2.0\r\n\r\n").startsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n"));
    }

    @Test
    void aHugeHeadIs431AndTheAnswerArrivesThoughTheClientKeepsSending() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /metrics HTTP/1.1\r\nX-Long: ".getBytes(StandardCharsets.US_ASCII));
            out.write("a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII)); // past the bound: read, dropped
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer);
        }
    }

    @Test
    void aClientThatSendsNothingOrTooSlowlyIsClosed() throws Exception {
        try (Socket silent = connect()) {
            long start = System.nanoTime();
            assertEquals(-1, silent.getInputStream().read(), "closed without an answer");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(HEAD_TIMEOUT.minusMillis(50)) >= 0, "closed after the time allowed: " + took);
        }
        // One byte every 100 ms never times a single read out, but the head as a whole is bounded.
        try (Socket slow = connect()) {
            long start = System.nanoTime();
            byte[] head = "GET /metrics HTTP/1.1\r\nX: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            boolean closed = false;
            for (int i = 0; i < head.length && !closed; i++) {
                try {
                    slow.getOutputStream().write(head[i]);
                } catch (IOException e) {
                    closed = true; // reset by the endpoint
                }
                closed |= waitForEof(slow, Duration.ofMillis(100)); // also paces the bytes
            }
            assertTrue(closed, "the endpoint closed a head that took too long");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(HEAD_TIMEOUT.multipliedBy(4)) < 0, "closed soon after the time allowed: " + took);
        }
    }

    @Test
    void javasHttpClientScrapesIt() throws Exception {
        // It asks to upgrade to h2c, which an HTTP/1.1 server may ignore.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(DOCUMENT, response.body());
        assertEquals("close", response.headers().firstValue("Connection").orElse(""));
    }

    /** True when the endpoint has closed the connection within {@code wait}. */
    private static boolean waitForEof(Socket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            return socket.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private String exchange(String request) throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", endpoint.port()), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }
}
