package io.rproxy.cli;

import io.rproxy.RproxyException;
import io.rproxy.config.HostPort;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespLimits;
import io.rproxy.resp.RespReader;
import io.rproxy.tls.ServerTls;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A connection to a running rproxy's admin port, for the CLI commands that talk to one (status, version, and the
 * reload commands): connects, authenticates, sends commands and reads replies. One thread; close it after use.
 */
final class AdminClient implements AutoCloseable {
    private static final RespLimits LIMITS = new RespLimits(64 * 1024 * 1024, 1024, 64 * 1024);

    private final HostPort address;
    private final Socket socket;
    private final OutputStream out;
    private final RespReader in;

    private AdminClient(HostPort address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream());
        this.in = new RespReader(socket.getInputStream(), LIMITS);
    }

    /**
     * Connects and, with a password, authenticates.
     *
     * @throws Unreachable when nothing answers at the address (or it stops answering within {@code timeout})
     * @throws Refused     when the proxy refuses the password
     */
    static AdminClient connect(HostPort address, Optional<String> password, Duration timeout) {
        return connect(address, password, timeout, Optional.empty());
    }

    /**
     * Connects over TLS when {@code tls} is given (the handshake within {@code timeout} too) and, with a password,
     * authenticates.
     *
     * @throws Unreachable when nothing answers at the address, or the TLS handshake fails
     * @throws Refused     when the proxy refuses the password
     */
    static AdminClient connect(HostPort address, Optional<String> password, Duration timeout,
                               Optional<ServerTls> tls) {
        Socket socket = new Socket();
        AdminClient client;
        try {
            int millis = (int) timeout.toMillis();
            socket.connect(new InetSocketAddress(address.host(), address.port()), millis);
            socket.setSoTimeout(millis);
            Socket connection = tls.isPresent()
                    ? tls.get().connect(socket, address.host(), address.port(), timeout) : socket;
            client = new AdminClient(address, connection);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new Unreachable(address, e);
        }
        if (password.isPresent()) {
            try {
                client.call("AUTH", password.get());
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
        }
        return client;
    }

    /**
     * Sends one command and returns its reply.
     *
     * @throws Refused     on an error reply
     * @throws Unreachable when the connection fails or the reply is not RESP
     */
    Reply call(String... args) {
        Reply reply;
        try {
            out.write(RespCommand.of(args).frame());
            out.flush();
            reply = in.readReply();
        } catch (IOException | ProtocolException e) {
            throw new Unreachable(address, e);
        }
        if (reply.isError()) {
            throw new Refused(address, reply.errorMessage());
        }
        return reply;
    }

    /** {@link #call} for a command whose reply is a bulk string, as text. */
    String callForText(String... args) {
        Reply reply = call(args);
        try {
            byte[] value = reply.bulkValue();
            return value == null ? "" : new String(value, StandardCharsets.UTF_8);
        } catch (ProtocolException e) {
            throw new Refused(address, "an unexpected reply to " + args[0] + ": " + reply);
        }
    }

    /** {@link #call} for a command whose reply is a status line ({@code +OK ...}): its text. */
    String callForLine(String... args) {
        Reply reply = call(args);
        byte[] bytes = reply.bytes();
        if (reply.type() != '+') {
            throw new Refused(address, "an unexpected reply to " + args[0] + ": " + reply);
        }
        return new String(bytes, 1, bytes.length - 3, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do: the CLI is done with it.
        }
    }

    /** Nothing at the address answers RESP: not running, wrong address, or a firewall. Exit code 2. */
    static final class Unreachable extends RproxyException {
        Unreachable(HostPort address, Exception cause) {
            super("cannot reach the rproxy admin port at " + address + ": " + describe(cause), cause);
        }

        private static String describe(Exception e) {
            if (e instanceof java.io.EOFException) {
                return "the connection was closed";
            }
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    /** The proxy answered with an error (a wrong password, an unknown command). Exit code 1. */
    static final class Refused extends RproxyException {
        Refused(HostPort address, String message) {
            super("rproxy at " + address + " answered: " + message);
        }
    }
}
