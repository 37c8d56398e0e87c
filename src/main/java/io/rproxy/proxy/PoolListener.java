package io.rproxy.proxy;

import io.rproxy.config.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts one pool's clients on its listen address ({@code listener-<pool>} thread) and starts a virtual thread
 * per client. Binding happens in the constructor, so a port that is taken fails the start before any other
 * work is done.
 */
final class PoolListener {
    private static final Logger log = LoggerFactory.getLogger(PoolListener.class);

    private final Pool pool;
    private final CommandDispatcher dispatcher;
    private final ServerSocket serverSocket;
    private final AtomicLong clientIds;
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private final Set<Thread> sessionThreads = ConcurrentHashMap.newKeySet();
    private Thread acceptor;

    /** @throws IOException when the address cannot be bound (the message names it) */
    PoolListener(Pool pool, CommandDispatcher dispatcher, AtomicLong clientIds) throws IOException {
        this.pool = pool;
        this.dispatcher = dispatcher;
        this.clientIds = clientIds;
        HostPort listen = pool.config().listen();
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(listen.host(), listen.port()), pool.config().backlog());
        } catch (IOException e) {
            socket.close();
            throw new IOException("pool '" + pool.name() + "' cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        this.serverSocket = socket;
        pool.bound(socket.getLocalPort());
    }

    /** The bound port (useful when the configuration asked for port 0 in tests). */
    int port() {
        return serverSocket.getLocalPort();
    }

    void start() {
        acceptor = Thread.ofPlatform().name("listener-" + pool.name()).start(this::acceptLoop);
    }

    private void acceptLoop() {
        log.info("pool '{}' listening on {}", pool.name(), serverSocket.getLocalSocketAddress());
        while (!serverSocket.isClosed()) {
            try {
                Socket client = serverSocket.accept();
                client.setTcpNoDelay(true);
                ClientSession session = new ClientSession(clientIds.incrementAndGet(), client, pool, dispatcher);
                sessions.add(session);
                Thread thread = Thread.ofVirtual().name("client-" + session.id()).unstarted(() -> {
                    try {
                        session.run();
                    } finally {
                        sessions.remove(session);
                        sessionThreads.remove(Thread.currentThread());
                    }
                });
                sessionThreads.add(thread);
                thread.start();
            } catch (SocketException e) {
                if (!serverSocket.isClosed()) {
                    log.warn("pool '{}' accept failed: {}", pool.name(), e.getMessage());
                }
            } catch (IOException e) {
                log.warn("pool '{}' accept failed: {}", pool.name(), e.getMessage());
            }
        }
    }

    /** Stops accepting; clients already connected carry on. */
    void stopAccepting() {
        try {
            serverSocket.close();
        } catch (IOException e) {
            log.debug("closing listener of pool '{}': {}", pool.name(), e.getMessage());
        }
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
        for (ClientSession session : sessions) {
            try {
                session.socket().shutdownInput();
            } catch (IOException e) {
                log.debug("client {}: {}", session.id(), e.getMessage());
            }
        }
    }

    /** Waits for the sessions to end until {@code deadlineNanos} (System.nanoTime), then closes what is left. */
    void awaitClients(long deadlineNanos) throws InterruptedException {
        for (Thread thread : sessionThreads) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                thread.join(Duration.ofNanos(left));
            }
        }
        for (ClientSession session : sessions) {
            try {
                session.socket().close();
            } catch (IOException e) {
                log.debug("client {}: {}", session.id(), e.getMessage());
            }
        }
    }

    int clientCount() {
        return sessions.size();
    }
}
