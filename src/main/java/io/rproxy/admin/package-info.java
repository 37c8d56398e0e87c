/**
 * What operators talk to: the admin port (STATUS, STATS, VERSION, LOAD, COMMIT, CANCEL, RELOAD), the optional
 * twemproxy-style stats port and the optional Prometheus {@code /metrics} endpoint. A leaf: it reports on the
 * running proxy from immutable {@code Snapshot}s and asks the composition root to reload; nothing on the data
 * path depends on it.
 *
 * <p>Threads: one acceptor per endpoint ({@code <endpoint>-listener}, platform) and one virtual thread per
 * admin connection or metrics request.
 */
package io.rproxy.admin;
