package io.rproxy.backend;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.resp.RespCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-overs of {@link ConnectionWriter}'s invariant ("whatever is in the outbox is always written by
 * someone"), each made deterministic over a recording stream: who writes a request, in which flush, in what order.
 */
class ConnectionWriterTest {
    private static final String WRITER_THREAD = "backend-test-writer";

    private final Recording stream = new Recording();
    private final FakeTarget target = new FakeTarget();
    private final List<ConnectionWriter> writers = new ArrayList<>();

    @AfterEach
    void stopWriters() {
        target.closed = "test over";
        writers.forEach(ConnectionWriter::stop);
    }

    private ConnectionWriter writer(int capacity) {
        ConnectionWriter writer = new ConnectionWriter(stream, capacity, new ServerStats(), target,
                (name, task) -> Thread.ofVirtual().name(name).unstarted(task), WRITER_THREAD);
        target.writer = writer;
        writers.add(writer);
        writer.start();
        return writer;
    }

    private static BackendRequest request(String key) {
        return new BackendRequest(RespCommand.of("GET", key).frame());
    }

    @Test
    void aFlushWritesItsBatchInOneFlushAndEmptiesTheBatch() throws Exception {
        ConnectionWriter writer = writer(16);
        WriteBatch batch = new WriteBatch();
        BackendRequest a = request("a");
        BackendRequest b = request("b");
        writer.queue(a, batch);
        writer.queue(b, batch);
        assertEquals(List.of(), stream.keys(), "queueing writes nothing: the batch is flushed before a wait");

        batch.flush();
        assertEquals(List.of("a", "b"), stream.keys());
        assertEquals(1, stream.flushes.get(), "one flush for the batch");
        assertEquals(List.of(a, b), List.copyOf(target.inFlight), "in flight in wire order");
        batch.flush();
        assertEquals(1, stream.flushes.get(), "the batch was emptied");
    }

    @Test
    void aClientThatFindsTheWriteClaimedLeavesItsRequestToTheClaimHolder() throws Exception {
        ConnectionWriter writer = writer(16);
        WriteBatch mine = new WriteBatch();
        WriteBatch theirs = new WriteBatch();
        writer.queue(request("mine"), mine);
        assertTrue(writer.claim(), "this client is between its claim and its write (yielding to others)");

        writer.queue(request("theirs"), theirs);
        theirs.flush();
        assertEquals(List.of(), stream.keys(), "the other client left its request to the claim holder");
        assertEquals(2, writer.queued());

        writer.releaseClaimAndWrite();
        assertEquals(List.of("mine", "theirs"), stream.keys());
        assertEquals(List.of(me(), me()), stream.threads(), "both written by the claim holder");
        assertEquals(1, stream.flushes.get(), "one write carried both clients' requests");
    }

    @Test
    void aClientThatFindsTheLockTakenLeavesItsRequestToTheLockHolder() throws Exception {
        ConnectionWriter writer = writer(16);
        stream.blockFirstFlush();
        Thread holder = Thread.ofVirtual().name("client-holder").start(() -> queueAndFlush(writer, "first"));
        // Past its last look at the outbox for this round, still holding the lock.
        assertTrue(stream.inBlockedFlush.await(20, TimeUnit.SECONDS), "the holder is flushing");

        WriteBatch mine = new WriteBatch();
        writer.queue(request("second"), mine);
        mine.flush(); // tries the lock, finds it taken, and returns at once
        assertEquals(1, writer.queued(), "left to the lock holder");

        stream.releaseFlush.countDown();
        holder.join(Duration.ofSeconds(20));
        assertEquals(List.of("first", "second"), stream.keys());
        assertEquals(List.of("client-holder", "client-holder"), stream.threads(),
                "the holder looked at the outbox again after unlocking and wrote it");
    }

    @Test
    void aClientHandsTheRestToTheWriterThreadAfterItsDrainRounds() throws Exception {
        ConnectionWriter writer = writer(16);
        WriteBatch others = new WriteBatch();
        AtomicInteger queuedByOthers = new AtomicInteger();
        Thread client = Thread.ofVirtual().name("client-busy").unstarted(() -> queueAndFlush(writer, "r0"));
        // Each flush on the client's thread ends a drain round; another client queues during every one of them.
        stream.onFlush = thread -> {
            if (thread == client) {
                try {
                    writer.queue(request("r" + queuedByOthers.incrementAndGet()), others);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        client.start();
        client.join(Duration.ofSeconds(20));

        int rounds = ConnectionWriter.MAX_DRAIN_ROUNDS;
        await().atMost(Duration.ofSeconds(20)).until(() -> stream.keys().size() == rounds + 1);
        List<String> expectedThreads = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            expectedThreads.add("client-busy");
        }
        expectedThreads.add(WRITER_THREAD);
        assertEquals(expectedThreads, stream.threads(), "the client stopped after its rounds; the writer wrote the rest");
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), stream.keys());
    }

