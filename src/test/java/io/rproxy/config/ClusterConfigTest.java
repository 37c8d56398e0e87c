package io.rproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code cluster = true} pools: seeds as "host:port", and what only twemproxy's placement uses refused. */
class ClusterConfigTest {
    private static final Path SOURCE = Path.of("conf/test.toml");

    /** Line 1 "[pools.orders]", 2 listen, 3 cluster, 4 servers, then {@code extra} from line 5 on. */
    private static String orders(String servers, String... extra) {
        return "[pools.orders]\nlisten = \"127.0.0.1:22123\"\ncluster = true\nservers = [" + servers + "]\n"
                + String.join("\n", extra) + "\n";
    }

    @Test
    void seedsNeedNoWeight() {
        PoolConfig pool = ConfigLoader.parse(orders("\"127.0.0.1:7000\", \"127.0.0.1:7001:1\"",
                "timeout = 400", "redis_auth = \"secret\""), SOURCE).pools().get("orders");
        assertTrue(pool.cluster());
        assertEquals(List.of(7000, 7001), pool.servers().stream().map(s -> s.address().port()).toList());
        assertEquals("secret", pool.redisAuth().orElseThrow());
        assertFalse(ConfigLoader.parse("[pools.a]\nlisten = \"127.0.0.1:1\"\nservers = [\"127.0.0.1:2:1\"]\n",
                SOURCE).pools().get("a").cluster());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "hash = \"crc16\"|5|pools.orders.hash|means nothing in a cluster pool",
            "distribution = \"modula\"|5|pools.orders.distribution|means nothing in a cluster pool",
            "hash_tag = \"{}\"|5|pools.orders.hash_tag|means nothing in a cluster pool",
            "cluster = \"yes\"|5|pools.orders.cluster|expected a boolean",
    })
    void placementKeysAreRefused(String line, int lineNo, String key, String message) {
        String text = line.startsWith("cluster")
                ? "[pools.orders]\nlisten = \"127.0.0.1:22123\"\nservers = [\"127.0.0.1:7000:1\"]\n\n" + line + "\n"
                : orders("\"127.0.0.1:7000\"", line);
        assertOneProblem(text, lineNo, key, message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "\"127.0.0.1:7000:2\"|weights mean nothing in a cluster pool",
            "\"127.0.0.1\"|is not host:port",
            "\"127.0.0.1:0\"|port 0",
            "\"127.0.0.1:7000\", \"127.0.0.1:7000\"|listed twice",
            "7000|expected a string \"host:port\"",
    })
    void badSeedsAreRefused(String servers, String message) {
        assertOneProblem(orders(servers), 4, "pools.orders.servers", message);
    }

    private static void assertOneProblem(String text, int line, String key, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(text, SOURCE));
        assertEquals(1, e.problems().size(), e::getMessage);
        ConfigProblem problem = e.problems().get(0);
        assertEquals(line, problem.line(), e::getMessage);
        assertEquals(key, problem.key(), e::getMessage);
        assertTrue(problem.message().contains(message), e::getMessage);
    }
}
