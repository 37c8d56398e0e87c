package io.rproxy.admin;

import io.rproxy.RproxyException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the head of one HTTP/1.x request (request line and header fields) for the metrics endpoint, strictly and
 * within bounds, because the endpoint answers whatever connects to it: at most {@link #MAX_HEAD_BYTES}, every line
 * ended by CRLF, no control characters but HTAB, a token for the method and each field name, no whitespace before
 * a field's colon, no obsolete line folding (RFC 9112 sections 2.2, 3 and 5). Bytes are checked as they arrive,
 * so garbage (a TLS hello, a Redis command) is refused at once rather than when the bound or the time runs out.
 * Header fields are checked, not kept: the endpoint answers every request alike and closes the connection.
 *
 * <p>One per connection, run by that connection's virtual thread.
 */
final class HttpRequestReader {
    /** Prometheus sends a few hundred bytes; nginx's default bound on a header line is 8 KiB. */
    static final int MAX_HEAD_BYTES = 8 * 1024;

    private final InputStream in;
    private final BeforeRead beforeRead;
    private final byte[] buf = new byte[MAX_HEAD_BYTES];
    /** Bytes received into {@link #buf}. */
    private int filled;
    /** Where the line being received starts. */
    private int lineStart;
    /** Bytes of that line checked so far. */
    private int checked;
    /** Null until the request line has been read. */
    private String method;
    private String path;

    /** What the endpoint needs of a request: its method, and the path of its target without the query. */
    record Request(String method, String path) {
    }

    /** Called before each read; the endpoint sets the socket's timeout to what is left of the time allowed. */
    @FunctionalInterface
    interface BeforeRead {
        void run() throws IOException;
    }

    /** A head that is not a request the endpoint can answer; {@code status} is the answer (400, 431, 505). */
    static final class Rejected extends RproxyException {
        private final int status;

        Rejected(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    HttpRequestReader(InputStream in, BeforeRead beforeRead) {
        this.in = in;
        this.beforeRead = beforeRead;
    }

    /**
     * Reads up to the blank line that ends the head; bytes after it are left unread or ignored.
     *
     * @return the request, or null when the peer closed without sending a byte (a port check)
     * @throws Rejected     when the head is malformed, too long or not HTTP/1.x
     * @throws IOException  when reading fails, the time allowed running out included
     */
    Request read() throws IOException {
        while (true) {
            int lf = nextLineFeed();
            if (lf < 0) {
                if (!fill()) {
                    if (filled == 0) {
                        return null;
                    }
                    throw new Rejected(400, "the request ended within its head");
                }
                continue;
            }
            int end = lf - 1; // the line's CR
            if (method == null) {
                requestLine(lineStart, end);
            } else if (end == lineStart) {
                return new Request(method, path);
            } else {
                field(lineStart, end);
            }
            lineStart = lf + 1;
            checked = lineStart;
        }
    }

    /** Reads more bytes; false at end of stream. */
    private boolean fill() throws IOException {
        if (filled == buf.length) {
            throw new Rejected(431, "the request head is longer than " + MAX_HEAD_BYTES + " bytes");
        }
        beforeRead.run();
        int n = in.read(buf, filled, buf.length - filled);
        if (n < 0) {
            return false;
        }
        filled += n;
        return true;
    }

    /**
     * Checks the bytes received since the last call and returns where the current line's LF is, or -1 when it
     * has not arrived yet. A CR that is the last byte received is checked again with the byte after it.
     */
    private int nextLineFeed() {
        for (int i = checked; i < filled; i++) {
            int c = buf[i] & 0xff;
            if (c == '\n') {
                if (i == lineStart || buf[i - 1] != '\r') {
                    throw new Rejected(400, "a line ends in LF without CR");
                }
                checked = i + 1;
                return i;
            }
            if (c == '\r') {
                if (i + 1 == filled) {
                    checked = i;
                    return -1;
                }
                if (buf[i + 1] != '\n') {
                    throw new Rejected(400, "a CR is not followed by LF");
                }
            } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new Rejected(400, "a control character (0x" + Integer.toHexString(c) + ") in the request");
            }
        }
        checked = filled;
        return -1;
    }

    /** {@code method SP request-target SP HTTP-version}, each separated by exactly one space. */
    private void requestLine(int start, int end) {
        int firstSpace = indexOf(' ', start, end);
        int secondSpace = firstSpace < 0 ? -1 : indexOf(' ', firstSpace + 1, end);
        if (secondSpace < 0 || !isToken(start, firstSpace)) {
            throw new Rejected(400, "not an HTTP request line");
        }
        version(secondSpace + 1, end);
        String target = ascii(firstSpace + 1, secondSpace);
        path = pathOf(target);
        method = ascii(start, firstSpace);
    }

    /** {@code HTTP/1.x}; another major version is answered 505, anything else 400. */
    private void version(int start, int end) {
        String version = ascii(start, end);
        if (!version.matches("HTTP/[0-9]\\.[0-9]")) {
            throw new Rejected(400, "not an HTTP version: " + version);
        }
        if (version.charAt(5) != '1') {
            throw new Rejected(505, "rproxy speaks HTTP/1.x only, not " + version);
        }
    }

    /** The path of an origin-form ({@code /metrics?x}) or absolute-form ({@code http://host/metrics}) target. */
    private static String pathOf(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new Rejected(400, "the request target holds a character it may not");
            }
        }
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            throw new Rejected(400, "the request target is not a URI: " + e.getReason());
        }
        if (uri.isOpaque() || uri.getPath() == null || (!uri.isAbsolute() && !target.startsWith("/"))) {
            throw new Rejected(400, "the request target is neither a path nor an absolute URI");
        }
        return uri.getPath().isEmpty() ? "/" : uri.getPath();
    }

    /** {@code field-name ":" OWS field-value OWS}; the value's bytes were checked as they arrived. */
    private void field(int start, int end) {
        int colon = indexOf(':', start, end);
        if (colon < 0 || !isToken(start, colon)) {
            throw new Rejected(400, buf[start] == ' ' || buf[start] == '\t'
                    ? "a header line is folded (obsolete line folding is refused)"
                    : "a header line is not name: value");
        }
    }

    /** RFC 9110 token: one or more tchar. */
    private boolean isToken(int start, int end) {
        if (start >= end) {
            return false;
        }
        for (int i = start; i < end; i++) {
            int c = buf[i] & 0xff;
            boolean tchar = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (c < 0x7f && "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(char c, int start, int end) {
        for (int i = start; i < end; i++) {
            if (buf[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private String ascii(int start, int end) {
        return new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
    }
}
