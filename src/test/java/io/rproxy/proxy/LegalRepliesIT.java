package io.rproxy.proxy;

import static io.rproxy.harness.ServerStates.state;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import io.rproxy.backend.ServerState;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Issue 12, item 5: any reply Redis can send passes through, however deep or large, without hurting the shared
 * connection; the client limits ({@code [limits]}) bound only what clients send.
 */
class LegalRepliesIT {
    private static final String POOL = RunningProxy.POOL;

    @Test
    void deeplyNestedScriptRepliesPassAsRedisSendsThemAndBystandersSeeNoErrors() throws Exception {
        try (RedisServer server = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("auto_eject_hosts = true\nserver_failure_limit = 2\n"
                     + "server_retry_timeout = 30000\nserver_connections = 1", server);
             RawClient direct = new RawClient(server.port());
             RawClient client = new RawClient(proxy.port())) {
            client.call("SET", "bystander", "b");
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong bystanderErrors = new AtomicLong();
            AtomicLong bystanderReplies = new AtomicLong();
            CompletableFuture<Void> bystander = CompletableFuture.runAsync(() ->
                    pipelineGets(proxy.port(), done, bystanderReplies, bystanderErrors));
            long repliesBefore;
            try {
                // The bystander must be on the shared connection before the deep replies go through it.
                await().atMost(Duration.ofSeconds(20)).until(() -> bystanderReplies.get() > 0);
                repliesBefore = bystanderReplies.get();
                for (int depth : new int[] {100, 1000, 5000}) {
                    List<String> eval = List.of("EVAL", "local t = 7 for i = 1, " + depth
                            + " do t = {t} end return t", "1", "k");
                    Reply expected = direct.call(eval);
                    assertFalse(expected.isError(), "redis-server itself answers " + depth + " deep: " + expected);
                    for (int i = 0; i < 3; i++) {
                        assertArrayEquals(expected.bytes(), client.call(eval).bytes(), depth + " deep");
                    }
                }
            } finally {
                done.set(true);
                bystander.get();
            }
            assertTrue(bystanderReplies.get() > repliesBefore, "the bystander ran beside the deep replies");
            assertEquals(0, bystanderErrors.get(), "errors seen by a bystander on the shared connection");
            assertEquals(ServerState.UP, state(proxy, POOL, "redis1"), "legal replies are no server failure");
            assertEquals(0, server(proxy).stats().connectionErrors(), "no connection was closed");
        }
    }

    @Test
    void aValueLargerThanTheClientBulkLimitIsReadFromTheServer() {
        try (RedisServer server = RedisServer.start();
             RunningProxy proxy = RunningProxy.start("[limits]\nmax_bulk_len = 1048576\n\n" + RunningProxy.poolToml(
                     POOL, FreePorts.pick(), "", List.of("\"" + server.address() + ":1 redis1\"")));
             Jedis direct = server.jedis();
             Jedis client = proxy.jedis()) {
            byte[] value = new byte[1_200_000];
            Arrays.fill(value, (byte) 'v');
            direct.set("big".getBytes(StandardCharsets.UTF_8), value);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(value, client.get("big".getBytes(StandardCharsets.UTF_8)));
            }
            assertEquals("PONG", client.ping());
            assertEquals(ServerState.UP, state(proxy, POOL, "redis1"));
        }
    }

    private static io.rproxy.backend.BackendServer server(RunningProxy proxy) {
        return io.rproxy.harness.ServerStates.server(proxy, POOL, "redis1");
    }

    /** Pipelines GETs of one key, 50 at a time, until told to stop, counting replies and errors. */
    private static void pipelineGets(int port, AtomicBoolean done, AtomicLong replies, AtomicLong errors) {
        List<List<String>> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(List.of("GET", "bystander"));
        }
        try (RawClient raw = new RawClient(port)) {
            while (!done.get()) {
                for (Reply reply : raw.pipeline(batch)) {
                    replies.incrementAndGet();
                    if (!reply.equals(Reply.bulk("b".getBytes(StandardCharsets.UTF_8)))) {
                        errors.incrementAndGet();
                    }
                }
            }
        }
    }
}
