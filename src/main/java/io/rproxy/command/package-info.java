/**
 * What rproxy knows about Redis commands, as data and lookup: the command table generated from a real
 * redis-server's {@code COMMAND} output ({@code commands.tsv}, DO NOT EDIT), the hand-written class of each
 * command ({@code command-classes.tsv}: forward, split, local, any, refuse), key finders that locate a command's
 * keys in its frame, and the wording of the errors a redis-server gives for unknown commands and wrong arity.
 *
 * <p>No threads and no I/O: loaded once at start-up, then read by every client thread without locks.
 */
package io.rproxy.command;
