package io.rproxy.proxy;

import io.rproxy.backend.OutputBuffer;
import io.rproxy.backend.Sender;
import io.rproxy.backend.WriteBatch;

/**
 * What the proxy remembers about one client connection between its commands, and the sender of its backend
 * requests. Touched only by that client's session thread.
 */
final class ClientState implements Sender {
    private final long id;
    private final WriteBatch writes = new WriteBatch();
    /** Null for a client state made outside a session (tests): its replies are not counted. */
    private final OutputBuffer output;
    private boolean authenticated;
    private boolean quitting;
    private String name = "";
    private final Transaction transaction = new Transaction();
    private SessionHooks hooks = SessionHooks.NONE;
    /** Null for a client state made outside a session (tests): it cannot subscribe. */
    private Subscriptions subscriptions;

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
        this.id = id;
        this.authenticated = authenticated;
        this.output = output;
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

    void subscriptions(Subscriptions value) {
        subscriptions = value;
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
