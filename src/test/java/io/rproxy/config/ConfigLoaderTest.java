package io.rproxy.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.resp.RespLimits;
import io.rproxy.routing.Distribution;
import io.rproxy.routing.HashFunction;
import io.rproxy.routing.HashTag;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a well-formed file turns into, and how files that cannot be read are reported. */
class ConfigLoaderTest {
    private static final Path SOURCE = Path.of("test.toml");

    @Test
    void readsEveryKey() throws Exception {
        Path file = resource("full.toml");
        ProxyConfig config = ConfigLoader.load(file);

        assertEquals(file, config.source());
        assertEquals(Files.readString(file), config.text());
        assertEquals(new AdminConfig(new HostPort("10.0.0.1", 9999), Optional.of("admin-secret")), config.admin());
        assertEquals(new RespLimits(1048576, 1024, 4096), config.limits());
        assertEquals(List.of("alpha", "beta-2"), List.copyOf(config.pools().keySet()));

        PoolConfig alpha = config.pools().get("alpha");
        assertAll(
                () -> assertEquals("alpha", alpha.name()),
                () -> assertEquals(new HostPort("0.0.0.0", 22121), alpha.listen()),
                () -> assertEquals(HashFunction.MURMUR, alpha.hash()),
                () -> assertEquals(Optional.of(new HashTag((byte) '[', (byte) ']')), alpha.hashTag()),
                () -> assertEquals(Distribution.MODULA, alpha.distribution()),
                () -> assertEquals(Optional.of(Duration.ofMillis(400)), alpha.timeout()),
                () -> assertEquals(1024, alpha.backlog()),
                () -> assertEquals(Optional.of("secret"), alpha.redisAuth()),
                () -> assertEquals(3, alpha.redisDb()),
                () -> assertEquals(4, alpha.serverConnections()),
                () -> assertTrue(alpha.preconnect()),
                () -> assertTrue(alpha.autoEjectHosts()),
                () -> assertEquals(Duration.ofMillis(5000), alpha.serverRetryTimeout()),
                () -> assertEquals(7, alpha.serverFailureLimit()),
                () -> assertTrue(alpha.tcpKeepalive()),
                () -> assertTrue(alpha.reusePort()),
                () -> assertEquals(List.of(
                        new ServerSpec(new HostPort("127.0.0.1", 6379), 1, Optional.of("redis1")),
                        new ServerSpec(new HostPort("::1", 6380), 5, Optional.of("redis2")),
                        new ServerSpec(new HostPort("cache.example.com", 6381), 2, Optional.empty())),
                        alpha.servers()));

        PoolConfig beta = config.pools().get("beta-2");
        assertEquals(new HostPort("::1", 22122), beta.listen());
    }

    @Test
    void appliesDefaultsToAbsentKeys() {
        String text = """
                [pools.alpha]
                listen = "127.0.0.1:22121"
                servers = ["127.0.0.1:6379:1"]
                """;
        ProxyConfig config = ConfigLoader.parse(text, SOURCE);

        assertEquals(SOURCE, config.source());
        assertEquals(text, config.text());
        assertEquals(new AdminConfig(new HostPort("127.0.0.1", 22222), Optional.empty()), config.admin());
        assertEquals(RespLimits.DEFAULT, config.limits());
        PoolConfig pool = config.pools().get("alpha");
        assertEquals(new PoolConfig("alpha", new HostPort("127.0.0.1", 22121), HashFunction.FNV1A_64,
                Optional.empty(), Distribution.KETAMA, Optional.empty(), 512, Optional.empty(), 0, false, 1, false,
                Duration.ofMillis(30000), 2, false, false,
                List.of(new ServerSpec(new HostPort("127.0.0.1", 6379), 1, Optional.empty()))), pool);
    }

    @Test
    void readsTheStatsPortAndTheMetricsEndpoint() {
        ProxyConfig config = ConfigLoader.parse("""
                [admin]
                stats_listen = "127.0.0.1:22223"
                [metrics]
                listen = "0.0.0.0:9121"
                [pools.alpha]
                listen = "127.0.0.1:22121"
                servers = ["127.0.0.1:6379:1"]
                """, SOURCE);

        assertEquals(new AdminConfig(AdminConfig.DEFAULT_LISTEN, Optional.empty(),
                Optional.of(new HostPort("127.0.0.1", 22223))), config.admin());
        assertEquals(new MetricsConfig(Optional.of(new HostPort("0.0.0.0", 9121))), config.metrics());
    }

    @Test
    void emptyAdminAndLimitsTablesMeanDefaults() {
        ProxyConfig config = ConfigLoader.parse("""
                [admin]
                [limits]
                [metrics]
                [pools.alpha]
                listen = "127.0.0.1:22121"
                servers = ["127.0.0.1:6379:1"]
                """, SOURCE);

        assertEquals(AdminConfig.DEFAULT, config.admin());
        assertEquals(RespLimits.DEFAULT, config.limits());
        assertEquals(MetricsConfig.DISABLED, config.metrics());
    }

