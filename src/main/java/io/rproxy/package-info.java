/**
 * rproxy, a Redis proxy. {@code Rproxy} here is the composition root: the one object that starts, stops and
 * reloads a running proxy, and holds the lock that serialises those steps. It composes the rooms below it:
 * {@code config} (what to run), {@code proxy} (listeners and client sessions: the data plane), {@code backend}
 * and {@code cluster} (the servers behind each pool), {@code admin} (reports and reload requests, reaching back
 * only through {@code admin.ProxyControl}), and is started by {@code cli}.
 *
 * <p>Threads: none of its own; its methods run on the caller's thread (the main thread at start, an admin
 * connection's thread for LOAD/COMMIT/CANCEL/RELOAD, the signal thread for SIGHUP, the shutdown hook for stop).
 */
package io.rproxy;
