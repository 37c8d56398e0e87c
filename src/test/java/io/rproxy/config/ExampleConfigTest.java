package io.rproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.resp.RespLimits;
import io.rproxy.routing.HashTag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** conf/rproxy.example.toml is user documentation: it must parse, and what it calls a default must be one. */
class ExampleConfigTest {
    private static final Path EXAMPLE = Path.of("conf/rproxy.example.toml");
    /** A commented-out setting such as "# timeout = 400". */
    private static final Pattern COMMENTED_SETTING = Pattern.compile("(?m)^# ([a-z_]+ = )");

    @Test
    void parses() {
        ProxyConfig config = ConfigLoader.load(EXAMPLE);

        assertEquals(List.of("alpha", "sessions"), List.copyOf(config.pools().keySet()));
        assertEquals(Optional.of(new HashTag((byte) '{', (byte) '}')), config.pools().get("sessions").hashTag());
    }

    @Test
    void theValuesItShowsAreTheDefaults() {
        ProxyConfig config = ConfigLoader.load(EXAMPLE);

        assertEquals(AdminConfig.DEFAULT, config.admin());
        assertEquals(RespLimits.DEFAULT, config.limits());
        assertEquals(MetricsConfig.DISABLED, config.metrics());
        PoolConfig alpha = config.pools().get("alpha");
        PoolConfig defaults = ConfigLoader.parse(
                "[pools.alpha]\nlisten = \"127.0.0.1:22121\"\nservers = [\"127.0.0.1:6379:1 redis1\","
                        + " \"127.0.0.1:6380:1 redis2\"]\n", Path.of("defaults.toml")).pools().get("alpha");
        assertEquals(defaults, alpha);
    }

    @Test
    void documentsEveryKey() throws Exception {
        String text = Files.readString(EXAMPLE);
        Stream.of(ConfigLoader.TOP_LEVEL_KEYS.stream().map(k -> "[" + k),
                        ConfigLoader.ADMIN_KEYS.stream().map(k -> k.equals("tls") ? "[admin.tls]" : k + " = "),
                        ConfigLoader.LIMITS_KEYS.stream().map(k -> k + " = "),
                        ConfigLoader.METRICS_KEYS.stream().map(k -> k + " = "),
                        PoolReader.KEYS.stream().map(k -> k.endsWith("tls") ? "[pools.alpha." + k + "]" : k + " = "),
                        TlsReader.LISTENER_KEYS.stream().map(k -> k + " = "),
                        TlsReader.SERVER_KEYS.stream().map(k -> k + " = "))
                .flatMap(s -> s)
                .forEach(key -> assertTrue(text.contains(key), "conf/rproxy.example.toml does not show " + key));
    }

    @Test
    void itsCommentedOutSettingsAreValidToo() throws Exception {
        String text = COMMENTED_SETTING.matcher(Files.readString(EXAMPLE)).replaceAll("$1");
        ProxyConfig config = ConfigLoader.parse(text, EXAMPLE);

        PoolConfig alpha = config.pools().get("alpha");
        assertEquals(Optional.of("change-me"), config.admin().password());
        assertEquals(Optional.of(new HostPort("127.0.0.1", 22223)), config.admin().statsListen());
        assertEquals(Optional.of(new HostPort("127.0.0.1", 9121)), config.metrics().listen());
        assertEquals(Optional.of(Duration.ofMillis(400)), alpha.timeout());
        assertEquals(Optional.of("secret"), alpha.redisAuth());
        assertEquals(Optional.of(new HashTag((byte) '{', (byte) '}')), alpha.hashTag());
    }
}
