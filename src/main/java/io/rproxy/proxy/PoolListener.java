package io.rproxy.proxy;

import io.rproxy.backend.OutputBuffers;
import io.rproxy.config.HostPort;
import io.rproxy.config.PoolConfig;
import io.rproxy.resp.RespLimits;
import io.rproxy.tls.HandshakeFailureLog;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts one pool's clients on its listen address ({@code listener-<pool>} thread) and starts a virtual thread
 * per client. Binding happens in the constructor, so a port that is taken fails the start (or a LOAD) before any
 * other work is done.
 *
 * <p>A reload that keeps the pool's address keeps the listener and its clients and swaps its {@link Generation};
 * one that removes the pool or moves it swaps in a generation that tells the remaining clients so.
 */
final class PoolListener implements ClientLink.Clients {
    private static final Logger log = LoggerFactory.getLogger(PoolListener.class);

    private final String name;
    private final HostPort address;
    private final PoolStats stats;
    private final ServerSocket serverSocket;
    private final AtomicLong clientIds;
    /** The proxy's: every client's unread replies, and their bound. */
    private final OutputBuffers outputBuffers;
    /** Connected clients and the threads serving them: one entry each, for a proxy holds thousands. */
    private final Map<ClientSession, Thread> sessions = new ConcurrentHashMap<>();
    /** What requests are dispatched by now; swapped only by a reload's commit (under its lock). */
    private volatile Generation current;
    private Thread acceptor;
    /** Used by the acceptor thread alone (and stopAccepting, to end a pause). */
    private final AcceptBackoff backoff;
    /** Reports failed TLS handshakes, from the clients' threads. */
    private final HandshakeFailureLog handshakeFailures;
    /** A TLS handshake's bound when the pool sets no timeout: time for a slow client, not for a stalled one. */
    static final Duration DEFAULT_HANDSHAKE_BOUND = Duration.ofSeconds(10);
    /** The least bound: a JVM's first handshakes take a few hundred ms while its crypto code warms up. */
    static final Duration MIN_HANDSHAKE_BOUND = Duration.ofSeconds(1);

