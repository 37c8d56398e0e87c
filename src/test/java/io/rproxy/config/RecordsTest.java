package io.rproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rproxy.routing.Distribution;
import io.rproxy.routing.HashFunction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The config records check themselves, whoever builds them; ServerSpec parses server lines. */
class RecordsTest {
    private static final ServerSpec SERVER = new ServerSpec(new HostPort("127.0.0.1", 6379), 1, Optional.empty());

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1:6379:1            | 127.0.0.1 | 6379 | 1 |
            127.0.0.1:6379:10 redis1    | 127.0.0.1 | 6379 | 10 | redis1
            '  host.example:1:2   n  '  | host.example | 1 | 2 | n
            [::1]:6380:3 v6             | ::1 | 6380 | 3 | v6
            """)
    void parsesServerLines(String line, String host, int port, int weight, String name) {
        assertEquals(new ServerSpec(new HostPort(host, port), weight, Optional.ofNullable(name)),
                ServerSpec.parse(line));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1:6379          | '127.0.0.1:6379' is not host:port:weight [name]: '127.0.0.1' is not host:port
            h:1:1 a b               | 'h:1:1 a b' is not host:port:weight [name]
            h:1:                    | 'h:1:' is not host:port:weight [name]
            :1:1                    | ':1:1' is not host:port:weight [name]: ':1' is not host:port
            h:1:0                   | 'h:1:0': weight must be > 0, got 0
            h:1:one                 | 'h:1:one' has a weight that is not an integer
            h:1:99999999999         | 'h:1:99999999999' has a weight that is not an integer
            h:0:1                   | 'h:0:1' has port 0, which no server listens on
            """)
    void rejectsServerLines(String line, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerSpec.parse(line));
        assertEquals(message, e.getMessage());
    }

    @Test
    void identityIsTheNameElseTheAddress() {
        assertEquals("127.0.0.1:6379", SERVER.identity());
        assertEquals("r1", ServerSpec.parse("127.0.0.1:6379:1 r1").identity());
        assertEquals("[::1]:6379", ServerSpec.parse("[::1]:6379:1").identity());
    }

    static Stream<Arguments> invalidPools() {
        return Stream.<Map.Entry<String, UnaryOperator<Pool>>>of(
                Map.entry("bad name", p -> p.name("a.b")),
                Map.entry("zero timeout", p -> p.timeout(Optional.of(Duration.ZERO))),
                Map.entry("zero backlog", p -> p.backlog(0)),
                Map.entry("negative db", p -> p.redisDb(-1)),
                Map.entry("no connections", p -> p.serverConnections(0)),
                Map.entry("zero retry", p -> p.retry(Duration.ZERO)),
                Map.entry("zero failure limit", p -> p.failureLimit(0)),
                Map.entry("empty auth", p -> p.auth(Optional.of(""))),
                Map.entry("no servers", p -> p.servers(List.of())))
                .map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPools")
    void poolConfigRefusesInvalidComponents(String name, UnaryOperator<Pool> change) {
        Pool valid = new Pool("p", Optional.empty(), 512, Optional.empty(), 0, 1, Duration.ofSeconds(30), 2,
                List.of(SERVER));
        valid.build(); // the baseline is fine
        assertThrows(IllegalArgumentException.class, () -> change.apply(valid).build());
    }

    @Test
    void poolConfigAllowsAnEphemeralListenPortForTests() {
        new Pool("p", Optional.empty(), 512, Optional.empty(), 0, 1, Duration.ofSeconds(30), 2, List.of(SERVER))
                .build();
    }

    @Test
    void otherRecordsRefuseNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new ServerSpec(SERVER.address(), 0, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new ServerSpec(SERVER.address(), 1, Optional.of("a b")));
        assertThrows(IllegalArgumentException.class,
                () -> new AdminConfig(AdminConfig.DEFAULT_LISTEN, Optional.of("")));
        assertThrows(IllegalArgumentException.class, () -> new ConfigProblem("f", -1, "", "m"));
    }

    /** The components of PoolConfig that have rules, with the rest fixed. */
    record Pool(String name, Optional<Duration> timeout, int backlog, Optional<String> auth, int redisDb,
                int serverConnections, Duration retry, int failureLimit, List<ServerSpec> servers) {
        PoolConfig build() {
            return new PoolConfig(name, new HostPort("127.0.0.1", 0), HashFunction.FNV1A_64, Optional.empty(),
                    Distribution.KETAMA, timeout, backlog, auth, redisDb, false, serverConnections, false, retry,
                    failureLimit, false, false, servers);
        }

        Pool name(String v) {
            return new Pool(v, timeout, backlog, auth, redisDb, serverConnections, retry, failureLimit, servers);
        }

        Pool timeout(Optional<Duration> v) {
            return new Pool(name, v, backlog, auth, redisDb, serverConnections, retry, failureLimit, servers);
        }

        Pool backlog(int v) {
            return new Pool(name, timeout, v, auth, redisDb, serverConnections, retry, failureLimit, servers);
        }

        Pool auth(Optional<String> v) {
            return new Pool(name, timeout, backlog, v, redisDb, serverConnections, retry, failureLimit, servers);
        }

        Pool redisDb(int v) {
            return new Pool(name, timeout, backlog, auth, v, serverConnections, retry, failureLimit, servers);
        }

        Pool serverConnections(int v) {
            return new Pool(name, timeout, backlog, auth, redisDb, v, retry, failureLimit, servers);
        }

        Pool retry(Duration v) {
            return new Pool(name, timeout, backlog, auth, redisDb, serverConnections, v, failureLimit, servers);
        }

        Pool failureLimit(int v) {
            return new Pool(name, timeout, backlog, auth, redisDb, serverConnections, retry, v, servers);
        }

        Pool servers(List<ServerSpec> v) {
            return new Pool(name, timeout, backlog, auth, redisDb, serverConnections, retry, failureLimit, v);
        }
    }
}
