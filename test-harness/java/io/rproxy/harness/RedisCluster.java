package io.rproxy.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;

/**
 * A real Redis Cluster on loopback ports: {@code masters} masters and {@code replicas} replicas of each, every one
 * a {@link RedisServer} started with {@code --cluster-enabled yes} and a node timeout of {@link #NODE_TIMEOUT},
 * joined by {@code redis-cli --cluster create}. {@link #start} returns once every node reports
 * {@code cluster_state:ok} and every replica's link to its master is up. Closing it stops every node.
 */
public final class RedisCluster implements AutoCloseable {
    /** Short, so that a failover in a test takes a couple of seconds. */
    public static final Duration NODE_TIMEOUT = Duration.ofMillis(1000);
    private static final Duration READY = Duration.ofSeconds(30);

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    public static RedisCluster start(int masters, int replicas) {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < masters * (1 + replicas); i++) {
                nodes.add(RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis())));
            }
            RedisCluster cluster = new RedisCluster(nodes);
            cluster.create(replicas);
            cluster.awaitHealthy();
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw e;
        }
    }

    private void create(int replicas) {
        List<String> command = new ArrayList<>(List.of(Harness.requireRedisCli().toString(), "--cluster", "create"));
        nodes.forEach(n -> command.add(n.address()));
        command.addAll(List.of("--cluster-replicas", Integer.toString(replicas), "--cluster-yes"));
        run(command);
    }

    /** Runs a redis-cli command to completion; its output, or a HarnessException with it when it fails. */
    public static String run(List<String> command) {
        try {
            Path log = Files.createTempFile(Harness.dir(), "redis-cli-", ".log");
            Process process = ProcessRegistry.global().start(new ProcessBuilder(command), log);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new HarnessException(String.join(" ", command) + " did not finish in 60 s");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new HarnessException(String.join(" ", command) + " failed:\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted running " + String.join(" ", command), e);
        }
    }

    /** Waits until every live node says cluster_state:ok and every live replica's master link is up. */
    public void awaitHealthy() {
        Awaitility.await("cluster_state:ok on every node").atMost(READY).pollInterval(Duration.ofMillis(50))
                .until(() -> alive().stream().allMatch(RedisCluster::healthy));
    }

    private static boolean healthy(RedisServer node) {
        try (Jedis jedis = node.jedis(Duration.ofSeconds(2))) {
            if (!jedis.clusterInfo().contains("cluster_state:ok")) {
                return false;
            }
            String replication = jedis.info("replication");
            return replication.contains("role:master") || replication.contains("master_link_status:up");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Every node, in the order they were started (masters first, as redis-cli assigned them at creation). */
    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    public List<RedisServer> alive() {
        return nodes.stream().filter(RedisServer::isAlive).toList();
    }

    /** The live nodes whose role is master now. */
    public List<RedisServer> masters() {
        return alive().stream().filter(n -> {
            try (Jedis jedis = n.jedis(Duration.ofSeconds(2))) {
                return jedis.info("replication").contains("role:master");
            }
        }).toList();
    }

    /** The live node that serves {@code slot} now, as the nodes' own CLUSTER SLOTS says. */
    public RedisServer ownerOf(int slot) {
        for (RedisServer node : masters()) {
            try (Jedis jedis = node.jedis(Duration.ofSeconds(2))) {
                for (Object range : jedis.clusterSlots()) {
                    List<?> fields = (List<?>) range;
                    long first = (Long) fields.get(0);
                    long last = (Long) fields.get(1);
                    if (first <= slot && slot <= last && (Long) ((List<?>) fields.get(2)).get(1) == node.port()) {
                        return node;
                    }
                }
            }
        }
        throw new HarnessException("no master serves slot " + slot);
    }

    /** {@code "127.0.0.1:p1", "127.0.0.1:p2"}: TOML strings of the first {@code count} nodes' addresses. */
    public String seeds(int count) {
        return String.join(", ", nodes.subList(0, count).stream().map(n -> "\"" + n.address() + "\"").toList());
    }

    /** A cluster-aware client (it follows MOVED and ASK itself); the caller closes it. */
    public JedisCluster client() {
        Set<HostAndPort> seeds = new HashSet<>();
        alive().forEach(n -> seeds.add(new HostAndPort(n.host(), n.port())));
        return new JedisCluster(seeds, 10_000);
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }
}
