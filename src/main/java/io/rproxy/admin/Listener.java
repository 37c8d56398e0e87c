package io.rproxy.admin;

import io.rproxy.config.HostPort;
import io.rproxy.proxy.AcceptBackoff;
import io.rproxy.tls.HandshakeFailureLog;
import io.rproxy.tls.ListenerTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP listener of the admin side (the admin port, the twemproxy stats port, the metrics endpoint): binds in its
 * constructor, so a taken address fails the start before anything is served; accepts on a platform thread
 * {@code <name>-listener} and serves each connection on its own virtual thread {@code <name>-<n>}. Stopping
 * closes the listening socket and every open connection. A listener given TLS (the admin port's
 * {@code [admin.tls]}) shakes hands on the connection's thread, within {@link #HANDSHAKE_BOUND}, before its handler
 * sees it. A failing accept (at the open-files limit) pauses the acceptor ({@link AcceptBackoff}). Each thread has a catch ladder at its top: whatever a handler throws is
 * logged once and closes that connection; whatever goes wrong in the acceptor, it carries on after a pause.
 */
final class Listener {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    /** How long an admin client has for its TLS handshake: time for a slow link, not for a stalled client. */
    static final Duration HANDSHAKE_BOUND = Duration.ofSeconds(10);

    private final String name;
    private final ServerSocket serverSocket;
    private final Handler handler;
    private final AtomicLong connectionIds = new AtomicLong();
    /** Accepted TCP sockets (under TLS, the sockets beneath it: closing those never waits for a write). */
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** The TLS a new connection gets, asked at each accept (a reload may change it); empty for plain TCP. */
    private final Supplier<Optional<ListenerTls>> tls;
    private final HandshakeFailureLog handshakeFailures;
    private Thread acceptor;
    /** Used by the acceptor thread alone (and by closing, to end a pause). */
    private final AcceptBackoff backoff;

    /**
     * @param what    names the listener in the bind error ("admin port", "stats port")
     * @param handler serves one connection and returns; the socket is closed after it
     * @throws IOException naming {@code what} and the address when it cannot be bound
     */
    Listener(String name, String what, HostPort address, Handler handler) throws IOException {
        this(name, what, address, Optional::empty, handler);
    }

    /**
     * @param tls what a connection accepted now shakes hands with, before {@code handler} sees it; asked per
     *            connection, so that a reload's new certificate serves the connections that follow
     */
    Listener(String name, String what, HostPort address, Supplier<Optional<ListenerTls>> tls, Handler handler)
            throws IOException {
        this.name = name;
        this.handler = handler;
        this.tls = tls;
        this.handshakeFailures = new HandshakeFailureLog(what);
        this.backoff = new AcceptBackoff(name, log);
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address.host(), address.port()));
        } catch (IOException e) {
            socket.close();
            throw new IOException(what + " cannot listen on " + address + ": " + e.getMessage(), e);
        }
        this.serverSocket = socket;
    }

    /** Serves one connection and returns; the listener closes the socket afterwards. */
    @FunctionalInterface
    interface Handler {
        void serve(Socket socket) throws IOException;
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    void start() {
        acceptor = Thread.ofPlatform().name(name + "-listener").start(this::acceptLoop);
    }

    private void acceptLoop() {
        log.info("{} listening on {}", name, serverSocket.getLocalSocketAddress());
        try {
            while (!serverSocket.isClosed()) {
                try {
                    acceptOne();
                } catch (RuntimeException | Error e) {
                    // A bug, or the JVM short of memory for a thread: the connection it was setting up is closed
                    // and the next accept waits a pause, so that a failure that repeats neither spins the acceptor
                    // nor ends it.
                    log.error("{}: unexpected failure in {}; carrying on", name, Thread.currentThread().getName(), e);
                    backoff.pause();
                }
            }
        } catch (InterruptedException e) {
            // Nothing interrupts the listener but a bug; stop accepting for good rather than spin or vanish quietly.
            log.error("{}: listener interrupted: no longer accepting connections", name);
            retire();
        }
    }

    /** Accepts one connection and starts its thread; the connection is closed if that thread cannot start. */
    private void acceptOne() throws InterruptedException {
        Socket socket;
        try {
            socket = serverSocket.accept();
        } catch (IOException e) {
            if (!serverSocket.isClosed()) {
                backoff.failed(e);
            }
            return;
        }
        backoff.accepted();
        try {
            open.add(socket);
            Thread.ofVirtual().name(name + "-" + connectionIds.incrementAndGet()).start(() -> serve(socket));
        } catch (RuntimeException | Error e) {
            open.remove(socket);
            closeQuietly(socket);
            throw e;
        }
    }

    /**
     * The catch ladder of a connection's thread: the socket is closed whatever happens, an I/O error is the
     * peer's business, and anything else (a bug, or an Error such as the JDK's InternalError at the open-files
     * limit) is logged once, here, with the thread's name, instead of ending the thread through the default
     * handler.
     */
    private void serve(Socket socket) {
        try (socket) {
            Optional<ListenerTls> now = tls.get();
            Socket connection = socket;
            if (now.isPresent()) {
                try {
                    connection = now.get().accept(socket, HANDSHAKE_BOUND);
                } catch (IOException e) {
                    handshakeFailures.failed(socket.getRemoteSocketAddress(), e);
                    return;
                }
            }
            handler.serve(connection);
            if (connection != socket) {
                connection.close(); // TLS's close_notify; nobody else writes to an admin connection
            }
        } catch (IOException e) {
            log.debug("{}: closing a connection: {}", name, e.getMessage());
        } catch (Throwable e) {
            log.error("{}: {} failed; closed its connection", name, Thread.currentThread().getName(), e);
        } finally {
            open.remove(socket);
        }
    }

    private void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("{}: closing a connection: {}", name, e.getMessage());
        }
    }

    /**
     * Stops accepting and ends the open connections gracefully: their input is shut, so each session finishes
     * the command it is running (a COMMIT that moved the admin port still gets its OK), then sees end-of-stream.
     */
    void retire() {
        closeListenerAnd(Socket::shutdownInput, "ending a connection");
    }

    void stop() {
        closeListenerAnd(Socket::close, "closing a connection");
        if (acceptor != null) {
            try {
                acceptor.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the listening socket, then does {@code toEach} to every open connection; failures are only logged. */
    private void closeListenerAnd(SocketAction toEach, String what) {
        try {
            serverSocket.close();
        } catch (IOException e) {
            log.debug("{}: closing the listener: {}", name, e.getMessage());
        }
        backoff.stop();
        for (Socket socket : open) {
            try {
                toEach.apply(socket);
            } catch (IOException e) {
                log.debug("{}: {}: {}", name, what, e.getMessage());
            }
        }
    }

    private interface SocketAction {
        void apply(Socket socket) throws IOException;
    }
}
