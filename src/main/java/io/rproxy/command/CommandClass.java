package io.rproxy.command;

import java.util.Locale;

/**
 * How rproxy serves a command. Every runnable entry of the command table has exactly one class, given by the
 * hand-written {@code command-classes.tsv} ({@link CommandClasses}); the names here are that file's spelling.
 */
public enum CommandClass {
    /** Sent untouched to the server that owns its keys; keys on several servers get -CROSSSLOT. */
    FORWARD,
    /** Keys spread over servers: one part per server, the parts' replies merged ({@link Splitter}). */
    SPLIT,
    /** Answered by the proxy itself ({@link LocalCommands}). */
    LOCAL,
    /** No key, and every server gives the same answer (COMMAND DOCS, help texts): sent to any one server. */
    ANY,
    /** Keyless, for the whole pool (FLUSHDB, DBSIZE, SCRIPT LOAD, SCAN): sent to every server, replies merged. */
    ALL,
    /** Meaningless or unsafe through a sharding proxy: refused with an error, the connection stays open. */
    REFUSE,
    /**
     * Holds state on a backend connection (transactions, blocking commands): run on a connection the client's
     * session leases for as long as the state lasts, never on a shared one.
     */
    STATEFUL,
    /**
     * Names pub/sub channels, which a pool places as it places keys (same hash, distribution, hash tag) though the
     * command table does not call them keys: PUBLISH goes to its channel's server, PUBSUB NUMSUB asks each
     * channel's server ({@code ChannelCommands}).
     */
    CHANNEL;

    /** The file's spelling: lower case. */
    String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static CommandClass ofFileName(String name) {
        for (CommandClass c : values()) {
            if (c.fileName().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown class '" + name + "'");
    }
}
