package io.rproxy.backend;

/**
 * Who sends a request: a client, whose requests to one server share a connection and so stay in order, and whose
 * writes may wait in a {@link WriteBatch} until it awaits a reply, and whose replies are counted in its
 * {@link OutputBuffer} until it takes them. Used by the sender's own thread only.
 */
public interface Sender {
    /** Picks the sender's connection to each server: equal affinities, equal connections. */
    long affinity();

    /** Where this sender's writes wait until it awaits a reply. */
    WriteBatch writes();

    /** What the replies to this sender are charged to as they land; null when they are not counted. */
    OutputBuffer output();
}
