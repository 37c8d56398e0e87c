package io.rproxy.proxy;

import io.rproxy.backend.BackendException;
import io.rproxy.backend.DedicatedConnection;
import io.rproxy.backend.ProxyError;
import io.rproxy.backend.Targets;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's subscribed mode: SUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBEs on each channel's server, PSUBSCRIBE
 * and PUNSUBSCRIBE on every server. The client has a subscriber connection per server it uses (a
 * {@link DedicatedConnection} leased for the purpose), each read by its own virtual thread
 * ({@code client-<id>-sub-<target>}), which hands what its server pushes, in the server's order, to the client's
 * one pusher thread ({@code client-<id>-push}): messages untouched, acknowledgements with the client-wide count
 * (Redis's; shard channels counted apart), set and queued as one step under the client output's lock, so counts
 * rise and fall in the order the client reads them. What is queued is bounded in bytes by the pool's
 * client_output_buffer_limit: a client that never reads is disconnected.
 *
 * <p>Each channel of a command is subscribed in turn, the next sent once the previous one's acknowledgement is
 * written, so acknowledgements come in the command's order as from Redis, and the session's next reply follows
 * them. A pattern is acknowledged by every server; the reader of the last writes the client's one
 * acknowledgement (a pmessage of a server that acknowledged earlier may precede it). A cluster broadcasts every
 * PUBLISH to every node, so each master pushes a pattern's message: only the channel's own master's copy passes. After the last unsubscribe,
 * RESET, or when the client leaves, the subscriber connections are closed and the client is a normal connection
 * again. A subscriber connection that dies ends the client's connection with an error, so that its library
 * reconnects and subscribes again.
 *
 * <p>The commands run on the session's thread; the sets are shared with the readers under {@link ClientOutput#lock}.
 */
final class Subscriptions {
    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);
    /** What Redis allows a client in subscribed mode (its error lists them). */
    private static final Set<String> ALLOWED = Set.of("subscribe", "unsubscribe", "psubscribe", "punsubscribe",
            "ssubscribe", "sunsubscribe", "ping", "quit", "reset");
    private static final byte[] UNSUBSCRIBE = "unsubscribe".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PUNSUBSCRIBE = "punsubscribe".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUNSUBSCRIBE = "sunsubscribe".getBytes(StandardCharsets.US_ASCII);
    private static final Reply PONG = Reply.array(List.of(Reply.bulk("pong".getBytes(StandardCharsets.US_ASCII)),
            Reply.bulk(new byte[0])));

    private static final byte[] PMESSAGE = "pmessage".getBytes(StandardCharsets.US_ASCII);

    private final long clientId;
    private final ClientOutput out;
    private final Socket client;
    /** The client's channels, as ISO-8859-1 strings of their bytes; guarded by {@code out.lock}. */
    private final Set<String> channels = new LinkedHashSet<>();
    /** The client's shard channels (SSUBSCRIBE), counted apart as Redis counts them; guarded by {@code out.lock}. */
    private final Set<String> shardChannels = new LinkedHashSet<>();
    /** The client's patterns, likewise; each is subscribed on every server. Guarded by {@code out.lock}. */
    private final Set<String> patterns = new LinkedHashSet<>();
    /**
     * Servers still to acknowledge the pattern (un)subscription under way: every server acknowledges it, and the
     * reader of the last one writes the client's one acknowledgement.
     */
    private final java.util.concurrent.atomic.AtomicInteger patternAcks = new java.util.concurrent.atomic.AtomicInteger();
    /** Written under {@code out.lock} by readers, read by the session: whether the client is in subscribed mode. */
    private volatile int count;
    /**
     * The sizes of {@link #channels}, {@link #patterns} and {@link #shardChannels}, written with {@link #count}, for
     * CLIENT LIST on another client's thread (which must not wait for this client's output lock).
     */
    private volatile int channelCount;
    private volatile int patternCount;
    private volatile int shardChannelCount;
    /** Session thread only: the subscriber connection of each target used. */
    private final Map<Integer, Subscriber> byTarget = new HashMap<>();
    /** One permit per acknowledgement a reader has written (or many once a reader died). */
    private final Semaphore acks = new Semaphore(0);
    private volatile boolean failed;
    /**
     * What the readers have pushed for the client and the pusher has not written yet: bounded in bytes by the
     * pool's client_output_buffer_limit (as Redis bounds a subscriber by client-output-buffer-limit pubsub), so a
     * client that never reads is disconnected rather than hold its readers (and their servers) back.
     */
    private final java.util.concurrent.LinkedBlockingQueue<Push> pushed = new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.concurrent.atomic.AtomicLong pushedBytes = new java.util.concurrent.atomic.AtomicLong();
    /** Bytes the client may leave unread; 0 for no bound. Set by each command from its pool. */
    private volatile long limit;
    /**
     * Session thread only: the thread that writes {@link #pushed} to the client, from the first subscription to
     * the client's leaving (one for the session, so that what it writes keeps the readers' order).
     */
    private Thread pusher;

    /** A frame for the client; an acknowledgement releases the session's wait once it is written. */
    private record Push(byte[] bytes, boolean ack) {
        static final Push STOP = new Push(new byte[0], false);
    }

    private record Subscriber(DedicatedConnection connection, Thread reader) {}

    Subscriptions(long clientId, ClientOutput out, Socket client) {
        this.clientId = clientId;
        this.out = out;
        this.client = client;
    }

    /** Whether the client is subscribed to anything: only {@link #allowed} commands then run. */
    boolean active() {
        return count > 0;
    }

    /** CLIENT LIST's {@code sub}, {@code psub} and {@code ssub}; any thread. */
    int channelCount() {
        return channelCount;
    }

    int patternCount() {
        return patternCount;
    }

    int shardChannelCount() {
        return shardChannelCount;
    }

    /** Under {@code out.lock}, after the sets changed. */
    private void counted() {
        channelCount = channels.size();
        patternCount = patterns.size();
        shardChannelCount = shardChannels.size();
        count = channelCount + patternCount + shardChannelCount;
    }

    /** Redis's error for a command a subscribed client may not send; null when it may. */
    static Reply refusal(String name) {
        if (ALLOWED.contains(name)) {
            return null;
        }
        return Reply.error("ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT"
                + " / RESET are allowed in this context");
    }

    /** PING in subscribed mode: {@code ["pong", message]}, as Redis answers it there. */
    static Reply ping(RespCommand command) {
        if (command.argCount() < 2) {
            return PONG;
        }
        return Reply.array(List.of(Reply.bulk("pong".getBytes(StandardCharsets.US_ASCII)),
                Reply.bulk(command.arg(1))));
    }

    /** SUBSCRIBE or UNSUBSCRIBE; the acknowledgements are written to the client before this returns. */
    Reply run(String name, RespCommand command, Pool pool, ClientState state) {
        state.hooks().settle(); // the replies owed before this command go first
        limit = pool.config().clientOutputBufferLimit();
        if (pusher == null) {
            pusher = Thread.ofVirtual().name("client-" + clientId + "-push").start(this::push);
        }
        try {
            switch (name) {
                case "subscribe", "ssubscribe" -> {
                    for (int i = 1; i < command.argCount(); i++) {
                        subscribe(command, i, pool);
                    }
                }
                case "psubscribe" -> {
                    for (int i = 1; i < command.argCount(); i++) {
                        psubscribe(command.arg(0), command.arg(i), pool);
                    }
                }
                case "punsubscribe" -> punsubscribe(command, pool);
                case "sunsubscribe" -> unsubscribe(command, pool, SUNSUBSCRIBE, shardChannels);
                default -> unsubscribe(command, pool, UNSUBSCRIBE, channels);
            }
        } catch (BackendException e) {
            return ProxyError.of(e.getMessage());
        }
        if (count == 0) {
            leave(); // Redis: after the last unsubscribe the connection is normal again
        }
        return Reply.NONE;
    }

    private void subscribe(RespCommand command, int arg, Pool pool) {
        int routed = pool.route(command.frame(), command.argOffset(arg), command.argLength(arg));
        if (routed == Targets.NONE) {
            throw new BackendException(Errors.noServer(pool.name()).errorMessage());
        }
        int target = pool.targets().serverTarget(routed);
        Subscriber subscriber = byTarget.get(target);
        if (subscriber == null) {
            subscriber = open(pool, target);
            byTarget.put(target, subscriber);
        }
        subscriber.connection().send(RespCommand.of(List.of(command.arg(0), command.arg(arg))).frame());
        awaitAck(pool, pool.targets().describe(target));
    }

    /** On every server: a channel of the pattern may live on any. */
    private void psubscribe(byte[] name, byte[] pattern, Pool pool) {
        for (int target : pool.targets().everyTarget()) {
            if (!byTarget.containsKey(target)) {
                byTarget.put(target, open(pool, target));
            }
        }
        patternAcks.set(byTarget.size());
        byte[] frame = RespCommand.of(List.of(name, pattern)).frame();
        for (Subscriber subscriber : byTarget.values()) {
            subscriber.connection().send(frame);
        }
        awaitAck(pool, "a server of pool '" + pool.name() + "'");
    }

    private void punsubscribe(RespCommand command, Pool pool) {
        List<byte[]> names = new ArrayList<>();
        for (int i = 1; i < command.argCount(); i++) {
            names.add(command.arg(i));
        }
        if (names.isEmpty()) {
            names.addAll(snapshot(patterns));
            if (names.isEmpty()) {
                writeLocally(PUNSUBSCRIBE, null);
            }
        }
        for (byte[] pattern : names) {
            if (!holds(patterns, pattern)) {
                writeLocally(PUNSUBSCRIBE, pattern);
                continue;
            }
            patternAcks.set(byTarget.size());
            byte[] frame = RespCommand.of(List.of(PUNSUBSCRIBE, pattern)).frame();
            for (Subscriber subscriber : byTarget.values()) {
                subscriber.connection().send(frame);
            }
            awaitAck(pool, "a server of pool '" + pool.name() + "'");
        }
    }

    private List<byte[]> snapshot(Set<String> set) {
        out.lock.lock();
        try {
            return set.stream().map(c -> c.getBytes(StandardCharsets.ISO_8859_1)).toList();
        } finally {
            out.lock.unlock();
        }
    }

    private void unsubscribe(RespCommand command, Pool pool, byte[] kind, Set<String> held) {
        List<byte[]> names = new ArrayList<>();
        for (int i = 1; i < command.argCount(); i++) {
            names.add(command.arg(i));
        }
        if (names.isEmpty()) {
            names.addAll(snapshot(held));
            if (names.isEmpty()) {
                writeLocally(kind, null); // Redis: one acknowledgement with a nil channel
            }
        }
        for (byte[] channel : names) {
            int routed = pool.route(channel, 0, channel.length);
            Subscriber subscriber = routed == Targets.NONE ? null : byTarget.get(pool.targets().serverTarget(routed));
            if (subscriber == null || !holds(held, channel)) {
                writeLocally(kind, channel); // not subscribed: Redis acknowledges it all the same
                continue;
            }
            subscriber.connection().send(RespCommand.of(List.of(kind, channel)).frame());
            awaitAck(pool, pool.targets().describe(pool.targets().serverTarget(routed)));
        }
    }

    private boolean holds(Set<String> set, byte[] channel) {
        out.lock.lock();
        try {
            return set.contains(new String(channel, StandardCharsets.ISO_8859_1));
        } finally {
            out.lock.unlock();
        }
    }

    private void writeLocally(byte[] kind, byte[] channel) {
        out.lock.lock();
        try {
            out.write(ack(kind, channel == null ? Reply.NULL_BULK : Reply.bulk(channel)).bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            out.lock.unlock();
        }
    }

    private Reply ack(byte[] kind, Reply channel) {
        // Redis counts shard channels apart from channels and patterns.
        String name = new String(kind, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        boolean shard = name.equals("ssubscribe") || name.equals("sunsubscribe");
        int n = shard ? shardChannels.size() : channels.size() + patterns.size();
        return Reply.array(List.of(Reply.bulk(kind), channel, Reply.integer(n)));
    }

    /**
     * Waits for the acknowledgement of what was just sent, within the pool's {@code timeout} (forever without one,
     * as for any request). A server that does not acknowledge in time fails the subscription as a dead subscriber
     * connection does: the client gets an error naming it and its connection ends, so its library subscribes
     * again.
     */
    private void awaitAck(Pool pool, String awaited) {
        Optional<Duration> timeout = pool.config().timeout();
        if (timeout.isEmpty()) {
            acks.acquireUninterruptibly();
        } else if (!tryAcquireAck(timeout.get())) {
            String why = awaited + " did not acknowledge the subscription within " + timeout.get().toMillis() + " ms";
            log.info("client {}: {}; disconnecting the client so that it subscribes again", clientId, why);
            writeQuietly(ProxyError.of(why));
            fail();
        }
        if (failed) {
            throw new UncheckedIOException(new IOException("a subscriber connection of client " + clientId
                    + " failed"));
        }
    }

    private boolean tryAcquireAck(Duration timeout) {
        try {
            return acks.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Subscriber open(Pool pool, int target) {
        DedicatedConnection connection = pool.targets().lease(target);
        Thread reader = Thread.ofVirtual().name("client-" + clientId + "-sub-" + target)
                .start(() -> read(connection, pool.targets(), target));
        return new Subscriber(connection, reader);
    }

    /** A reader's loop and catch ladder: until the connection is closed by {@link #leave} or fails. */
    private void read(DedicatedConnection connection, Targets targets, int target) {
        try {
            Reply pushed;
            while ((pushed = connection.readPushed()) != null) {
                deliver(pushed, targets, target);
            }
        } catch (BackendException e) {
            log.info("client {}: {}; disconnecting the client so that it subscribes again", clientId,
                    e.getMessage());
            writeQuietly(ProxyError.of(e.getMessage()));
            fail();
        } catch (IOException | UncheckedIOException e) {
            log.debug("client {}: writing a pushed message failed: {}", clientId, e.getMessage());
            fail();
        } catch (RuntimeException | Error e) {
            log.error("client {} subscriber reader failed in {}", clientId, Thread.currentThread().getName(), e);
            fail();
        }
    }

    private void deliver(Reply pushed, Targets targets, int target) throws IOException {
        List<Reply> parts = pushed.type() == '*' ? pushed.elements() : List.of();
        if (parts.size() == 4 && isBulk(parts.getFirst(), PMESSAGE)
                && !targets.passesPatternMessage(target, parts.get(2).bulkValue())) {
            return; // a cluster's copy from a node other than the channel's master: that one passes it on
        }
        String kind = parts.size() == 3 && parts.get(0).type() == '$'
                ? new String(parts.get(0).bulkValue(), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT) : "";
        boolean pattern = kind.equals("psubscribe") || kind.equals("punsubscribe");
        boolean shard = kind.equals("ssubscribe") || kind.equals("sunsubscribe");
        if (!pattern && !shard && !kind.equals("subscribe") && !kind.equals("unsubscribe")) {
            enqueue(new Push(pushed.bytes(), false)); // a message: untouched, in the server's order
            return;
        }
        if (pattern && patternAcks.decrementAndGet() > 0) {
            return; // another server's acknowledgement of it is still to come
        }
        String channel = new String(parts.get(1).bulkValue(), StandardCharsets.ISO_8859_1);
        out.lock.lock();
        try {
            Set<String> set = pattern ? patterns : shard ? shardChannels : channels;
            if (!kind.contains("unsubscribe")) {
                set.add(channel);
            } else {
                set.remove(channel);
            }
            counted();
            enqueue(new Push(ack(parts.get(0).bulkValue(), parts.get(1)).bytes(), true)); // in count order
        } finally {
            out.lock.unlock();
        }
    }

    /** Hands a frame to the pusher; past the limit the client is disconnected, as Redis disconnects it. */
    private void enqueue(Push push) throws IOException {
        long held = pushedBytes.addAndGet(push.bytes().length);
        long bound = limit;
        if (bound > 0 && held > bound) {
            log.warn("client {} disconnected: it left {} bytes of pushed messages unread, past its pool's"
                    + " client_output_buffer_limit", clientId, held);
            throw new IOException("client " + clientId + " over its output limit");
        }
        pushed.add(push);
    }

    /** The pusher's loop: writes what the readers pushed, in their order, until {@link #leave} stops it. */
    private void push() {
        try {
            Push push;
            while ((push = pushed.take()) != Push.STOP) {
                out.write(push.bytes());
                pushedBytes.addAndGet(-push.bytes().length);
                if (push.ack()) {
                    acks.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("client {}: writing a pushed message failed: {}", clientId, e.getMessage());
            fail();
        } catch (RuntimeException | Error e) {
            log.error("client {} pusher failed in {}", clientId, Thread.currentThread().getName(), e);
            fail();
        }
    }

    private void writeQuietly(Reply error) {
        try {
            out.write(error.bytes());
        } catch (IOException e) {
            log.debug("client {}: {}", clientId, e.getMessage());
        }
    }

    /** Ends the client's connection: its session's read fails, and its finally calls {@link #leave}. */
    private void fail() {
        failed = true;
        acks.release(Integer.MAX_VALUE / 2);
        try {
            client.close();
        } catch (IOException e) {
            log.debug("client {}: {}", clientId, e.getMessage());
        }
    }

    /** The client left: {@link #leave}, and the pusher stops once it has written what was pushed before. */
    void close() {
        leave();
        if (pusher != null) {
            pushed.add(Push.STOP);
            pusher = null;
        }
    }

    /** Closes every subscriber connection and forgets every subscription (the client left, RESET, or none left). */
    void leave() {
        for (Subscriber subscriber : byTarget.values()) {
            subscriber.connection().abort();
            subscriber.connection().release(false);
        }
        byTarget.clear();
        out.lock.lock();
        try {
            channels.clear();
            patterns.clear();
            shardChannels.clear();
            counted();
        } finally {
            out.lock.unlock();
        }
    }

    private static boolean isBulk(Reply reply, byte[] lowerCase) {
        return reply.type() == '$' && Arrays.equals(reply.bulkValue(), lowerCase);
    }
}
