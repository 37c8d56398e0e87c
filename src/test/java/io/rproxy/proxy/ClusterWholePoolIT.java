package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisCluster;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** A cluster pool's "every server" is its masters: DBSIZE, KEYS, SCAN, SCRIPT LOAD and FLUSHDB over three. */
class ClusterWholePoolIT {
    @Test
    void wholePoolCommandsRunOnEveryMaster() {
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
            Reply sha = client.call("SCRIPT", "LOAD", "return redis.call('type', KEYS[1])");
            String digest = new String(sha.bulkValue(), StandardCharsets.US_ASCII);
            for (String key : all) {
                assertTrue(!client.call("EVALSHA", digest, "1", key).isError(), key);
            }
            assertEquals(Reply.OK, client.call("FLUSHDB"));
            assertEquals(Reply.integer(0), client.call("DBSIZE"));
        }
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
