package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespReader;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;

/**
 * Opens a socket to a backend and brings it to a usable state: connect, TLS (with the pool's server_tls), AUTH,
 * SELECT (and for a Sentinel pool's masters ROLE, which must say master), each within the connect bound. Shared by
 * the connections that carry traffic and by the recovery probe, so both shake hands
 * exactly alike.
 */
final class ServerSocketOpener {
    static final int WRITE_BUFFER = 64 * 1024;
    private static final RespCommand PING = RespCommand.of("PING");
    private static final RespCommand ROLE = RespCommand.of("ROLE");

    private ServerSocketOpener() {
    }

    /**
     * A socket after a successful handshake, with its streams (under TLS, the TLS socket's).
     *
     * @param socket the TCP socket, for timeouts and for closing: any thread may close it at once, where closing a
     *               TLS socket waits for a write under way (to a hung server, for good)
     */
    record Opened(Socket socket, OutputStream out, RespReader in) {
    }

    /**
     * Connects and shakes hands (TLS first, when the pool has server_tls); BackendException naming the server when
     * anything fails.
     */
    static Opened open(ServerSpec server, BackendSettings settings) {
        return open(server, settings, new Socket());
    }

    /**
     * Like {@link #open}, on the socket of a {@link SocketChannel}, whose owner can look for what the server sent
     * (end-of-stream) without blocking: a dedicated connection idle in its server's reserve
     * ({@link DedicatedConnection#closedWhileIdle}). Its streams are used in blocking mode, as any socket's.
     */
    static Opened openChannel(ServerSpec server, BackendSettings settings) {
        try {
            return open(server, settings, SocketChannel.open().socket());
        } catch (IOException e) {
            throw new BackendException("cannot connect to " + server.describe() + ": " + describe(e), e);
        }
    }

    private static Opened open(ServerSpec server, BackendSettings settings, Socket tcp) {
        Socket socket = tcp;
        try {
            int timeoutMs = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
            tcp.setTcpNoDelay(true);
            tcp.setKeepAlive(settings.tcpKeepAlive());
            tcp.connect(new InetSocketAddress(server.address().host(), server.address().port()), timeoutMs);
            tcp.setSoTimeout(timeoutMs); // bounds the handshake; traffic itself is bounded by deadlines
            if (settings.tls().isPresent()) {
                socket = settings.tls().get().connect(tcp, server.address().host(), server.address().port(),
                        settings.connectTimeout());
            }
            Opened opened = new Opened(tcp, new BufferedOutputStream(socket.getOutputStream(), WRITE_BUFFER),
                    new RespReader(socket.getInputStream(), settings.limits()));
            if (settings.password().isPresent()) {
                expectOk(opened, server, RespCommand.of("AUTH", settings.password().get()), "AUTH");
            }
            if (settings.database() > 0) {
                expectOk(opened, server, RespCommand.of("SELECT", Integer.toString(settings.database())), "SELECT");
            }
            if (settings.requireMaster()) {
                expectMaster(opened, server);
            }
            tcp.setSoTimeout(0);
            return opened;
        } catch (IOException | ProtocolException e) {
            closeQuietly(tcp);
            throw new BackendException("cannot connect to " + server.describe() + ": " + describe(e), e);
        } catch (BackendException e) {
            closeQuietly(tcp);
            throw e;
        }
    }

    /**
     * The recovery probe (on a server's probe thread): connect, handshake and PING within the connect bound, then
     * close. Unlike twemproxy, which puts an ejected server back blindly, rproxy only puts back a server that
     * answers.
     */
    static void probe(ServerSpec server, BackendSettings settings) {
        Opened opened = open(server, settings);
        try {
            opened.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
            expectOk(opened, server, PING, "PING");
        } catch (IOException | ProtocolException e) {
            throw new BackendException("probe of " + server.describe() + " failed: " + describe(e), e);
        } finally {
            closeQuietly(opened.socket());
        }
    }

    private static void expectOk(Opened opened, ServerSpec server, RespCommand command, String what)
            throws IOException {
        opened.out().write(command.frame());
        opened.out().flush();
        Reply reply = opened.in().readReply();
        if (reply.isError()) {
            throw new BackendException(what + " to " + server.describe() + " failed: " + reply.errorMessage());
        }
    }

    /**
     * ROLE's first element must be "master": a Sentinel's answer may be out of date, and a master may have been
     * demoted since; either way nothing may be written there (a demoted master's writes are lost when it resyncs).
     */
    private static void expectMaster(Opened opened, ServerSpec server) throws IOException {
        opened.out().write(ROLE.frame());
        opened.out().flush();
        Reply reply = opened.in().readReply();
        if (reply.isError()) {
            throw new BackendException("ROLE to " + server.describe() + " failed: " + reply.errorMessage());
        }
        String role = reply.type() == '*' && !reply.isNull() && !reply.elements().isEmpty() && reply.elements().getFirst().type() == '$'
                ? new String(reply.elements().getFirst().bulkValue(), java.nio.charset.StandardCharsets.UTF_8) : null;
        if (!"master".equals(role)) {
            throw new BackendException(server.describe() + " is not a master (ROLE says "
                    + (role == null ? "something else" : role) + "): it was demoted, or Sentinel's answer is out of date");
        }
    }

    static String describe(Exception e) {
        if (e instanceof EOFException) {
            return "connection closed by server";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort; the socket is abandoned either way.
        }
    }
}
