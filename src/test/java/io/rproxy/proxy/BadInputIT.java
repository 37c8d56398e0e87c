package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** Malformed requests and dead backends: a clear error, nothing lost, nobody else affected. */
class BadInputIT {
    private static RedisServer redis;
    private static RunningProxy proxy;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        proxy = RunningProxy.startPool("", redis);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        redis.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "*1\\r\\n$x\\r\\n               | invalid bulk length",
        "*x\\r\\n                       | invalid multibulk length",
        "*2\\r\\n$3\\r\\nGET\\r\\n:1\\r\\n | expected '$', got ':'",
        "*1\\r\\n$-5\\r\\n              | invalid bulk length",
        "*1\\r\\n$3\\r\\nGETxx          | ",
    })
    void malformedFramesGetAProtocolErrorThenTheConnectionCloses(String frame, String message) throws IOException {
        try (Socket raw = new Socket("127.0.0.1", proxy.port()); Jedis bystander = proxy.jedis()) {
            raw.setSoTimeout(10_000);
            bystander.set("bystander", "fine");
            raw.getOutputStream().write(("PING\r\n" + frame.strip().replace("\\r\\n", "\r\n"))
                    .getBytes(StandardCharsets.UTF_8));
            String reply = readToEnd(raw.getInputStream());
            assertTrue(reply.startsWith("+PONG\r\n-ERR Protocol error: "), reply);
            if (message != null) {
                assertEquals("+PONG\r\n-ERR Protocol error: " + message + "\r\n", reply);
            }
            assertEquals("fine", bystander.get("bystander"), "other clients carry on");
        }
    }

    @Test
    void anOversizedBulkLengthIsRefusedBeforeAnythingIsAllocated() throws IOException {
        try (Socket raw = new Socket("127.0.0.1", proxy.port())) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write("*2\r\n$3\r\nGET\r\n$9999999999\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("-ERR Protocol error: invalid bulk length\r\n", readToEnd(raw.getInputStream()));
        }
    }

    @Test
    void requestsForADeadServerFailAtOnceNamingItWhileTheLiveServerServes() {
        int deadPort = FreePorts.pick();
        try (RunningProxy mixed = RunningProxy.start(RunningProxy.poolToml("mixed", FreePorts.pick(), "hash = \"md5\"",
                List.of("\"" + redis.address() + ":1 live\"", "\"127.0.0.1:" + deadPort + ":1 dead\"")));
             Jedis client = mixed.jedis()) {
            int failures = 0;
            int served = 0;
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                try {
                    client.set("k" + i, "v");
                    served++;
                } catch (JedisDataException e) {
                    assertTrue(e.getMessage().contains("dead (127.0.0.1:" + deadPort + ")"), e.getMessage());
                    failures++;
                }
            }
            assertTrue(failures > 0 && served > 0, "keys on both servers: " + failures + " / " + served);
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10, "nothing hung");
        }
    }

    @Test
    void inlineCommandsWorkAsTelnetUsersTypeThem() throws IOException {
        try (Socket raw = new Socket("127.0.0.1", proxy.port())) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write("PING\r\nset inline \"a b\"\nget inline\r\nQUIT\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals("+PONG\r\n+OK\r\n$3\r\na b\r\n+OK\r\n", readToEnd(raw.getInputStream()));
        }
    }

    @Test
    void unknownCommandsAreAnsweredNotDisconnected() {
        try (Jedis client = proxy.jedis()) {
            for (int i = 0; i < 3; i++) {
                assertThrows(JedisDataException.class, () -> client.sendCommand(() -> "FOO".getBytes()));
            }
            assertEquals("PONG", client.ping());
        }
    }

    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.UTF_8);
    }
}
