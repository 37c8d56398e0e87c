package io.rproxy.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The checked-in commands.tsv must be exactly what the generator writes from the installed redis-server. */
class CommandTableDriftTest {
    private static RedisServer server;

    @BeforeAll
    static void startServer() {
        server = RedisServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void checkedInTableEqualsFreshGeneration() throws IOException {
        List<String> fresh;
        try (Jedis jedis = server.jedis()) {
            fresh = withoutDate(CommandTableGenerator.generate(jedis, LocalDate.now()));
        }
        List<String> checkedIn;
        try (InputStream in = CommandTable.class.getResourceAsStream(CommandTable.RESOURCE)) {
            checkedIn = withoutDate(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
        }
        assertTrue(fresh.size() > 300, "generator produced only " + fresh.size() + " lines");
        assertEquals(String.join("\n", fresh), String.join("\n", checkedIn),
                "commands.tsv drifted from the installed redis-server: run test-harness/gen-command-table");
    }

    private static List<String> withoutDate(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith(CommandTableGenerator.GENERATED_ON)).toList();
    }
}
