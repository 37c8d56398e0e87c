/**
 * The servers behind a pool. {@code Targets} is the one question the proxy asks of a pool ("where does this
 * key's request go"), answered by {@code ShardedServers} here and by {@code cluster.Cluster}. One
 * {@code BackendServer} per server owns its pipelined {@code BackendConnection}s, its dedicated ones and its
 * {@code ServerLiveness} (failures, ejection, recovery); {@code BackendRequest} is one request and the slot its
 * reply lands in.
 *
 * <p>Threads: each connection has a {@code backend-<pool>-<server>-writer} and {@code -reader} (virtual); one
 * {@code deadline-timer} (platform) enforces timeouts for the whole proxy with a DelayQueue; one
 * {@code supervisor} (platform) schedules the probes of ejected and unreachable servers and refreshes cluster
 * maps; each probe runs on its server's {@code backend-<pool>-<server>-probe} (virtual), started by the
 * supervisor or by a request that finds the server down. Client threads enter through {@code Targets.send}, and
 * usually write their own requests (see {@code ConnectionWriter}, the one write path).
 */
package io.rproxy.backend;
