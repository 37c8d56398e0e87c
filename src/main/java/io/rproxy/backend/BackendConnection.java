package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipelined TCP connection to a backend server. Senders put requests in a bounded outbox; the writer thread
 * drains the outbox into one buffer, moves each request to the in-flight queue and flushes once per batch; the
 * reader thread matches each reply to the oldest in-flight request.
 *
 * <p>A connection is aligned or dead (STYLE.md habit 6): an I/O error, a protocol error or a reply nobody asked
 * for closes it and fails every request queued or in flight on it, in order. {@code -ERR} replies are data.
 */
final class BackendConnection {
    private static final Logger log = LoggerFactory.getLogger(BackendConnection.class);
    private static final int WRITE_BATCH = 256;
    private static final int WRITE_BUFFER = 64 * 1024;
    /** The close reason when the server ended the connection (EOF). */
    static final String CLOSED_BY_SERVER = "connection closed by server";

    private static final VarHandle CLOSED_REASON;

    static {
        try {
            CLOSED_REASON = MethodHandles.lookup()
                    .findVarHandle(BackendConnection.class, "closedReason", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ServerSpec server;
    private final String threadName;
    private final Socket socket;
    private final OutputStream out;
    private final RespReader in;
    private final ArrayBlockingQueue<BackendRequest> outbox;
    /** Written, awaiting a reply: the writer appends, the reader removes from the head. */
    private final Queue<BackendRequest> inFlight = new ConcurrentLinkedQueue<>();
    private final Consumer<String> onClose;
    private final ServerStats stats;
    /** Null while open; set once, by {@link #shutDown}. */
    private volatile String closedReason;
    private Thread writer;
    private Thread reader;

    private BackendConnection(ServerSpec server, String threadName, Socket socket, BackendSettings settings,
                              ServerStats stats, Consumer<String> onClose) throws IOException {
        this.server = server;
        this.threadName = threadName;
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), WRITE_BUFFER);
        this.in = new RespReader(socket.getInputStream(), settings.limits());
        this.outbox = new ArrayBlockingQueue<>(settings.outboxCapacity());
        this.onClose = onClose;
        this.stats = stats;
    }

    /**
     * Connects, authenticates and selects the database, then starts the writer and reader threads.
     *
     * @param onClose told the reason once, when the connection closes for any reason but {@link #close}
     * @throws BackendException when the server cannot be reached or refuses the handshake
     */
    static BackendConnection open(ServerSpec server, String threadName, BackendSettings settings,
                                  ServerStats stats, Consumer<String> onClose) {
        Socket socket = new Socket();
        try {
            int timeoutMs = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(settings.tcpKeepAlive());
            socket.connect(new InetSocketAddress(server.address().host(), server.address().port()), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            BackendConnection connection = new BackendConnection(server, threadName, socket, settings, stats,
                    onClose);
            connection.handshake(settings);
            socket.setSoTimeout(0);
            stats.openConnections.incrementAndGet();
            connection.start();
            return connection;
        } catch (IOException | ProtocolException e) {
            closeQuietly(socket);
            throw new BackendException("cannot connect to " + server.describe() + ": " + describe(e), e);
        } catch (BackendException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private void handshake(BackendSettings settings) throws IOException {
        if (settings.password().isPresent()) {
            expectOk(RespCommand.of("AUTH", settings.password().get()), "AUTH");
        }
        if (settings.database() > 0) {
            expectOk(RespCommand.of("SELECT", Integer.toString(settings.database())), "SELECT");
        }
    }

    private void expectOk(RespCommand command, String what) throws IOException {
        out.write(command.frame());
        out.flush();
        Reply reply = in.readReply();
        if (reply.isError()) {
            throw new BackendException(what + " to " + server.describe() + " failed: " + reply.errorMessage());
        }
    }

    private void start() {
        writer = Thread.ofPlatform().daemon().name(threadName + "-writer").start(this::writeLoop);
        reader = Thread.ofPlatform().daemon().name(threadName + "-reader").start(this::readLoop);
    }

    /**
     * Queues a request; blocks while the outbox is full (backpressure from a slow server). A request sent to a
     * connection that has closed is completed with the close reason.
     */
    void send(BackendRequest request) throws InterruptedException {
        if (closedReason == null) {
            outbox.put(request);
        }
        // A close between the check and the put would strand the request: fail whatever is left.
        if (closedReason != null) {
            failAll();
            request.complete(failure(closedReason));
        }
    }

    boolean isOpen() {
        return closedReason == null;
    }

    /** Closes the connection and fails what is queued or in flight with the given reason. */
    void close(String reason) {
        shutDown(reason, false);
    }

    private void writeLoop() {
        List<BackendRequest> batch = new ArrayList<>(WRITE_BATCH);
        try {
            while (closedReason == null) {
                batch.add(outbox.take());
                outbox.drainTo(batch, WRITE_BATCH - 1);
                for (BackendRequest request : batch) {
                    inFlight.add(request);
                    out.write(request.frame());
                }
                out.flush();
                batch.clear();
                if (closedReason != null) {
                    failAll(); // the reader may have drained inFlight before this batch got there
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts the writer; the requests in hand are failed below.
        } catch (IOException e) {
            shutDown("write failed: " + describe(e), true);
        } finally {
            for (BackendRequest request : batch) {
                request.complete(failure(closedReason == null ? "writer stopped" : closedReason));
            }
        }
    }

    private void readLoop() {
        try {
            while (true) {
                Reply reply = in.readReply();
                BackendRequest request = inFlight.poll();
                if (request == null) {
                    shutDown("protocol error: a reply arrived that no request was waiting for", true);
                    return;
                }
                stats.responses.increment();
                stats.responseBytes.add(reply.bytes().length);
                request.complete(reply);
            }
        } catch (IOException | ProtocolException e) {
            shutDown(closedReason != null ? closedReason : describe(e), true);
        }
    }

    private void shutDown(String reason, boolean unexpected) {
        // Reader and writer can fail at the same moment: only the first reason counts.
        if (!CLOSED_REASON.compareAndSet(this, null, reason)) {
            return;
        }
        closeQuietly(socket);
        if (writer != null) {
            stats.openConnections.decrementAndGet();
            writer.interrupt();
        }
        failAll();
        if (unexpected) {
            log.warn("connection to {} closed: {}", server.describe(), reason);
            onClose.accept(reason);
        }
    }

    private void failAll() {
        Reply error = failure(closedReason);
        BackendRequest request;
        while ((request = inFlight.poll()) != null) {
            failed(request, error);
        }
        while ((request = outbox.poll()) != null) {
            failed(request, error);
        }
    }

    private void failed(BackendRequest request, Reply error) {
        if (request.complete(error)) {
            stats.errors.increment();
        }
    }

    private Reply failure(String reason) {
        return Reply.error("ERR rproxy: " + server.describe() + ": " + reason);
    }

    private static String describe(Exception e) {
        if (e instanceof java.io.EOFException) {
            return CLOSED_BY_SERVER;
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort; the socket is abandoned either way.
        }
    }
}
