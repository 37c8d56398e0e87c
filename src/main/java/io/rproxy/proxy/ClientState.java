package io.rproxy.proxy;

import io.rproxy.backend.OutputBuffer;
import io.rproxy.backend.Sender;
import io.rproxy.backend.WriteBatch;
import java.util.function.Supplier;

/**
 * What the proxy remembers about one client connection between its commands, and the sender of its backend
 * requests. Touched only by that client's session thread, except what CLIENT LIST and KILL read from another
 * client's thread: the link, the name, the times, the last command and the state's counts (queued, subscribed,
 * blocked).
 */
final class ClientState implements Sender {
    private final long id;
    private final WriteBatch writes = new WriteBatch();
    /** Null for a client state made outside a session (tests): its replies are not counted. */
    private final OutputBuffer output;
    private boolean authenticated;
    private boolean quitting;
    /** Volatile: CLIENT LIST reads it on another client's thread. */
    private volatile String name = "";
    private final ClientLink link;
    /** System.nanoTime when the client connected, for CLIENT LIST's age. */
    private final long connectedAt = System.nanoTime();
    /**
     * System.nanoTime of the last command, for CLIENT LIST's idle; volatile, and written after
     * {@link #lastCommand}, so that a reader that reads it first sees that command's name (or a later one).
     */
    private volatile long lastCommandAt = connectedAt;
    /** The full name of the last known command ({@code client|list}); null before any. */
    private String lastCommand;
    private final Transaction transaction = new Transaction();
    private SessionHooks hooks = SessionHooks.NONE;
    /**
     * Made at the client's first subscribing command ({@link #startSubscriptions}): most clients never subscribe,
     * and one costs about half a kilobyte per connection. Null until then. Volatile: written by the session's
     * thread, read by CLIENT LIST on another.
     */
    private volatile Subscriptions subscriptions;
    /** What makes {@link #subscriptions}; null for a state made outside a session (tests): it cannot subscribe. */
    private Supplier<Subscriptions> subscriptionsFactory;
    /** While a blocking command waits on its dedicated connection: CLIENT LIST's flag {@code b}. */
    private volatile boolean blocked;

    /**
     * What a stateful command, which runs on the session's thread inside dispatch, needs from the session. Called
     * on the session's thread only.
     */
    interface SessionHooks {
        SessionHooks NONE = new SessionHooks() {
            @Override
            public void settle() {
            }

            @Override
            public void watchForLeave(Runnable onLeave) {
            }
        };

        /**
         * Writes the requests queued and the replies owed to the client, so that what a dedicated connection runs
         * now runs after them and its reply follows theirs.
         *
         * @throws java.io.UncheckedIOException when the client's socket fails
         */
        void settle();

        /** While a blocking command waits: {@code onLeave} runs, on another thread, if the client closes. */
        void watchForLeave(Runnable onLeave);
    }

    ClientState(long id, boolean authenticated) {
        this(id, authenticated, null);
    }

    ClientState(long id, boolean authenticated, OutputBuffer output) {
        this(id, authenticated, output, ClientLink.NONE);
    }

    ClientState(long id, boolean authenticated, OutputBuffer output, ClientLink link) {
        this.id = id;
        this.authenticated = authenticated;
        this.output = output;
        this.link = link;
    }

    /** Where the client is connected, and its pool's other clients. */
    ClientLink link() {
        return link;
    }

    /**
     * A command arrived: the hot path's one bookkeeping for CLIENT LIST, a plain and a volatile write.
     *
     * @param fullName null for a command the table does not know (Redis, too, keeps the last known one)
     * @param at       System.nanoTime when it was read
     */
    void commandArrived(String fullName, long at) {
        if (fullName != null) {
            lastCommand = fullName;
        }
        lastCommandAt = at;
    }

    long connectedAt() {
        return connectedAt;
    }

    long lastCommandAt() {
        return lastCommandAt;
    }

    /** Read after {@link #lastCommandAt()} by another thread; null before any command. */
    String lastCommand() {
        return lastCommand;
    }

    /** Unique per proxy process. */
    long id() {
        return id;
    }

    /** The client's id picks its connection to each backend. */
    @Override
    public long affinity() {
        return id;
    }

    @Override
    public WriteBatch writes() {
        return writes;
    }

    @Override
    public OutputBuffer output() {
        return output;
    }

    Transaction transaction() {
        return transaction;
    }

    SessionHooks hooks() {
        return hooks;
    }

    void hooks(SessionHooks value) {
        hooks = value;
    }

    Subscriptions subscriptions() {
        return subscriptions;
    }

    /** The session says how its subscribed mode is made, should the client subscribe. */
    void subscriptionsOnDemand(Supplier<Subscriptions> factory) {
        subscriptionsFactory = factory;
    }

    /** The client's subscribed mode, made now if this is its first subscribing command; null outside a session. */
    Subscriptions startSubscriptions() {
        if (subscriptions == null && subscriptionsFactory != null) {
            subscriptions = subscriptionsFactory.get();
        }
        return subscriptions;
    }

    /**
     * Whether the client is in a state that lives on dedicated connections and rproxy's queue: inside MULTI,
     * WATCHing, or subscribed. Its session stays on the generation the state began on until it ends.
     */
    boolean holdsState() {
        return transaction.queuing() || transaction.watching() != null
                || subscriptions != null && subscriptions.active();
    }

    boolean blocked() {
        return blocked;
    }

    void blocked(boolean value) {
        blocked = value;
    }

    boolean authenticated() {
        return authenticated;
    }

    void authenticate() {
        authenticated = true;
    }

    /** RESET: back to a new connection's state; {@code authenticated} as a new connection starts. */
    void reset(boolean authenticatedAtStart) {
        authenticated = authenticatedAtStart;
        name = "";
        transaction.abandon(); // RESET discards MULTI and ends WATCH, as in Redis
        if (subscriptions != null) {
            subscriptions.leave(); // and leaves subscribed mode
        }
    }

    /** Set by CLIENT SETNAME or HELLO SETNAME; empty when none. */
    String name() {
        return name;
    }

    void name(String value) {
        name = value;
    }

    /** The client sent QUIT: its session writes the pending replies, then closes. */
    boolean quitting() {
        return quitting;
    }

    void quit() {
        quitting = true;
    }
}