    @Test
    void readsClientBufferSizesWithRedisUnits() {
        ProxyConfig config = ConfigLoader.parse("""
                [limits]
                maxmemory_clients = "1gb"
                [pools.alpha]
                listen = "127.0.0.1:22121"
                servers = ["127.0.0.1:6379:1"]
                client_output_buffer_limit = "32MB"
                client_query_buffer_limit = 500
                [pools.beta]
                listen = "127.0.0.1:22122"
                servers = ["127.0.0.1:6379:1"]
                client_output_buffer_limit = "0"
                client_query_buffer_limit = "2k"
                """, SOURCE);

        assertEquals(1L << 30, config.maxmemoryClients());
        assertEquals(32L << 20, config.pools().get("alpha").clientOutputBufferLimit());
        assertEquals(500, config.pools().get("alpha").clientQueryBufferLimit());
        assertEquals(0, config.pools().get("beta").clientOutputBufferLimit(), "0 is no limit, as in Redis");
        assertEquals(2000, config.pools().get("beta").clientQueryBufferLimit(), "k is 1000, kb 1024, as in Redis");
    }

    @Test
    void maxmemoryClientsIsAShareOfTheHeapByDefaultOrWhenAPercentage() {
        String pool = "[pools.alpha]\nlisten = \"127.0.0.1:22121\"\nservers = [\"127.0.0.1:6379:1\"]\n";
        long heap = Runtime.getRuntime().maxMemory();
        assertEquals(heap / 100 * 25, ConfigLoader.parse(pool, SOURCE).maxmemoryClients());
        assertEquals(heap / 100 * 10,
                ConfigLoader.parse("[limits]\nmaxmemory_clients = \"10%\"\n" + pool, SOURCE).maxmemoryClients());
    }

    @Test
    void keepsPoolsInFileOrder() {
        ProxyConfig config = ConfigLoader.parse("""
                [pools.zeta]
                listen = "127.0.0.1:1"
                servers = ["127.0.0.1:6379:1"]
                [pools.alpha]
                listen = "127.0.0.1:2"
                servers = ["127.0.0.1:6379:1"]
                [pools.mu]
                listen = "127.0.0.1:3"
                servers = ["127.0.0.1:6379:1"]
                """, SOURCE);

        assertEquals(List.of("zeta", "alpha", "mu"), List.copyOf(config.pools().keySet()));
    }

    @Test
    void acceptsInlineTablesAndAByteOrderMark() {
        ProxyConfig config = ConfigLoader.parse(
                "\uFEFFpools = { alpha = { listen = \"127.0.0.1:22121\", servers = [\"h:1:1\"] } }\n", SOURCE);

        assertEquals(new HostPort("127.0.0.1", 22121), config.pools().get("alpha").listen());
    }

    @Test
    void missingFileIsOneProblemOnLineZero(@TempDir Path dir) {
        Path file = dir.resolve("absent.toml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(1, e.problems().size());
        ConfigProblem problem = e.problems().get(0);
        assertEquals(new ConfigProblem(file.toString(), 0, "", problem.message()), problem);
        assertTrue(problem.message().startsWith("no such file"), problem.message());
        assertEquals(file + ": " + problem.message(), e.getMessage());
    }

    @Test
    void directoryIsRejected(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));

        assertEquals(List.of(new ConfigProblem(dir.toString(), 0, "", "is a directory, not a file")), e.problems());
    }

    @Test
    void bytesThatAreNotUtf8AreRejected(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.toml");
        Files.write(file, new byte[] {'#', ' ', (byte) 0xe9, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(List.of(new ConfigProblem(file.toString(), 0, "", "is not UTF-8 text, as TOML requires")),
                e.problems());
    }

    @Test
    void loadReadsTheFileItIsGiven(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rproxy.toml");
        String text = "[pools.a]\nlisten = \"127.0.0.1:22121\"\nservers = [\"127.0.0.1:6379:1 é\"]\n";
        Files.writeString(file, text);

        ProxyConfig config = ConfigLoader.load(file);

        assertEquals(text, config.text());
        assertEquals(file, config.source());
        assertEquals(Optional.of("é"), config.pools().get("a").servers().get(0).name());
    }

    @Test
    void problemsInAFileNameTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.toml");
        Files.writeString(file, "[pools.a]\nlisten = \"127.0.0.1:22121\"\nservers = []\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(file + ":3: pools.a.servers: must list at least one server as \"host:port:weight [name]\"",
                e.getMessage());
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(ConfigLoaderTest.class.getResource(name).toURI());
    }
}
