package io.rproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.config.ConfigRejectionTest.Case;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** A Sentinel pool's keys as the file gives them, and each way they are refused (line, key, words). */
class SentinelConfigTest {
    private static final Path SOURCE = Path.of("conf/test.toml");

    /** Line 1 "[pools.ha]", 2 listen, 3 sentinels, 4 servers, then {@code extra} from line 5 on. */
    private static String ha(String sentinels, String servers, String... extra) {
        return "[pools.ha]\nlisten = \"127.0.0.1:22121\"\nsentinels = [" + sentinels + "]\nservers = [" + servers
                + "]\n" + String.join("\n", extra) + "\n";
    }

    private static final String SENTINELS = "\"10.0.0.1:26379\", \"10.0.0.2:26379\"";

    @Test
    void aSentinelPoolsServersAreMastersPlacedByName() {
        PoolConfig pool = ConfigLoader.parse(ha(SENTINELS, "\"alpha:1\", \"beta:2 shard2\"",
                "sentinel_password = \"s3cret\"", "redis_auth = \"masters\""), SOURCE).pools().get("ha");
        SentinelConfig sentinel = pool.sentinel().orElseThrow();
        assertEquals(List.of(new HostPort("10.0.0.1", 26379), new HostPort("10.0.0.2", 26379)), sentinel.sentinels());
        assertEquals(Optional.of("s3cret"), sentinel.password());
        assertEquals(List.of(new SentinelConfig.Master("alpha", 1, Optional.empty()),
                new SentinelConfig.Master("beta", 2, Optional.of("shard2"))), sentinel.masters());
        assertEquals(List.of("alpha", "shard2"), sentinel.masters().stream().map(SentinelConfig.Master::identity)
                .toList());
        assertEquals(List.of(), pool.servers(), "no addresses: the sentinels give them");
        assertEquals(Optional.of("masters"), pool.redisAuth());
        HostPort at = new HostPort("127.0.0.1", 7001);
        assertEquals(new ServerSpec(at, 2, Optional.of("shard2")), sentinel.masters().get(1).at(at));
        assertTrue(ConfigLoader.parse(ha(SENTINELS, "\"alpha:1\""), SOURCE).pools().get("ha").sentinel().get()
                .password().isEmpty());
    }

    /** conf/rproxy.example.toml shows a Sentinel pool commented out (it needs sentinels to start): it parses. */
    @Test
    void theExamplesSentinelPoolParses() throws Exception {
        StringBuilder block = new StringBuilder();
        boolean in = false;
        for (String line : Files.readAllLines(Path.of("conf/rproxy.example.toml"))) {
            in = in || line.equals("#   [pools.orders]");
            if (in && !line.startsWith("#")) {
                break;
            }
            if (in) {
                block.append(line.length() > 4 ? line.substring(4) : "").append('\n');
            }
        }
        PoolConfig orders = ConfigLoader.parse(block.toString(), SOURCE).pools().get("orders");
        SentinelConfig sentinel = orders.sentinel().orElseThrow();
        assertEquals(3, sentinel.sentinels().size());
        assertEquals(List.of("alpha", "shard2"), sentinel.masters().stream().map(SentinelConfig.Master::identity)
                .toList());
        assertEquals(Optional.of("sentinel-secret"), sentinel.password());
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("an address for a master", ha(SENTINELS, "\"127.0.0.1:6379:1\""), 4, "pools.ha.servers",
                        "'127.0.0.1:6379:1' looks like an address: a Sentinel pool's servers are the names"),
                new Case("a master without weight", ha(SENTINELS, "\"alpha\""), 4, "pools.ha.servers",
                        "'alpha' is not master-name:weight [name]"),
                new Case("a weight of 0", ha(SENTINELS, "\"alpha:0\""), 4, "pools.ha.servers",
                        "'alpha:0': weight must be > 0, got 0"),
                new Case("a master twice", ha(SENTINELS, "\"alpha:1\", \"alpha:1 other\""), 4, "pools.ha.servers",
                        "master 'alpha' is listed twice"),
                new Case("a ring name twice", ha(SENTINELS, "\"alpha:1 one\", \"beta:1 one\""), 4, "pools.ha.servers",
                        "the name 'one' on the hash ring is taken by master 'alpha'"),
                new Case("a master as an integer", ha(SENTINELS, "\"alpha:1\", 3"), 4, "pools.ha.servers",
                        "entry 2: expected a string \"master-name:weight [name]\", got an integer (3)"),
                new Case("no masters", ha(SENTINELS, ""), 4, "pools.ha.servers", "must list at least one master"),
                new Case("no sentinels", ha("", "\"alpha:1\""), 3, "pools.ha.sentinels",
                        "must list at least one sentinel as \"host:port\""),
                new Case("a sentinel without port", ha("\"10.0.0.1\"", "\"alpha:1\""), 3, "pools.ha.sentinels",
                        "'10.0.0.1' is not host:port"),
                new Case("a sentinel on port 0", ha("\"10.0.0.1:0\"", "\"alpha:1\""), 3, "pools.ha.sentinels",
                        "'10.0.0.1:0' has port 0"),
                new Case("a sentinel twice", ha("\"10.0.0.1:26379\", \"10.0.0.1:26379\"", "\"alpha:1\""), 3,
                        "pools.ha.sentinels", "sentinel 10.0.0.1:26379 is listed twice"),
                new Case("sentinels as a string", "[pools.ha]\nlisten = \"127.0.0.1:22121\"\nsentinels = \"h:1\"\n"
                        + "servers = [\"alpha:1\"]\n", 3, "pools.ha.sentinels", "expected an array, got a string"),
                new Case("an empty sentinel password", ha(SENTINELS, "\"alpha:1\"", "sentinel_password = \"\""), 5,
                        "pools.ha.sentinel_password", "must not be empty"),
                new Case("a sentinel password without sentinels", "[pools.a]\nlisten = \"127.0.0.1:22121\"\n"
                        + "servers = [\"127.0.0.1:6379:1\"]\nsentinel_password = \"x\"\n", 4,
                        "pools.a.sentinel_password", "means nothing without sentinels"),
                new Case("sentinels and cluster", ha(SENTINELS, "\"alpha:1\"", "cluster = true"), 3,
                        "pools.ha.sentinels", "a pool has either sentinels or cluster = true"),
                new Case("sentinels and ejection", ha(SENTINELS, "\"alpha:1\"", "auto_eject_hosts = true"), 5,
                        "pools.ha.auto_eject_hosts", "must be false in a Sentinel pool"),
                new Case("sentinels without servers", "[pools.ha]\nlisten = \"127.0.0.1:22121\"\nsentinels = ["
                        + SENTINELS + "]\n", 1, "pools.ha.servers", "a Sentinel pool lists the masters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejects(Case c) {
        ConfigRejectionTest.assertRejected(c);
    }
}
