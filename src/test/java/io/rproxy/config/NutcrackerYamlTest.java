package io.rproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.routing.Distribution;
import io.rproxy.routing.HashFunction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** A nutcracker.yml read as it is: nutcracker's keys, defaults and refusals, with file:line: pool.key: message. */
class NutcrackerYamlTest {
    private static final Path FILE = Path.of("nutcracker.yml");

    /** The Redis pools of the sample configuration Debian's nutcracker package ships (examples/nutcracker.yml). */
    private static final String SAMPLE = """
            alpha:
              listen: 127.0.0.1:22121
              hash: fnv1a_64
              distribution: ketama
              auto_eject_hosts: true
              redis: true
              server_retry_timeout: 2000
              server_failure_limit: 1
              servers:
               - 127.0.0.1:6379:1

            beta:
              listen: 127.0.0.1:22122
              hash: fnv1a_64
              hash_tag: "{}"
              distribution: ketama
              auto_eject_hosts: false
              timeout: 400
              redis: true
              servers:
               - 127.0.0.1:6380:1 server1
               - 127.0.0.1:6381:1 server2
            """;

    @Test
    void theSampleConfigurationReadsKeyForKeyWithNutcrackersDefaults() {
        ProxyConfig config = ConfigLoader.parse(SAMPLE, FILE);
        assertEquals(ConfigFormat.YAML, config.format());
        assertEquals(List.of("alpha", "beta"), List.copyOf(config.pools().keySet()));
        PoolConfig alpha = config.pools().get("alpha");
        assertEquals(new HostPort("127.0.0.1", 22121), alpha.listen());
        assertEquals(HashFunction.FNV1A_64, alpha.hash());
        assertEquals(Distribution.KETAMA, alpha.distribution());
        assertTrue(alpha.autoEjectHosts());
        assertEquals(Duration.ofMillis(2000), alpha.serverRetryTimeout());
        assertEquals(1, alpha.serverFailureLimit());
        assertEquals(Optional.empty(), alpha.timeout(), "no timeout: wait forever, nutcracker's default");
        assertEquals(512, alpha.backlog());
        assertEquals(1, alpha.serverConnections());
        assertEquals(0, alpha.clientConnections());
        PoolConfig beta = config.pools().get("beta");
        assertEquals(Optional.of(Duration.ofMillis(400)), beta.timeout());
        assertEquals(Optional.of("server2"), beta.servers().get(1).name());
        assertEquals(AdminConfig.DEFAULT, config.admin());
    }

    @Test
    void everyKeyNutcrackerKnowsIsAcceptedQuotedOrNot() {
        ProxyConfig config = ConfigLoader.parse("""
                p:
                  listen: "127.0.0.1:22121"
                  hash: md5
                  hash_tag: "{}"
                  distribution: modula
                  timeout: "250"
                  backlog: 1024
                  client_connections: 100
                  redis: "true"
                  redis_auth: secret
                  redis_db: 3
                  preconnect: true
                  auto_eject_hosts: true
                  server_connections: 2
                  server_retry_timeout: 5000
                  server_failure_limit: 3
                  tcpkeepalive: true
                  reuseport: false
                  servers:
                    - 127.0.0.1:6379:2 one
                """, FILE);
        PoolConfig p = config.pools().get("p");
        assertEquals(Optional.of(Duration.ofMillis(250)), p.timeout());
        assertEquals(1024, p.backlog());
        assertEquals(100, p.clientConnections());
        assertEquals(Optional.of("secret"), p.redisAuth());
        assertEquals(3, p.redisDb());
        assertTrue(p.preconnect() && p.autoEjectHosts() && p.tcpKeepalive());
        assertEquals(2, p.serverConnections());
        assertEquals(Distribution.MODULA, p.distribution());
    }

