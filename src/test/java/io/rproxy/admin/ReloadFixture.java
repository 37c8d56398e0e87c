package io.rproxy.admin;

import io.rproxy.cli.JsonReader;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.TrafficRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/** Configuration text and checks shared by the reload tests. */
final class ReloadFixture {
    private ReloadFixture() {
    }

    /** An {@code [admin]} table on the given port. */
    static String admin(int port) {
        return "[admin]\nlisten = \"127.0.0.1:" + port + "\"\n\n";
    }

    /** A {@code [pools.NAME]} table over the given servers (named after their position), plus extra lines. */
    static String pool(String name, int port, String extra, RedisServer... servers) {
        String lines = Arrays.stream(servers).map(s -> "\"" + s.address() + ":1 " + name + "-" + s.port() + "\"")
                .collect(Collectors.joining(", "));
        return "[pools." + name + "]\nlisten = \"127.0.0.1:" + port + "\"\nservers = [" + lines + "]\n" + extra
                + "\n\n";
    }

    /** Writes a configuration file under the harness folder. */
    static Path write(String toml) {
        try {
            Path file = Files.createTempFile(Harness.dir(), "reload-", ".toml");
            Files.writeString(file, toml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the traffic has had {@code more} further replies: it flows. */
    static void awaitMoreReplies(TrafficRunner traffic, long more) {
        long target = traffic.replies() + more;
        await().atMost(Duration.ofSeconds(60)).until(() -> traffic.replies() >= target || traffic.errorCount() > 0);
        assertEquals(0, traffic.errorCount(), traffic.summary());
    }

    /** Stops the traffic and checks that nothing failed and every acknowledged write is on one of the servers. */
    static void assertNothingLost(TrafficRunner traffic, RedisServer... servers) {
        traffic.stop();
        assertEquals(0, traffic.errorCount(), traffic.summary());
        assertTrue(traffic.replies() > 0, traffic.summary());
        assertEquals(java.util.List.of(), traffic.missingFrom(servers), "acknowledged writes that are missing");
        System.out.println("traffic: " + traffic.summary() + ", " + traffic.acknowledgedWrites().size()
                + " acknowledged writes, all read back");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    /** STATUS as a document. */
    static Map<String, Object> status(RespClient admin) {
        return JsonReader.parseObject(admin.text("STATUS"));
    }
}