    @Test
    void aSenderThatFindsTheOutboxFullWritesWhatOthersQueuedBeforeWaitingForRoom() throws Exception {
        ConnectionWriter writer = writer(2);
        WriteBatch others = new WriteBatch(); // never flushed: its client is, say, blocked elsewhere
        writer.queue(request("a"), others);
        writer.queue(request("b"), others);

        WriteBatch mine = new WriteBatch();
        writer.queue(request("c"), mine); // full: drains first, so it does not wait for room that never comes
        assertEquals(List.of("a", "b"), stream.keys().subList(0, 2)); // the writer thread, woken too, may write c
        assertEquals(List.of(me(), me()), stream.threads().subList(0, 2), "by the sender itself");
        mine.flush();
        assertEquals(List.of("a", "b", "c"), stream.keys());
    }

    @Test
    void aFailedWriteClosesTheConnectionAndFailsWhatIsQueued() throws Exception {
        ConnectionWriter writer = writer(16);
        stream.failWrites = true;
        WriteBatch batch = new WriteBatch();
        writer.queue(request("a"), batch);
        batch.flush();
        assertEquals("write failed: broken pipe", target.closed);
        assertEquals(1, target.failAlls.get(), "what the write had moved in flight is failed by the writer");
    }

    private static String me() {
        return Thread.currentThread().getName();
    }

    private static void queueAndFlush(ConnectionWriter writer, String key) {
        WriteBatch batch = new WriteBatch();
        try {
            writer.queue(request(key), batch);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        batch.flush();
    }

    /** Records each frame written (its key) with the name of the thread that wrote it, and counts flushes. */
    private static final class Recording extends OutputStream {
        final Queue<Write> writes = new ConcurrentLinkedQueue<>();
        final AtomicInteger flushes = new AtomicInteger();
        final CountDownLatch inBlockedFlush = new CountDownLatch(1);
        final CountDownLatch releaseFlush = new CountDownLatch(1);
        volatile boolean blockFirst;
        volatile boolean failWrites;
        volatile Consumer<Thread> onFlush = thread -> { };

        void blockFirstFlush() {
            blockFirst = true;
        }

        @Override
        public void write(byte[] frame) throws IOException {
            if (failWrites) {
                throw new IOException("broken pipe");
            }
            writes.add(new Write(Thread.currentThread().getName(), keyOf(frame)));
        }

        @Override
        public void write(int b) {
            throw new UnsupportedOperationException("the writer writes whole frames");
        }

        @Override
        public void flush() throws IOException {
            flushes.incrementAndGet();
            if (blockFirst) {
                blockFirst = false;
                inBlockedFlush.countDown();
                try {
                    releaseFlush.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            onFlush.accept(Thread.currentThread());
        }

        List<String> keys() {
            return writes.stream().map(Write::key).toList();
        }

        List<String> threads() {
            return writes.stream().map(Write::thread).toList();
        }

        /** The key of "*2\r\n$3\r\nGET\r\n$N\r\nKEY\r\n". */
        private static String keyOf(byte[] frame) {
            String text = new String(frame, StandardCharsets.US_ASCII);
            String[] lines = text.split("\r\n");
            return lines[lines.length - 1];
        }
    }

    private record Write(String thread, String key) {
    }

    /** The connection side: records what is put in flight and whether it was closed. */
    private static final class FakeTarget implements ConnectionWriter.Target {
        final Queue<BackendRequest> inFlight = new ConcurrentLinkedQueue<>();
        final AtomicInteger failAlls = new AtomicInteger();
        volatile String closed;
        volatile ConnectionWriter writer;

        @Override
        public void writing(BackendRequest request) {
            inFlight.add(request);
        }

        @Override
        public boolean isOpen() {
            return closed == null;
        }

        @Override
        public void failed(String reason) {
            if (closed == null) {
                closed = reason;
            }
        }

        @Override
        public void unexpected(Throwable t) {
            failed("unexpected: " + t);
        }

        @Override
        public void failAll() {
            failAlls.incrementAndGet();
            while (writer.takeQueued() != null) {
                // nothing to complete here: the test looks at what was written
            }
        }
    }
}