    record Case(String name, String yaml, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> refusals() {
        String servers = "  servers:\n    - 127.0.0.1:6379:1\n";
        return Stream.of(
                new Case("unknown key", "a:\n  listen: 127.0.0.1:1\n  redis: true\n  timout: 5\n" + servers,
                        "nutcracker.yml:4: a.timout: unknown key (did you mean 'timeout'?)"),
                new Case("no redis: true is a memcached pool", "a:\n  listen: 127.0.0.1:1\n" + servers,
                        "nutcracker.yml:1: a.redis: missing; nutcracker takes a pool without 'redis: true'"),
                new Case("redis: false", "a:\n  listen: 127.0.0.1:1\n  redis: false\n" + servers,
                        "nutcracker.yml:3: a.redis: false is not supported"),
                new Case("not a number", "a:\n  listen: 127.0.0.1:1\n  redis: true\n  timeout: abc\n" + servers,
                        "nutcracker.yml:4: a.timeout: expected an integer, got 'abc'"),
                new Case("yes is no boolean to nutcracker", "a:\n  listen: 127.0.0.1:1\n  redis: true\n"
                        + "  preconnect: yes\n" + servers, "nutcracker.yml:4: a.preconnect: expected true or false"),
                new Case("server_connections 0", "a:\n  listen: 127.0.0.1:1\n  redis: true\n"
                        + "  server_connections: 0\n" + servers,
                        "nutcracker.yml:4: a.server_connections: must be at least 1, got 0"),
                new Case("hash tag of one character", "a:\n  listen: 127.0.0.1:1\n  redis: true\n"
                        + "  hash_tag: \"{\"\n" + servers, "nutcracker.yml:4: a.hash_tag: must be exactly two"),
                new Case("duplicate key", "a:\n  listen: 127.0.0.1:1\n  redis: true\n  hash: md5\n  hash: crc16\n"
                        + servers, "nutcracker.yml:5: a.hash: is a duplicate (also on line 4)"),
                new Case("duplicate pool", "a:\n  listen: 127.0.0.1:1\n  redis: true\n" + servers
                        + "a:\n  listen: 127.0.0.1:2\n  redis: true\n" + servers,
                        "nutcracker.yml:6: a: a second pool named 'a' (the first is on line 1)"),
                new Case("unix socket listen", "a:\n  listen: /tmp/a.sock 0666\n  redis: true\n" + servers,
                        "nutcracker.yml:2: a.listen: '/tmp/a.sock 0666' is a unix socket"),
                new Case("unix socket server", "a:\n  listen: 127.0.0.1:1\n  redis: true\n  servers:\n"
                        + "    - /tmp/redis.sock:1\n", "nutcracker.yml:5: a.servers: '/tmp/redis.sock:1' is a unix"),
                new Case("flow list", "a:\n  listen: 127.0.0.1:1\n  redis: true\n  servers: [127.0.0.1:6379:1]\n",
                        "nutcracker.yml:4: a.servers: flow style ([...] or {...}) is refused"),
                new Case("alias", "a:\n  listen: &l 127.0.0.1:1\n  redis: true\n" + servers
                        + "b:\n  listen: *l\n  redis: true\n" + servers,
                        "nutcracker.yml:2: a.listen: anchors (&l) are refused"),
                new Case("tag", "a:\n  listen: 127.0.0.1:1\n  redis: true\n  timeout: !!int 5\n" + servers,
                        "nutcracker.yml:4: a.timeout: tags (tag:yaml.org,2002:int) are refused"),
                new Case("nested too deep", "a:\n  listen: 127.0.0.1:1\n  redis: true\n  hash:\n    x: 1\n"
                        + servers, "nutcracker.yml:5: a.hash: expected a value or a list"),
                new Case("explicit document start", "---\na:\n  listen: 127.0.0.1:1\n  redis: true\n" + servers,
                        "nutcracker.yml:1: an explicit document start (---) is refused"),
                new Case("not YAML", "a:\n  listen: 127.0.0.1:1\n   redis: true\n",
                        "nutcracker.yml:3: not valid YAML"),
                new Case("empty", "# nothing\n", "nutcracker.yml: the file is empty"),
                new Case("missing listen", "a:\n  redis: true\n" + servers,
                        "nutcracker.yml:1: a.listen: missing"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void nutcrackersRefusalsAreRefusedWithFileLinePoolAndKey(Case c) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(c.yaml(), FILE));
        assertTrue(e.getMessage().lines().anyMatch(line -> line.startsWith(c.expected())),
                () -> "expected a line starting with\n  " + c.expected() + "\ngot\n" + e.getMessage());
    }

    @Test
    void theFormatIsTheExtensionsElseTheFirstLinesShape() {
        assertEquals(ConfigFormat.YAML, ConfigFormat.of(Path.of("x.yml"), "[pools.a]"));
        assertEquals(ConfigFormat.YAML, ConfigFormat.of(Path.of("x.YAML"), ""));
        assertEquals(ConfigFormat.TOML, ConfigFormat.of(Path.of("x.toml"), "a:\n"));
        assertEquals(ConfigFormat.YAML, ConfigFormat.of(Path.of("nutcracker.conf"), "# c\n\nalpha:\n  listen: x:1\n"));
        assertEquals(ConfigFormat.TOML, ConfigFormat.of(Path.of("rproxy.conf"), "# c\n[pools.a]\nlisten = \"a:1\"\n"));
        assertEquals(ConfigFormat.TOML, ConfigFormat.of(Path.of("rproxy.conf"), "x = \"a:b\"\n"));
    }

    @Test
    void aYamlReloadKeepsTheAdminPortAndStatsPortInForce() {
        ProxyConfig active = ConfigLoader.parse("[admin]\nlisten = \"127.0.0.1:7000\"\nstats_listen = \"127.0.0.1:7001\"\n"
                + "[pools.a]\nlisten = \"127.0.0.1:7002\"\nservers = [\"127.0.0.1:6379:1\"]\n", Path.of("a.toml"));
        ProxyConfig next = ConfigLoader.parse(SAMPLE, FILE).keepingEndpointsOf(active);
        assertEquals(active.admin(), next.admin());
        ProxyConfig toml = ConfigLoader.parse("[pools.a]\nlisten = \"127.0.0.1:7002\"\nservers = [\"127.0.0.1:6379:1\"]\n",
                Path.of("b.toml"));
        assertEquals(AdminConfig.DEFAULT, toml.keepingEndpointsOf(active).admin(), "a TOML file says it all");
    }

    @Test
    void convertWritesTomlThatLoadsToTheSamePoolsWithEveryKeyExplained() {
        String yaml = SAMPLE + """

                gamma:
                  listen: 127.0.0.1:22123
                  redis: true
                  hash: murmur
                  distribution: modula
                  timeout: 250
                  client_connections: 10
                  redis_auth: "p@ss: word"
                  redis_db: 2
                  tcpkeepalive: true
                  servers:
                   - 127.0.0.1:6390:2 g1
                   - 127.0.0.1:6391:1 g2
                """;
        ProxyConfig fromYaml = ConfigLoader.parse(yaml, FILE);
        String toml = TomlWriter.fromYaml(fromYaml, "converted from nutcracker.yml");
        ProxyConfig fromToml = ConfigLoader.parse(toml, Path.of("converted.toml"));
        assertEquals(ConfigFormat.TOML, fromToml.format());
        assertEquals(fromYaml.pools(), fromToml.pools(), toml);
        assertEquals(fromYaml.admin(), fromToml.admin());
        assertTrue(toml.contains("# Most clients served at once; 0 for no limit."), toml);
        assertTrue(toml.contains("client_connections = 10"), toml);
        assertTrue(toml.contains("# server_connections = 1"), toml);
    }

    @Test
    void theExampleInConfLoads() {
        ProxyConfig config = ConfigLoader.load(Path.of("conf/nutcracker.yml"));
        assertEquals(List.of("alpha", "beta"), List.copyOf(config.pools().keySet()));
        assertEquals(1000, config.pools().get("beta").clientConnections());
    }

    @Test
    void nutcrackersZerosMeanWhatTheyMeanToNutcracker() {
        PoolConfig p = ConfigLoader.parse("""
                p:
                  listen: 127.0.0.1:22121
                  redis: true
                  timeout: 0
                  backlog: 0
                  server_retry_timeout: 0
                  server_failure_limit: 0
                  servers:
                    - 127.0.0.1:6379:1
                """, FILE).pools().get("p");
        assertEquals(Optional.empty(), p.timeout(), "timeout 0: no deadline, as nutcracker");
        assertEquals(1, p.serverFailureLimit(), "0: ejected at the first failure, as with 1");
        assertEquals(Duration.ofMillis(1), p.serverRetryTimeout());
        assertEquals(1, p.backlog());
    }
}
