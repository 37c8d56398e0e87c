package io.rproxy.proxy;

import io.rproxy.backend.OutputBuffer;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one pool's client side, as twemproxy keeps them per pool (client_eof, client_err,
 * client_connections, forward_error, fragments) plus the total of clients accepted, the clients disconnected for
 * their unread replies (named as Redis's INFO names them) and a request latency histogram. Updated by the pool's listener and client threads without locks; read by the admin port at any
 * time. Server-side counters live with each server ({@link io.rproxy.backend.ServerStats}).
 */
public final class PoolStats {
    private final AtomicLong clientConnections = new AtomicLong();
    private final LongAdder clientsAccepted = new LongAdder();
    private final LongAdder clientEof = new LongAdder();
    private final LongAdder clientErr = new LongAdder();
    private final LongAdder clientsRejected = new LongAdder();
    private final LongAdder noServer = new LongAdder();
    private final LongAdder fragments = new LongAdder();
    private final LongAdder acceptErrors = new LongAdder();
    private final LongAdder outputLimitDisconnections = new LongAdder();
    private final LongAdder evictedClients = new LongAdder();
    private final LongAdder tlsHandshakeFailures = new LongAdder();
    private final LatencyHistogram latency = new LatencyHistogram();
    /** Commands refused, by command name (subcommands as {@code client|kill}); a name is added when first refused. */
    private final ConcurrentHashMap<String, LongAdder> refused = new ConcurrentHashMap<>();

    void clientConnected() {
        clientConnections.incrementAndGet();
        clientsAccepted.increment();
    }

    /** @param eof true when the client closed its connection between requests, false on an error */
    void clientClosed(boolean eof) {
        clientConnections.decrementAndGet();
        (eof ? clientEof : clientErr).increment();
    }

    /** A command was refused; true the first time its name is, so that the caller logs it once. */
    boolean refused(String command) {
        LongAdder count = refused.get(command);
        if (count != null) {
            count.increment();
            return false;
        }
        LongAdder fresh = new LongAdder();
        LongAdder raced = refused.putIfAbsent(command, fresh);
        (raced == null ? fresh : raced).increment();
        return raced == null;
    }

    /** Refusals so far by command name, in name order. */
    public SortedMap<String, Long> refusedByCommand() {
        SortedMap<String, Long> counts = new TreeMap<>();
        refused.forEach((name, count) -> counts.put(name, count.sum()));
        return counts;
    }

    /** The listener's accept failed (at the open-files limit, typically); it pauses before the next. */
    void acceptFailed() {
        acceptErrors.increment();
    }

    /** A client was closed on accept: the pool serves its client_connections already. */
    void clientRejected() {
        clientsRejected.increment();
    }

    /** A request found no live server for its key. */
    void noServer() {
        noServer.increment();
    }

    /** A request was split into {@code parts} requests to different servers. */
    void fragments(int parts) {
        fragments.add(parts);
    }

    /** A client was disconnected for the replies it left unread. */
    void outputOverflow(OutputBuffer.Overflow why) {
        (why == OutputBuffer.Overflow.CLIENT_LIMIT ? outputLimitDisconnections : evictedClients).increment();
    }

    /** A client of a TLS pool was closed before its TLS handshake completed (it failed, or took too long). */
    void tlsHandshakeFailed() {
        tlsHandshakeFailures.increment();
    }

    void requestServed(long nanos) {
        latency.record(nanos);
    }

    /** Clients connected now. */
    public long clientConnections() {
        return clientConnections.get();
    }

    /** Clients accepted since start. */
    public long clientsAccepted() {
        return clientsAccepted.sum();
    }

    /** Clients that closed their connection (twemproxy's client_eof). */
    public long clientEof() {
        return clientEof.sum();
    }

    /** Clients whose connection failed or who were disconnected for a malformed request (client_err). */
    public long clientErr() {
        return clientErr.sum();
    }

    /** Clients closed as soon as they were accepted because the pool had client_connections clients. */
    public long clientsRejected() {
        return clientsRejected.sum();
    }

    /** Requests that found no live server for their key. */
    public long noServerErrors() {
        return noServer.sum();
    }

    /** Requests created by splitting multi-key commands over several servers (twemproxy's fragments). */
    public long fragments() {
        return fragments.sum();
    }

    /** Accepts of this pool's listener that failed, e.g. with "Too many open files". */
    public long acceptErrors() {
        return acceptErrors.sum();
    }

    /** Clients disconnected for passing client_output_buffer_limit (Redis's INFO field of that name). */
    public long outputLimitDisconnections() {
        return outputLimitDisconnections.sum();
    }

    /** Clients disconnected because all clients' unread replies passed maxmemory_clients (Redis's evicted_clients). */
    public long evictedClients() {
        return evictedClients.sum();
    }

    /**
     * Clients closed because their TLS handshake failed: plain text sent to a TLS port, a certificate refused, no
     * handshake within the bound, or a client that left before shaking hands (a TCP health check).
     */
    public long tlsHandshakeFailures() {
        return tlsHandshakeFailures.sum();
    }

    public LatencyHistogram.Snapshot latency() {
        return latency.snapshot();
    }
}
