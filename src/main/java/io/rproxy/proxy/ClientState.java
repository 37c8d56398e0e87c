package io.rproxy.proxy;

/**
 * What the proxy remembers about one client connection between its commands. Touched only by that client's
 * session thread.
 */
final class ClientState {
    private final long id;
    private boolean authenticated;
    private boolean quitting;
    private String name = "";

    ClientState(long id, boolean authenticated) {
        this.id = id;
        this.authenticated = authenticated;
    }

    /** Unique per proxy process; also picks the client's connection to each backend. */
    long id() {
        return id;
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
