/**
 * A pool of Redis Sentinel-managed masters: asking the sentinels where each master is ({@link
 * io.rproxy.sentinel.Sentinels}, at start and LOAD, on every reconnect and periodically), following their
 * {@code +switch-master} and failover messages on one subscriber connection per sentinel, and moving each master's
 * {@code BackendServer} to its new address. Keys are placed by master name, so the pool itself is an ordinary sharded
 * pool ({@code backend.ShardedServers}); this package only says where its servers are.
 *
 * <p>Threads: {@code sentinel-<pool>} refreshes, {@code sentinel-<pool>-<sentinel>} reads one sentinel's messages,
 * {@code sentinel-<pool>-ask-<n>} asks one sentinel once.
 */
package io.rproxy.sentinel;
