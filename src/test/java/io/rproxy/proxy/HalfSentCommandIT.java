package io.rproxy.proxy;

import static io.rproxy.harness.ServerStates.server;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rproxy.backend.ServerState;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Issue 12 item 4: a client that sends one complete command and the first bytes of the next, then pauses (a slow
 * uploader, a big value still on the wire), must have the complete one sent at once; its slowness must never
 * time out a request on the shared connection, count against the server, or eject it.
 */
class HalfSentCommandIT {
    private static final String POOL = RunningProxy.POOL;
    /** The next command's first bytes: "SET" and nothing of its key or value yet. */
    private static final String HALF = "*3\r\n$3\r\nSET\r\n";

    @Test
    void aCompleteCommandReachesItsServerWhileTheNextIsHalfSent() throws IOException {
        try (RedisServer redis = RedisServer.start(); RunningProxy proxy = RunningProxy.startPool("", redis);
             Socket slow = new Socket("127.0.0.1", proxy.port()); Jedis direct = redis.jedis()) {
            send(slow, set("first", "1") + HALF);
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(direct.get("first")));
            assertEquals("+OK\r\n", read(slow, 5), "the complete SET's reply comes without waiting for the next");
            send(slow, "$6\r\nsecond\r\n$1\r\n2\r\n");
            assertEquals("+OK\r\n", read(slow, 5));
            assertEquals("2", direct.get("second"));
        }
    }

    @Test
    void slowClientsNeverTimeOutNorEjectAHealthyServer() throws IOException {
        String keys = "timeout = 200\nauto_eject_hosts = true\nserver_failure_limit = 2\n"
                + "server_retry_timeout = 30000\nserver_connections = 2";
        try (RedisServer redis = RedisServer.start(); RunningProxy proxy = RunningProxy.startPool(keys, redis);
             Socket one = new Socket("127.0.0.1", proxy.port()); Socket two = new Socket("127.0.0.1", proxy.port());
             Jedis direct = redis.jedis(); Jedis bystander = proxy.jedis()) {
            send(one, set("one", "1") + HALF);
            send(two, set("two", "2") + HALF);
            // Several timeouts long: a request held back by its client's pause would have timed out by now.
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(5)).until(() ->
                    server(proxy, POOL, "redis1").status().state() == ServerState.UP
                            && server(proxy, POOL, "redis1").stats().timeouts() == 0
                            && server(proxy, POOL, "redis1").stats().ejections() == 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(direct.get("one"))
                    && "2".equals(direct.get("two")));
            assertEquals(0, server(proxy, POOL, "redis1").status().consecutiveFailures());
            assertEquals("OK", bystander.set("bystander", "3"));
            assertEquals("3", bystander.get("bystander"));
            assertEquals("+OK\r\n", read(one, 5));
            assertEquals("+OK\r\n", read(two, 5));
        }
    }

    private static String set(String key, String value) {
        return "*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + value.length() + "\r\n" + value
                + "\r\n";
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads exactly {@code n} bytes, failing the test rather than hanging when they do not come. */
    private static String read(Socket socket, int n) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        byte[] bytes = in.readNBytes(n);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
