package io.rproxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rproxy.admin.HttpRequestReader.Rejected;
import io.rproxy.admin.HttpRequestReader.Request;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The metrics endpoint's request head: what is read, and what is refused with which status. */
class HttpRequestReaderTest {
    private static final String HEADERS = "Host: 127.0.0.1:9121\r\nUser-Agent: Prometheus/2.53.0\r\n"
            + "Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET /metrics HTTP/1.1                         | GET     | /metrics",
        "HEAD /metrics HTTP/1.0                        | HEAD    | /metrics",
        "GET /metrics?name=up&x=%20 HTTP/1.1           | GET     | /metrics",
        "GET http://127.0.0.1:9121/metrics HTTP/1.1    | GET     | /metrics",
        "GET http://127.0.0.1:9121 HTTP/1.1            | GET     | /",
        "POST /other HTTP/1.1                          | POST    | /other",
        "get /metrics HTTP/1.1                         | get     | /metrics",
        "GET /%6Detrics HTTP/1.1                       | GET     | /metrics",
    })
    void aRequestLineGivesItsMethodAndPath(String line, String method, String path) throws IOException {
        String head = line + "\r\n" + HEADERS;
        assertEquals(new Request(method, path), read(head));
        assertEquals(new Request(method, path), readInFragments(head, 1));
        assertEquals(new Request(method, path), readInFragments(head, 7));
    }

    @Test
    void aHeadWithoutFieldsAndOneWithAnEmptyValueAreRequests() throws IOException {
        assertEquals(new Request("GET", "/metrics"), read("GET /metrics HTTP/1.0\r\n\r\n"));
        assertEquals(new Request("GET", "/metrics"), read("GET /metrics HTTP/1.1\r\nX-Empty:\r\nHost: a\r\n\r\n"));
    }

    @Test
    void bytesAfterTheHeadAreLeftAlone() throws IOException {
        assertEquals(new Request("GET", "/metrics"), read("GET /metrics HTTP/1.1\r\n\r\n\u0000\u0001garbage"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "hello\r\n\r\n",
        "\r\nGET /metrics HTTP/1.1\r\n\r\n",
        "GET /metrics\r\n\r\n",
        "GET  /metrics HTTP/1.1\r\n\r\n",
        "GET /metrics  HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/1.1 \r\n\r\n",
        "GET /a b HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/11\r\n\r\n",
        "GET /metrics http/1.1\r\n\r\n",
        "G(T /metrics HTTP/1.1\r\n\r\n",
        "GET metrics HTTP/1.1\r\n\r\n",
        "GET * HTTP/1.1\r\n\r\n",
        "GET mailto:a@b HTTP/1.1\r\n\r\n",
        "GET /%zz HTTP/1.1\r\n\r\n",
        "GET /m\u00e9trics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/1.1\nHost: a\n\n",
        "GET /metrics HTTP/1.1\r\nHost: a\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: a\rb\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost : a\r\n\r\n",
        "GET /metrics HTTP/1.1\r\n: a\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
        "GET /metrics HTTP/1.1\r\n Host: a\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: a\u0000b\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: a\u007f\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: a\r\n",
        "GET /metr",
    })
    void aMalformedHeadIsRefusedWith400(String head) {
        assertEquals(400, rejected(head).status(), head);
    }

    @Test
    void garbageIsRefusedAsItArrivesWithoutWaitingForMore() {
        // A TLS ClientHello, then a stream that fails the test if the reader asks for more.
        byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
        InputStream endless = new InputStream() {
            private int next;

            @Override
            public int read() {
                if (next == hello.length) {
                    throw new AssertionError("read past the first garbage byte's batch");
                }
                return hello[next++];
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int n = Math.min(len, hello.length - next);
                if (n == 0) {
                    throw new AssertionError("read past the first garbage byte's batch");
                }
                System.arraycopy(hello, next, b, off, n);
                next += n;
                return n;
            }
        };
        Rejected e = assertThrows(Rejected.class, () -> new HttpRequestReader(endless, () -> { }).read());
        assertEquals(400, e.status());
    }

    @Test
    void anotherMajorVersionIs505() {
        assertEquals(505, rejected("GET /metrics HTTP/2.0\r\n\r\n").status());
        assertEquals(505, rejected("GET /metrics HTTP/0.9\r\n\r\n").status());
    }

    @Test
    void aHeadPastTheBoundIs431() throws IOException {
        String longField = "X-Long: " + "a".repeat(HttpRequestReader.MAX_HEAD_BYTES) + "\r\n\r\n";
        assertEquals(431, rejected("GET /metrics HTTP/1.1\r\n" + longField).status());
        String exactlyAtTheBound = "GET /metrics HTTP/1.1\r\nX: ";
        exactlyAtTheBound += "a".repeat(HttpRequestReader.MAX_HEAD_BYTES - exactlyAtTheBound.length() - 4) + "\r\n\r\n";
        assertEquals(HttpRequestReader.MAX_HEAD_BYTES, exactlyAtTheBound.length());
        assertEquals(new Request("GET", "/metrics"), read(exactlyAtTheBound));
    }

    @Test
    void aPeerThatClosesWithoutAByteIsNoRequest() throws IOException {
        assertNull(read(""));
    }

    @Test
    void theHookRunsBeforeEveryRead() throws IOException {
        AtomicInteger hooks = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        InputStream in = new Fragments(bytes("GET /metrics HTTP/1.1\r\n\r\n"), 5) {
            @Override
            public int read(byte[] b, int off, int len) {
                reads.incrementAndGet();
                assertEquals(reads.get(), hooks.get(), "the hook ran before this read");
                return super.read(b, off, len);
            }
        };
        new HttpRequestReader(in, hooks::incrementAndGet).read();
        assertEquals(reads.get(), hooks.get());
    }

    private static Rejected rejected(String head) {
        Rejected whole = assertThrows(Rejected.class, () -> read(head), head);
        Rejected fragmented = assertThrows(Rejected.class, () -> readInFragments(head, 1), head);
        assertEquals(whole.status(), fragmented.status(), head);
        return whole;
    }

    private static Request read(String head) throws IOException {
        return new HttpRequestReader(new ByteArrayInputStream(bytes(head)), () -> { }).read();
    }

    private static Request readInFragments(String head, int size) throws IOException {
        return new HttpRequestReader(new Fragments(bytes(head), size), () -> { }).read();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Hands out at most {@code size} bytes per read, as a slow network does. */
    private static class Fragments extends InputStream {
        private final byte[] bytes;
        private final int size;
        private int next;

        Fragments(byte[] bytes, int size) {
            this.bytes = bytes;
            this.size = size;
        }

        @Override
        public int read() {
            return next < bytes.length ? bytes[next++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (next == bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, size), bytes.length - next);
            System.arraycopy(bytes, next, b, off, n);
            next += n;
            return n;
        }
    }
}
