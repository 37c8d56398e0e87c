package io.rproxy.admin;

import io.rproxy.config.HostPort;
import io.rproxy.proxy.AcceptBackoff;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP listener of the admin side (the admin port, the twemproxy stats port): binds in its constructor, so a
 * taken address fails the start before anything is served; accepts on a platform thread
 * {@code <name>-listener} and serves each connection on its own virtual thread {@code <name>-<n>}. Stopping
 * closes the listening socket and every open connection. A failing accept (at the open-files limit) pauses the
 * acceptor ({@link AcceptBackoff}).
 */
final class Listener {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);

    private final String name;
    private final ServerSocket serverSocket;
    private final Handler handler;
    private final AtomicLong connectionIds = new AtomicLong();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private Thread acceptor;
    /** Used by the acceptor thread alone (and by closing, to end a pause). */
    private final AcceptBackoff backoff;

    /**
     * @param what    names the listener in the bind error ("admin port", "stats port")
     * @param handler serves one connection and returns; the socket is closed after it
     * @throws IOException naming {@code what} and the address when it cannot be bound
     */
    Listener(String name, String what, HostPort address, Handler handler) throws IOException {
        this.name = name;
        this.handler = handler;
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
                Socket socket;
                try {
                    socket = serverSocket.accept();
                } catch (IOException e) {
                    if (!serverSocket.isClosed()) {
                        backoff.failed(e);
                    }
                    continue;
                }
                backoff.accepted();
                open.add(socket);
                Thread.ofVirtual().name(name + "-" + connectionIds.incrementAndGet()).start(() -> serve(socket));
            }
        } catch (InterruptedException e) {
            // Nothing interrupts the listener but a bug; stop accepting for good rather than spin or vanish quietly.
            log.error("{}: listener interrupted: no longer accepting connections", name);
            retire();
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            handler.serve(socket);
        } catch (IOException e) {
            log.debug("{}: closing a connection: {}", name, e.getMessage());
        } catch (RuntimeException e) {
            log.error("{}: connection failed", name, e);
        } finally {
            open.remove(socket);
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
