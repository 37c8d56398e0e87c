package io.rproxy.backend;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write side of one {@link BackendConnection}: its bounded outbox and the one path from there to the socket.
 * Requests are written in the order they were queued, many to a flush (STYLE.md habit 7), and each enters the
 * connection's in-flight queue just before its bytes are written, so the in-flight order is the wire order.
 *
 * <p><b>Invariant: whatever is in the outbox is always written by someone</b>, or failed by whoever closes the
 * connection or queues on it after the close ({@link Target#failAll}). A request is queued by its client's
 * thread, which defers the write to its {@link WriteBatch}; from then on exactly one of these writes it:
 * <ol>
 *   <li><b>The client that queued it</b>, when it flushes its batch ({@link #writeBatch}), which every client
 *       does before it waits for a reply and when it leaves. It claims the connection's next write, yields its
 *       carrier so that the other clients the same poll woke queue theirs (unless lately nobody did), then clears
 *       the claim and drains.</li>
 *   <li><b>The client holding the claim</b>, when the flushing client found the write claimed: the holder clears
 *       its claim before it reads the outbox, so it sees everything queued while the claim stood.</li>
 *   <li><b>The holder of the write lock</b>, when the draining client found the lock taken ({@link #drain} only
 *       tries it): the holder looks at the outbox again after unlocking, for {@link #MAX_DRAIN_ROUNDS} rounds.</li>
 *   <li><b>The writer thread</b> ({@code backend-<pool>-<server>-writer}), woken when a client has drained
 *       {@link #MAX_DRAIN_ROUNDS} rounds and more keeps coming, or when a sender finds the outbox full: it waits for
 *       the lock rather than trying it, and writes until the outbox is empty, so no client thread writes others'
 *       traffic for long and a full outbox is emptied even while every client waits for room.</li>
 * </ol>
 * Each hand-over is safe because the one handing over has published its request (queued it) before it reads the
 * claim or tries the lock, and the one taking over reads the outbox after clearing the claim or releasing the lock.
 *
 * <p>Threads: {@link #queue} and {@link #writeBatch} run on client threads; {@link #drain} on client threads and
 * the writer thread; the rest wherever the connection fails.
 */
final class ConnectionWriter {
    /**
     * Most yields of a client that has claimed writes: each lets every client that was ready to run queue its
     * requests once; it stops as soon as a yield brought nothing new.
     */
    static final int MAX_YIELDS = 4;
    /** Rounds of draining one client does (its own and others' requests) before it wakes the writer thread. */
    static final int MAX_DRAIN_ROUNDS = 4;

    /** The connection a writer writes for. Called by whichever thread is writing. */
    interface Target {
        /** {@code request} is about to be written: it is in flight from now on (its reply may beat the write). */
        void writing(BackendRequest request);

        boolean isOpen();

        /** The socket failed under a write (or the writer thread met the unexpected): the connection closes. */
        void failed(String reason);

        /** The bottom rung of the writer thread's catch ladder: logs once and closes the connection. */
        void unexpected(Throwable t);

        /**
         * Fails what is queued and in flight: called after a write that found the connection closed, since the
         * requests it moved in flight may have got there after the reader failed the rest.
         */
        void failAll();
    }

    private final OutputStream out;
    private final ArrayBlockingQueue<BackendRequest> outbox;
    private final ServerStats stats;
    private final Target target;
    /** Guards {@link #out}, and so the order in which requests are written and enter the in-flight queue. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Set while a client that is about to write lets others queue first (writer 2 of the class comment). */
    private final AtomicBoolean writeClaimed = new AtomicBoolean();
    /** Whether that client should yield at all; used by the claim holder only (see YieldHint). */
    private final YieldHint yieldHint = new YieldHint();
    private final Thread thread;

    ConnectionWriter(OutputStream out, int capacity, ServerStats stats, Target target,
                     BackendRuntime.BackendThreads threads, String threadName) {
        this.out = out;
        this.outbox = new ArrayBlockingQueue<>(capacity);
        this.stats = stats;
        this.target = target;
        this.thread = threads.newThread(threadName, this::writeLoop);
    }

    void start() {
        thread.start();
    }

    /** Wakes the writer thread so that it sees the connection closed and ends. */
    void stop() {
        thread.interrupt();
    }

    /**
     * Queues a request, to be written at the next flush of {@code batch}, and defers that write to it. Blocks
     * while the outbox is full (backpressure from a slow server).
     */
    void queue(BackendRequest request, WriteBatch batch) throws InterruptedException {
        if (!outbox.offer(request)) {
            // Full: write what is queued before waiting for room. Other clients' requests deferred to their
            // batches may be all that fills it, and they may be waiting for room too; the writer thread takes the
            // lock even when this thread cannot, so someone always empties the outbox.
            drain();
            LockSupport.unpark(thread);
            outbox.put(request);
        }
        stats.queued.increment();
        batch.defer(this);
    }

    /**
     * Writes the connections of one client's batch, sharing each write with the other clients ready to run: it
     * claims the connections' next writes and yields its carrier before making them, so the client threads that
     * the same poll woke queue their requests meanwhile and find the writes claimed: one write carries them all,
     * and the server reads them in one go. At pipeline 1 with 50 clients this took writes from 1.8 to 1.2 per
     * request, and throughput up by about a sixth (docs/benchmarks.md). With nothing else ready to run a yield
     * only costs (an unmount and remount, and the poller's round trip it lets in): each connection's
     * {@link YieldHint} stops yielding for a client that is alone. A connection whose write another client has
     * claimed is left to that client (writer 2). Clears {@code batch[0..size)}.
     */
    static void writeBatch(ConnectionWriter[] batch, int size) {
        int claimed = 0;
        for (int i = 0; i < size; i++) {
            ConnectionWriter writer = batch[i];
            batch[i] = null;
            if (writer.claim()) {
                batch[claimed++] = writer;
            }
        }
        if (claimed == 0) {
            return;
        }
        letOthersQueue(batch, claimed);
        for (int i = 0; i < claimed; i++) {
            ConnectionWriter writer = batch[i];
            batch[i] = null;
            writer.releaseClaimAndWrite();
        }
    }

    /**
     * Yields up to {@link #MAX_YIELDS} times while each yield brings more requests, unless the claimed connections'
     * {@link YieldHint}s say that yields have lately brought nobody's (a client alone): then it writes at once.
     */
    private static void letOthersQueue(ConnectionWriter[] claimed, int count) {
        boolean worthTrying = false;
        for (int i = 0; i < count; i++) {
            worthTrying |= claimed[i].yieldHint.tryYield(); // each counts its skipped flush
        }
        if (!worthTrying) {
            return;
        }
        int first = queuedOn(claimed, count);
        int before = first;
        for (int round = 0; round < MAX_YIELDS; round++) {
            Thread.yield();
            int now = queuedOn(claimed, count);
            if (now == before) {
                break;
            }
            before = now;
        }
        boolean othersQueued = before != first;
        for (int i = 0; i < count; i++) {
            claimed[i].yieldHint.yielded(othersQueued);
        }
    }

    private static int queuedOn(ConnectionWriter[] claimed, int count) {
        int total = 0;
        for (int i = 0; i < count; i++) {
            total += claimed[i].queued();
        }
        return total;
    }

    /** Claims the next write for the calling client; false when another client holds the claim (writer 2). */
    boolean claim() {
        return writeClaimed.compareAndSet(false, true);
    }

    /**
     * Ends a {@link #claim} and writes what is queued. The claim is cleared before the outbox is read: whoever
     * queued while it stood is in the outbox by then, and whoever comes later claims the write itself.
     */
    void releaseClaimAndWrite() {
        writeClaimed.set(false);
        drain();
    }

    /**
     * Writes what is queued unless another thread holds the write lock, who then writes it (writer 3). After
     * {@link #MAX_DRAIN_ROUNDS} rounds with more queued each time, hands the rest to the writer thread (writer 4).
     */
    void drain() {
        for (int round = 0; round < MAX_DRAIN_ROUNDS; round++) {
            if (!writeLock.tryLock()) {
                return;
            }
            try {
                writeQueued();
            } finally {
                writeLock.unlock();
            }
            if (outbox.isEmpty()) {
                return;
            }
        }
        LockSupport.unpark(thread);
    }

    /** Requests queued and not yet written. */
    int queued() {
        return outbox.size();
    }

    /** The oldest request queued and not yet written, or null. */
    BackendRequest oldestQueued() {
        return outbox.peek();
    }

    /** Takes the oldest queued request off the outbox to fail it; null when none is left. */
    BackendRequest takeQueued() {
        BackendRequest request = outbox.poll();
        if (request != null) {
            stats.queued.decrement();
        }
        return request;
    }

    /** Writes every queued request, in order, and flushes once. Caller holds {@link #writeLock}. */
    private void writeQueued() {
        // The counters are updated once per write rather than per request (a write carries many requests at
        // depth), and before the flush, as the replies may come back before it returns.
        int taken = 0;
        int written = 0;
        long bytes = 0;
        IOException failure = null;
        try {
            BackendRequest request;
            while ((request = outbox.poll()) != null) {
                taken++;
                target.writing(request); // before writing: the reply may come back before write() returns
                out.write(request.frame());
                written++;
                bytes += request.frame().length;
            }
        } catch (IOException e) {
            failure = e;
        }
        stats.queued.add(-taken);
        stats.requests.add(written);
        stats.requestBytes.add(bytes);
        if (failure == null && written > 0) {
            try {
                out.flush();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            target.failed("write failed: " + ServerSocketOpener.describe(failure));
        }
        if (!target.isOpen()) {
            target.failAll(); // the reader may have finished failing what was in flight before these got there
        }
    }

    /** The writer thread (writer 4): parked while there is nothing for it. */
    private void writeLoop() {
        try {
            while (target.isOpen()) {
                LockSupport.park(this);
                while (!outbox.isEmpty() && target.isOpen()) {
                    writeLock.lock();
                    try {
                        writeQueued();
                    } finally {
                        writeLock.unlock();
                    }
                }
            }
        } catch (Throwable t) {
            // Nothing is expected here (write errors are handled in writeQueued): whatever it is, the connection
            // cannot be trusted, and the clients waiting on it must hear so rather than hang.
            target.unexpected(t);
        }
    }
}
