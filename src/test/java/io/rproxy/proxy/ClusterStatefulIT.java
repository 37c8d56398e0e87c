package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rproxy.harness.AgainstOneRedis;
import io.rproxy.harness.RedisServer;
import io.rproxy.resp.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transactions and blocking commands through a cluster pool (three masters): per slot, on a dedicated connection to
 * the slot's master, with Redis's replies byte for byte (against one plain redis-server), and keys of two slots
 * refused in the cluster's wording.
 */
class ClusterStatefulIT {
    @RegisterExtension
    static final AgainstOneRedis setup = AgainstOneRedis.cluster(3, 400);

    @Test
    void perSlotTheRepliesAreRedisOwn() {
        List<List<String>> commands = new ArrayList<>();
        for (String tag : new String[] {"a", "b", "c", "d", "e"}) { // tags over several masters
            for (String line : new String[] {
                "MULTI", "SET {T}x 1", "INCR {T}x", "PUBLISH {T}x v", "SPUBLISH {T}x v", "LPUSH {T}q v", "EXEC",
                "MULTI", "PING", "EXEC",
                "WATCH {T}x", "MULTI", "GET {T}x", "NOSUCH", "EXEC", "BLPOP {T}q 1", "BLPOP {T}q 0.5",
                "BLMOVE {T}q {T}p LEFT RIGHT 0.2", "MULTI", "DISCARD", "EXEC",
            }) {
                commands.add(List.of(line.replace("{T}", "{" + tag + "}").split(" ")));
            }
        }
        try (RawClient viaProxy = new RawClient(setup.proxy().port("orders"));
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            for (List<String> command : commands) {
                assertEquals(viaDirect.call(command), viaProxy.call(command), String.join(" ", command));
            }
        }
    }

    /**
     * An empty slot given to another master behind rproxy's back: the transaction on the old owner is redirected,
     * and aborts with a clear error (nothing runs); rproxy learns the new owner, so the next one runs there.
     */
    @Test
    void aRedirectionInsideATransactionAbortsItAndTheNextOneFollows() {
        String tag = "{moving}";
        int slot = io.rproxy.routing.ClusterSlot.of(tag.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        RedisServer source = setup.cluster().ownerOf(slot);
        RedisServer target = setup.cluster().masters().stream().filter(m -> m != source).findFirst().orElseThrow();
        try (RawClient client = new RawClient(setup.proxy().port("orders"))) {
            String targetId;
            try (redis.clients.jedis.Jedis dst = target.jedis()) {
                targetId = dst.clusterMyId();
            }
            for (RedisServer master : setup.cluster().masters()) {
                try (redis.clients.jedis.Jedis m = master.jedis()) {
                    m.clusterSetSlotNode(slot, targetId);
                }
            }
            assertEquals(Reply.OK, client.call("MULTI"));
            assertEquals(Reply.simple("QUEUED"), client.call("SET", tag + "x", "1"));
            Reply aborted = client.call("EXEC");
            org.junit.jupiter.api.Assertions.assertTrue(aborted.isError()
                    && aborted.errorMessage().contains("redirected the request (MOVED " + slot + " ")
                    && aborted.errorMessage().contains("nothing of it ran"), aborted.toString());
            assertEquals(Reply.OK, client.call("MULTI"));
            assertEquals(Reply.simple("QUEUED"), client.call("SET", tag + "x", "2"));
            assertEquals(Reply.array(List.of(Reply.OK)), client.call("EXEC"), "the next one runs on the new owner");
        }
        try (redis.clients.jedis.Jedis dst = target.jedis()) {
            assertEquals("2", dst.get(tag + "x"));
        }
    }

    @Test
    void keysOfTwoSlotsAreRefusedInTheClustersWording() {
        Reply crossSlot = Reply.error("CROSSSLOT Keys in request don't hash to the same slot");
        try (RawClient client = new RawClient(setup.proxy().port("orders"))) {
            assertEquals(Reply.OK, client.call("MULTI"));
            assertEquals(Reply.simple("QUEUED"), client.call("SET", "{a}x", "1"));
            assertEquals(crossSlot, client.call("SET", "{b}x", "1"));
            assertEquals(Reply.error("EXECABORT Transaction discarded because of previous errors."),
                    client.call("EXEC"));
            assertEquals(crossSlot, client.call("BLPOP", "{a}q", "{b}q", "0"));
            assertEquals(Reply.NULL_BULK, client.call("GET", "{a}x"), "nothing of the transaction ran");
        }
    }
}