    /**
     * @param first what the listener serves until a reload swaps it; its pool's configuration says where to listen
     * @throws IOException when the address cannot be bound (the message names it)
     */
    PoolListener(Generation first, AtomicLong clientIds, OutputBuffers outputBuffers) throws IOException {
        Pool pool = first.pool();
        this.name = pool.name();
        this.address = pool.config().listen();
        this.stats = pool.stats();
        this.current = first;
        this.clientIds = clientIds;
        this.backoff = new AcceptBackoff("pool '" + name + "'", log);
        this.handshakeFailures = new HandshakeFailureLog("pool '" + name + "'");
        this.outputBuffers = outputBuffers;
        HostPort listen = address;
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(listen.host(), listen.port()), pool.config().backlog());
        } catch (IOException e) {
            socket.close();
            throw new IOException("pool '" + name + "' cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        this.serverSocket = socket;
        pool.bound(socket.getLocalPort());
    }

    /** The bound port (useful when the configuration asked for port 0 in tests). */
    int port() {
        return serverSocket.getLocalPort();
    }

    /** The address as configured (a reload compares it with the new configuration's). */
    HostPort address() {
        return address;
    }

    PoolStats stats() {
        return stats;
    }

    HandshakeFailureLog handshakeFailures() {
        return handshakeFailures;
    }

    /**
     * How long a client of {@code pool} has to complete its TLS handshake, counted from its accept: the pool's
     * timeout, at least {@link #MIN_HANDSHAKE_BOUND}; {@link #DEFAULT_HANDSHAKE_BOUND} when it sets none.
     */
    static Duration handshakeBound(PoolConfig pool) {
        return pool.timeout().map(t -> t.compareTo(MIN_HANDSHAKE_BOUND) < 0 ? MIN_HANDSHAKE_BOUND : t)
                .orElse(DEFAULT_HANDSHAKE_BOUND);
    }

    OutputBuffers outputBuffers() {
        return outputBuffers;
    }

    Generation current() {
        return current;
    }

    /** The request limits for a new client's reader: the current generation's, or the defaults once gone. */
    RespLimits limits() {
        Generation now = current;
        return now.isGone() ? RespLimits.DEFAULT : now.pool().limits();
    }

    /** Makes {@code next} serve every request read from now on; returns the generation it replaces. */
    Generation swap(Generation next) {
        Generation previous = current;
        current = next;
        return previous;
    }

    /** Whether a client still has requests outstanding on {@code generation}, or a state begun on it. */
    boolean pinnedTo(Generation generation) {
        for (ClientSession session : sessions.keySet()) {
            if (session.pinned() == generation) {
                return true;
            }
        }
        return false;
    }

    void start() {
        acceptor = Thread.ofPlatform().name("listener-" + name).start(this::acceptLoop);
    }

    private void acceptLoop() {
        log.info("pool '{}' listening on {}", name, serverSocket.getLocalSocketAddress());
        try {
            while (!serverSocket.isClosed()) {
                Socket client;
                try {
                    client = serverSocket.accept();
                } catch (IOException e) {
                    if (!serverSocket.isClosed()) {
                        stats.acceptFailed();
                        backoff.failed(e);
                    }
                    continue;
                }
                backoff.accepted();
                if (overClientLimit(client)) {
                    continue;
                }
                try {
                    serve(client);
                } catch (RuntimeException | Error e) {
                    // A bug, or the JVM short of memory for a thread: this client is closed and the next accept
                    // waits a pause, so that a failure that repeats neither spins the acceptor nor ends it.
                    log.error("pool '{}': unexpected failure in {}; carrying on", name,
                            Thread.currentThread().getName(), e);
                    closeQuietly(client);
                    backoff.pause();
                }
            }
        } catch (InterruptedException e) {
            // Nothing interrupts the listener but a bug; stop accepting for good rather than spin or vanish quietly.
            log.error("pool '{}' listener interrupted: no longer accepting clients", name);
            closeQuietly(serverSocket);
        }
    }

    /** Starts the client's session on a virtual thread of its own. */
    private void serve(Socket client) {
        try {
            client.setTcpNoDelay(true);
        } catch (IOException e) {
            log.debug("pool '{}': a client left as it was accepted: {}", name, e.getMessage());
            closeQuietly(client);
            return;
        }
        ClientSession session = new ClientSession(clientIds.incrementAndGet(), client, this);
        Thread thread = Thread.ofVirtual().name("client-" + session.id()).unstarted(() -> {
            try {
                session.run();
            } finally {
                sessions.remove(session);
            }
        });
        sessions.put(session, thread);
        try {
            thread.start();
        } catch (RuntimeException | Error e) {
            sessions.remove(session);
            throw e;
        }
    }

    private void closeQuietly(Closeable socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("pool '{}': closing a socket: {}", name, e.getMessage());
        }
    }

    /**
     * twemproxy's client_connections: a client beyond the limit is closed at once, without a reply (as nutcracker
     * closes one beyond its descriptor limit), and counted. Only this thread adds sessions, so the count can only
     * be high by clients leaving right now.
     */
    private boolean overClientLimit(Socket client) {
        Generation now = current;
        int limit = now.isGone() ? 0 : now.pool().config().clientConnections();
        if (limit == 0 || sessions.size() < limit) {
            return false;
        }
        stats.clientRejected();
        log.debug("pool '{}': client from {} closed: client_connections {} reached", name,
                client.getRemoteSocketAddress(), limit);
        closeQuietly(client);
        return true;
    }

    /** Stops accepting; clients already connected carry on. */
    void stopAccepting() {
        closeQuietly(serverSocket);
        backoff.stop();
        if (acceptor != null) {
            try {
                acceptor.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Asks every client session to end gracefully: its input is shut, so the session sees end-of-stream, writes
     * the replies it still owes and exits.
     */
    void endClientInput() {
        for (ClientSession session : sessions.keySet()) {
            try {
                session.socket().shutdownInput();
            } catch (IOException e) {
                log.debug("client {}: {}", session.id(), e.getMessage());
            }
        }
    }

    /** Waits for the sessions to end until {@code deadlineNanos} (System.nanoTime), then closes what is left. */
    void awaitClients(long deadlineNanos) throws InterruptedException {
        for (Thread thread : sessions.values()) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                thread.join(Duration.ofNanos(left));
            }
        }
        for (ClientSession session : sessions.keySet()) {
            try {
                session.socket().close();
            } catch (IOException e) {
                log.debug("client {}: {}", session.id(), e.getMessage());
            }
        }
    }

    @Override
    public String poolName() {
        return name;
    }

    @Override
    public List<ClientState> clients() {
        List<ClientState> clients = new ArrayList<>(sessions.size());
        for (ClientSession session : sessions.keySet()) {
            clients.add(session.state());
        }
        clients.sort(Comparator.comparingLong(ClientState::id));
        return clients;
    }

    int clientCount() {
        return sessions.size();
    }
}
