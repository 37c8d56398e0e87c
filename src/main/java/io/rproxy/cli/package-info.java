/**
 * The {@code rproxy} command line (picocli): {@code run} starts a proxy in this JVM and turns signals into stop
 * and reload; {@code check} validates a configuration; {@code status}, {@code load}, {@code commit},
 * {@code cancel}, {@code reload} and {@code version} talk to a running proxy's admin port.
 *
 * <p>Runs on the main thread; {@code run} adds a {@code shutdown} hook thread and the JVM's signal thread.
 */
package io.rproxy.cli;
