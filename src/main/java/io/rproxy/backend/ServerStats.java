package io.rproxy.backend;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one backend server, as twemproxy keeps them (server_eof, server_err, server_timedout, requests,
 * request_bytes, responses, response_bytes, ...) plus what rproxy's status adds. Updated by the server's
 * connection threads and client threads without locks (LongAdder: no contention between clients); read by the
 * admin port at any time.
 */
public final class ServerStats {
    final LongAdder requests = new LongAdder();
    final LongAdder requestBytes = new LongAdder();
    final LongAdder responses = new LongAdder();
    final LongAdder responseBytes = new LongAdder();
    /** Requests answered by the proxy with an error because the server failed them (not -ERR data replies). */
    final LongAdder errors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder ejections = new LongAdder();
    /** Connections the server closed (EOF). */
    final LongAdder eof = new LongAdder();
    /** Connections lost unexpectedly (EOF included), and failed connection attempts. */
    final LongAdder connectionErrors = new LongAdder();
    /** Requests queued to a connection and not yet written (twemproxy's in_queue). */
    final LongAdder queued = new LongAdder();
    /** Requests written and awaiting their reply (twemproxy's out_queue). */
    final LongAdder inFlight = new LongAdder();
    /** Shared and dedicated connections open now. */
    final AtomicLong openConnections = new AtomicLong();
    /** Dedicated connections leased by a client session now (not those idle in the reserve). */
    final AtomicLong dedicatedInUse = new AtomicLong();

    public long requests() {
        return requests.sum();
    }

    public long requestBytes() {
        return requestBytes.sum();
    }

    public long responses() {
        return responses.sum();
    }

    public long responseBytes() {
        return responseBytes.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long timeouts() {
        return timeouts.sum();
    }

    public long ejections() {
        return ejections.sum();
    }

    public long eof() {
        return eof.sum();
    }

    public long connectionErrors() {
        return connectionErrors.sum();
    }

    public long queued() {
        return queued.sum();
    }

    public long inFlight() {
        return inFlight.sum();
    }

    public long openConnections() {
        return openConnections.get();
    }

    public long dedicatedInUse() {
        return dedicatedInUse.get();
    }
}
