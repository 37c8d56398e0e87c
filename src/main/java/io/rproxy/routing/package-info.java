/**
 * Where a key lives, bit for bit as twemproxy computes it: its hash functions (hashkit: fnv1a_64, murmur, md5,
 * crc16/32, hsieh, jenkins, one_at_a_time), distributions (ketama, modula, random) over weighted servers, hash
 * tags, and Redis Cluster's key slots and slot map.
 *
 * <p>Pure functions and immutable tables: no threads, no I/O; called on client threads without locks.
 */
package io.rproxy.routing;
