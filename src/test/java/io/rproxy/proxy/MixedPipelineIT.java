package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rproxy.harness.ProxiedServers;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One write of 1000 requests mixing every way rproxy serves a command (forwarded, split over servers, answered
 * locally, refused, rejected for arity or as unknown, -CROSSSLOT): 1000 replies, each the one its request is owed,
 * in request order.
 */
class MixedPipelineIT {
    private static final int REQUESTS = 1000;

    private static ProxiedServers servers;
    private static RedisServer[] redis;
    private static RunningProxy proxy;

    @BeforeAll
    static void start() {
        servers = ProxiedServers.start(3, "hash_tag = \"{}\"");
        redis = servers.redis();
        proxy = servers.proxy();
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    @Test
    void aThousandMixedRequestsGetTheirRepliesInOrder() {
        List<List<String>> requests = new ArrayList<>();
        List<Reply> expected = new ArrayList<>();
        for (int i = 0; requests.size() < REQUESTS; i++) {
            String key = "mix:" + i;
            String previous = "mix:" + (i - 1);
            add(requests, expected, List.of("SET", key, "v" + i), Reply.OK);
            add(requests, expected, List.of("GET", key), bulk("v" + i));
            Reply previousValue = i == 0 ? Reply.NULL_BULK : bulk("v" + (i - 1));
            add(requests, expected, List.of("MGET", key, "nokey:" + i, previous),
                    Reply.array(List.of(bulk("v" + i), Reply.NULL_BULK, previousValue)));
            add(requests, expected, List.of("PING", "p" + i), bulk("p" + i));
            add(requests, expected, List.of("SWAPDB", "0", "1"),
                    Reply.error("ERR command 'swapdb' is not supported by rproxy"));
            add(requests, expected, List.of("GET"), Reply.error("ERR wrong number of arguments for 'get' command"));
            add(requests, expected, List.of("EXISTS", key, previous, "nokey:" + i), Reply.integer(i == 0 ? 1 : 2));
            add(requests, expected, List.of("CLIENT", "PAUSE", "x"),
                    Reply.error("ERR command 'client|pause' is not supported by rproxy"));
            add(requests, expected, List.of("NOPE", "x"),
                    Reply.error("ERR unknown command 'NOPE', with args beginning with: 'x' "));
            add(requests, expected, List.of("INCR", "{c}" + i), Reply.integer(1));
            add(requests, expected, List.of("RPOPLPUSH", "{c}" + i, "{c}" + i),
                    Reply.error("WRONGTYPE Operation against a key holding the wrong kind of value"));
            add(requests, expected, List.of("DEL", previous, "nokey:" + i), Reply.integer(i == 0 ? 0 : 1));
        }
        List<Reply> replies;
        try (RawClient client = new RawClient(proxy.port())) {
            replies = client.pipeline(requests.subList(0, REQUESTS));
            assertEquals(Reply.PONG, client.call("PING"), "the connection is still in step");
        }
        for (int i = 0; i < REQUESTS; i++) {
            assertEquals(expected.get(i), replies.get(i), "reply " + i + " to " + requests.get(i));
        }
    }

    @Test
    void crossServerKeysAreRefusedInsidePipelinesWithoutDisturbingTheirNeighbours() {
        String a = "x:1";
        String b = null;
        for (int i = 2; b == null; i++) {
            if (owner(a) != owner("x:" + i)) {
                b = "x:" + i;
            }
        }
        try (RawClient client = new RawClient(proxy.port())) {
            List<Reply> replies = client.pipeline(List.of(List.of("SET", a, "1"), List.of("RENAME", a, b),
                    List.of("GET", a)));
            assertEquals(List.of(Reply.OK, Reply.error("CROSSSLOT Keys in request don't hash to the same server"),
                    bulk("1")), replies);
        }
    }

    /** Which server a key lands on: write it through the proxy and look. */
    private static int owner(String key) {
        try (RawClient client = new RawClient(proxy.port())) {
            client.call("SET", key, "probe");
        }
        for (int i = 0; i < redis.length; i++) {
            try (RawClient direct = new RawClient(redis[i].port())) {
                if (direct.call("EXISTS", key).integer() == 1) {
                    direct.call("DEL", key);
                    return i;
                }
            }
        }
        throw new AssertionError(key + " is on no server");
    }

    private static void add(List<List<String>> requests, List<Reply> expected, List<String> request, Reply reply) {
        requests.add(request);
        expected.add(reply);
    }

    private static Reply bulk(String text) {
        return Reply.bulk(text.getBytes(StandardCharsets.UTF_8));
    }
}
