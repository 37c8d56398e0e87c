/**
 * What clients talk to: one {@code PoolListener} per pool (thread {@code listener-<pool>}, platform) accepts and
 * starts a {@code ClientSession} per client (thread {@code client-<id>}, virtual), which reads commands with
 * blocking I/O, hands each to the pool's {@code CommandDispatcher} (forward by key, split and merge, answer
 * locally, or refuse) and writes the replies in request order. {@code Pool} is one pool at run time over its
 * {@code backend.Targets}; {@code Generation} and {@code StagedPools} carry a reload, and a replaced generation
 * is closed by a {@code drain-<pool>} thread (virtual) once nothing is in flight on it.
 */
package io.rproxy.proxy;
