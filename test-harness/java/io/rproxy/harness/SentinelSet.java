package io.rproxy.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import redis.clients.jedis.Jedis;

/**
 * Real Redis Sentinel on loopback ports: one master with one replica per master name, and three sentinels
 * monitoring every master with quorum 2, {@link #DOWN_AFTER} and a short {@link #FAILOVER_TIMEOUT}, so that a killed
 * master is failed over in a couple of seconds. {@link #start} returns once every sentinel knows every master's
 * replica and the other two sentinels (what a failover needs). Closing it ends every process.
 */
public final class SentinelSet implements AutoCloseable {
    public static final Duration DOWN_AFTER = Duration.ofMillis(1000);
    public static final Duration FAILOVER_TIMEOUT = Duration.ofMillis(4000);
    public static final int SENTINELS = 3;
    private static final Duration READY = Duration.ofSeconds(30);

    /** Each master name's two servers, the first started as the master. */
    private final Map<String, List<RedisServer>> servers;
    private final List<RedisSentinel> sentinels;

    private SentinelSet(Map<String, List<RedisServer>> servers, List<RedisSentinel> sentinels) {
        this.servers = servers;
        this.sentinels = sentinels;
    }

    /** Starts a master and a replica for each name, and three sentinels. */
    public static SentinelSet start(String... masterNames) {
        Map<String, List<RedisServer>> servers = new LinkedHashMap<>();
        List<RedisSentinel> sentinels = new ArrayList<>();
        SentinelSet set = new SentinelSet(servers, sentinels);
        try {
            List<String> monitors = new ArrayList<>();
            for (String name : masterNames) {
                RedisServer master = RedisServer.start();
                RedisServer replica = RedisServer.start("--replicaof", master.host(), Integer.toString(master.port()));
                servers.put(name, List.of(master, replica));
                monitors.add("sentinel monitor " + name + " " + master.host() + " " + master.port() + " 2");
                monitors.add("sentinel down-after-milliseconds " + name + " " + DOWN_AFTER.toMillis());
                monitors.add("sentinel failover-timeout " + name + " " + FAILOVER_TIMEOUT.toMillis());
                monitors.add("sentinel parallel-syncs " + name + " 1");
            }
            for (int i = 0; i < SENTINELS; i++) {
                sentinels.add(RedisSentinel.start(monitors));
            }
            set.awaitReady();
            return set;
        } catch (RuntimeException e) {
            set.close();
            throw e;
        }
    }

    /**
     * Waits until every live sentinel knows each master's replica (linked up, not down) and every other live
     * sentinel: before that a failover has no replica to promote, or no quorum.
     */
    public void awaitReady() {
        Awaitility.await("every sentinel knows every replica and the other sentinels").atMost(READY)
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                    long live = sentinels.stream().filter(RedisSentinel::isAlive).count();
                    for (RedisSentinel sentinel : alive()) {
                        try (Jedis jedis = sentinel.jedis()) {
                            for (String name : servers.keySet()) {
                                Map<String, String> master = jedis.sentinelMaster(name);
                                if (!master.get("flags").equals("master")
                                        || Long.parseLong(master.get("num-other-sentinels")) < live - 1
                                        || jedis.sentinelReplicas(name).stream().noneMatch(SentinelSet::goodReplica)) {
                                    return false;
                                }
                            }
                        }
                    }
                    return true;
                });
    }

    private static boolean goodReplica(Map<String, String> replica) {
        return replica.get("flags").equals("slave") && "ok".equals(replica.get("master-link-status"));
    }

    /** The live sentinels. */
    public List<RedisSentinel> alive() {
        return sentinels.stream().filter(RedisSentinel::isAlive).toList();
    }

    public List<RedisSentinel> sentinels() {
        return List.copyOf(sentinels);
    }

    /** {@code "127.0.0.1:p1", "127.0.0.1:p2", ...}: the sentinels as a TOML array's contents. */
    public String sentinelsToml() {
        return sentinels.stream().map(s -> "\"" + s.address() + "\"").collect(Collectors.joining(", "));
    }

    /** The server a live sentinel names master of {@code name} now. */
    public RedisServer master(String name) {
        try (Jedis jedis = alive().getFirst().jedis()) {
            int port = Integer.parseInt(jedis.sentinelGetMasterAddrByName(name).get(1));
            return servers.get(name).stream().filter(s -> s.port() == port).findFirst()
                    .orElseThrow(() -> new HarnessException("master " + name + " is on port " + port + ", no server"));
        }
    }

    /** The other server of {@code name}: the one the sentinels do not name master now. */
    public RedisServer replica(String name) {
        RedisServer master = master(name);
        return servers.get(name).stream().filter(s -> s != master).findFirst().orElseThrow();
    }

    /** Forces a failover of {@code name} (SENTINEL FAILOVER on a live sentinel), which answers OK at once. */
    public void failover(String name) {
        try (Jedis jedis = alive().getFirst().jedis()) {
            String reply = jedis.sentinelFailover(name);
            if (!"OK".equals(reply)) {
                throw new HarnessException("SENTINEL FAILOVER " + name + " answered " + reply);
            }
        }
    }

    @Override
    public void close() {
        sentinels.forEach(RedisSentinel::close);
        servers.values().forEach(pair -> pair.forEach(RedisServer::close));
    }
}
