package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisCluster;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A cluster pool's "every server" is its masters: DBSIZE, KEYS, SCAN (also while keys are written), SCRIPT LOAD and
 * FLUSHDB over three.
 */
class ClusterWholePoolIT {
    @Test
    void wholePoolCommandsRunOnEveryMaster() throws InterruptedException {
        try (RedisCluster cluster = RedisCluster.start(3, 0);
             RunningProxy proxy = RunningProxy.start("[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick()
                     + "\"\n\n[pools.c]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\ncluster = true\n"
                     + "timeout = 2000\nservers = [" + cluster.seeds(1) + "]\n");
             RawClient client = new RawClient(proxy.proxy().port("c"))) {
            client.pipeline(WholePoolIT.fill(300));
            for (RedisServer master : cluster.masters()) {
                try (Jedis jedis = master.jedis()) {
                    assertTrue(jedis.dbSize() > 0, "keys on every master");
                }
            }
            assertEquals(Reply.integer(300), client.call("DBSIZE"));
            Set<String> all = WholePoolIT.sorted(client.call("KEYS", "*"));
            assertEquals(300, all.size());
            assertEquals(all, scan(client));
            assertEquals(all, scanWhileWriting(proxy.proxy().port("c"), client), "SCAN while keys are written");
            Reply sha = client.call("SCRIPT", "LOAD", "return redis.call('type', KEYS[1])");
            String digest = new String(sha.bulkValue(), StandardCharsets.US_ASCII);
            for (String key : all) {
                assertTrue(!client.call("EVALSHA", digest, "1", key).isError(), key);
            }
            assertEquals(Reply.OK, client.call("FLUSHDB"));
            assertEquals(Reply.integer(0), client.call("DBSIZE"));
        }
    }

    /** Every key present throughout is returned while another client writes and deletes keys of its own. */
    private static Set<String> scanWhileWriting(int port, RawClient client) throws InterruptedException {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        Thread writer = Thread.ofVirtual().start(() -> ScanIT.churn(port, writing, writes));
        Set<String> seen;
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> writes.get() > 0);
            seen = scan(client);
        } finally {
            writing.set(false);
            writer.join();
        }
        seen.removeIf(k -> k.startsWith("churn:"));
        return seen;
    }

    private static Set<String> scan(RawClient client) {
        Set<String> keys = new TreeSet<>();
        String cursor = "0";
        do {
            List<Reply> page = client.call("SCAN", cursor, "COUNT", "25").elements();
            cursor = new String(page.get(0).bulkValue(), StandardCharsets.US_ASCII);
            keys.addAll(WholePoolIT.sorted(page.get(1)));
        } while (!cursor.equals("0"));
        return keys;
    }
}
