package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A split command one of whose parts fails gets one error that names the failing server, and the requests
 * after it in the pipeline get their own replies.
 */
class SplitFailureIT {

    @Test
    void aPartsDataErrorKeepsItsCodeAndNamesTheServer() {
        // redis3 refuses every write: maxmemory of one byte, nothing to evict.
        try (RedisServer ok1 = RedisServer.start(); RedisServer ok2 = RedisServer.start();
             RedisServer full = RedisServer.start("--maxmemory", "1", "--maxmemory-policy", "noeviction");
             RunningProxy proxy = RunningProxy.startPool("", ok1, ok2, full);
             RawClient client = new RawClient(proxy.port())) {
            String onFull = keyWhere(client, true);
            String onOk = keyWhere(client, false);
            List<Reply> replies = client.pipeline(List.of(List.of("MSET", onOk, "1", onFull, "2"),
                    List.of("GET", onOk), List.of("PING")));
            assertEquals(Reply.error("OOM rproxy: redis3 (" + full.address() + "): command not allowed when used "
                    + "memory > 'maxmemory'."), replies.get(0));
            assertEquals(bulk("1"), replies.get(1), "the healthy part ran: MSET over servers is not atomic");
            assertEquals(Reply.PONG, replies.get(2));
        }
    }

    @Test
    void aDeadServersPartFailsTheWholeCommandNamingIt() {
        try (RedisServer live = RedisServer.start(); RedisServer doomed = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("hash = \"md5\"", live, doomed);
             RawClient client = new RawClient(proxy.port())) {
            String onLive = null;
            String onDoomed = null;
            for (int i = 0; onLive == null || onDoomed == null; i++) {
                client.call("SET", "k" + i, "v" + i);
                try (RawClient direct = new RawClient(live.port())) {
                    if (direct.call("EXISTS", "k" + i).integer() == 1) {
                        onLive = "k" + i;
                    } else {
                        onDoomed = "k" + i;
                    }
                }
            }
            doomed.kill();
            List<Reply> replies = client.pipeline(List.of(List.of("MGET", onLive, onDoomed),
                    List.of("EXISTS", onLive, onDoomed), List.of("GET", onLive)));
            for (Reply failed : replies.subList(0, 2)) {
                String message = failed.errorMessage();
                assertTrue(message.startsWith("ERR rproxy: ")
                        && message.contains("redis2 (" + doomed.address() + ")"), message);
            }
            assertEquals(Reply.bulk(("v" + onLive.substring(1)).getBytes(StandardCharsets.UTF_8)), replies.get(2));
        }
    }

    /** A fresh key whose SET lands on the full server ({@code full}) or on a healthy one. */
    private static String keyWhere(RawClient client, boolean full) {
        for (int i = 0; ; i++) {
            String key = "probe:" + i;
            if (client.call("SET", key, "x").isError() == full) {
                return key;
            }
        }
    }

    private static Reply bulk(String text) {
        return Reply.bulk(text.getBytes(StandardCharsets.UTF_8));
    }
}
