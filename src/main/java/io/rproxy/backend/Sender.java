package io.rproxy.backend;

/**
 * Who sends a request: a client, whose requests to one server share a connection and so stay in order, and whose
 * writes may wait in a {@link WriteBatch} until it awaits a reply. Used by the sender's own thread only.
 */
public interface Sender {
    /** Picks the sender's connection to each server: equal affinities, equal connections. */
    long affinity();

    /** Where this sender's writes wait until it awaits a reply. */
    WriteBatch writes();
}
