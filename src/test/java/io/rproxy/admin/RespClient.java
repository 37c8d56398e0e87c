package io.rproxy.admin;

import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespLimits;
import io.rproxy.resp.RespReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare RESP client for tests: sends exactly the commands a test names and nothing else (Jedis sends CLIENT
 * SETINFO on connect), so request counts and bytes are exact. One thread.
 */
public final class RespClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final RespReader in;

    public RespClient(int port) {
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new RespReader(socket.getInputStream(), RespLimits.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Reply call(String... args) {
        try {
            out.write(RespCommand.of(args).frame());
            out.flush();
            return in.readReply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next frame the server sends without a request of its own (a subscriber's messages). */
    public Reply read() {
        try {
            return in.readReply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A simple reply (+OK, -ERR ...) as the line it was sent as, without CRLF. */
    public String line(String... args) {
        return new String(call(args).bytes(), StandardCharsets.UTF_8).strip();
    }

    /** The bulk string reply of a command, as text; fails the test on any other reply. */
    public String text(String... args) {
        Reply reply = call(args);
        if (reply.isError()) {
            throw new AssertionError(String.join(" ", args) + " failed: " + reply.errorMessage());
        }
        return new String(reply.bulkValue(), StandardCharsets.UTF_8);
    }

    /** The length of the RESP frame a command is sent as: what the proxy counts as request bytes. */
    public static int frameLength(String... args) {
        return RespCommand.of(args).frame().length;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the test is done with it
        }
    }
}
