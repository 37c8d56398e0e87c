package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.RproxyException;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pool's deny_commands refuses what it lists, and a reload changes the list or is refused for a bad name. */
class DenyCommandsIT {
    @TempDir
    Path dir;

    @Test
    void deniedCommandsAreRefusedAndAReloadChangesThem() throws IOException {
        int port = FreePorts.pick();
        int admin = FreePorts.pick();
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.start(toml(admin, port, redis, "[\"FLUSHALL\", \"flushdb\", \"Keys\"]"));
             RawClient client = new RawClient(port)) {
            client.call("SET", "k", "v");
            for (List<String> denied : List.of(List.of("FLUSHALL"), List.of("flushdb", "async"),
                    List.of("KEYS", "*"))) {
                assertEquals(Reply.error("NOPERM rproxy: command '" + denied.getFirst().toLowerCase()
                        + "' is denied in pool 'test' (deny_commands)"), client.call(denied));
            }
            assertEquals(Reply.integer(1), client.call("DBSIZE"), "nothing was flushed");

            Path next = dir.resolve("next.toml");
            Files.writeString(next, toml(admin, port, redis, "[\"script\", \"config get\"]"));
            proxy.rproxy().reload(next);
            try (RawClient after = new RawClient(port)) {
                assertEquals("*1\r\n$1\r\nk\r\n", new String(after.call("KEYS", "*").bytes()));
                assertEquals(Reply.error("NOPERM rproxy: command 'script|load' is denied in pool 'test' "
                        + "(deny_commands)"), after.call("SCRIPT", "LOAD", "return 1"), "a container denies all");
                assertTrue(after.call("CONFIG", "GET", "save").isError());
                assertEquals(Reply.OK, after.call("FLUSHDB"));
            }

            Files.writeString(next, toml(admin, port, redis, "[\"flushall\", \"flushdbb\"]"));
            RproxyException refused = assertThrows(RproxyException.class, () -> proxy.rproxy().reload(next));
            assertTrue(refused.getMessage().contains("'flushdbb' is not a command of Redis"), refused.getMessage());
            try (RawClient still = new RawClient(port)) {
                assertEquals(Reply.OK, still.call("FLUSHALL"), "the active configuration is untouched");
                assertTrue(still.call("SCRIPT", "FLUSH").isError());
            }
        }
    }

    /**
     * Inside MULTI a denied command and a whole-pool command are queuing errors: EXEC answers -EXECABORT and
     * nothing of the transaction runs (neither may run at EXEC on the one server of the transaction).
     */
    @Test
    void deniedAndWholePoolCommandsDoomATransaction() {
        int port = FreePorts.pick();
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.start(toml(FreePorts.pick(), port, redis, "[\"flushall\"]"));
             RawClient client = new RawClient(port)) {
            client.call("SET", "k", "v");
            for (List<String> doomed : List.of(List.of("FLUSHALL"), List.of("FLUSHDB"))) {
                assertEquals(Reply.OK, client.call("MULTI"));
                assertEquals(Reply.simple("QUEUED"), client.call("SET", "k", "changed"));
                assertTrue(client.call(doomed).isError(), doomed + " inside MULTI");
                assertEquals(Reply.error("EXECABORT Transaction discarded because of previous errors."),
                        client.call("EXEC"));
                assertEquals(Reply.bulk("v".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        client.call("GET", "k"), "nothing of the transaction ran");
                assertEquals(Reply.integer(1), client.call("DBSIZE"));
            }
        }
    }

    private static String toml(int admin, int port, RedisServer redis, String deny) {
        return "[admin]\nlisten = \"127.0.0.1:" + admin + "\"\n\n[pools.test]\nlisten = \"127.0.0.1:" + port
                + "\"\nservers = [\"" + redis.address() + ":1\"]\ndeny_commands = " + deny + "\n";
    }
}
