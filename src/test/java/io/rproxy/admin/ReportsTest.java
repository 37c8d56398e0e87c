package io.rproxy.admin;

import io.rproxy.cli.JsonReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.admin.Snapshot.LoadedConfig;
import io.rproxy.admin.Snapshot.PoolSample;
import io.rproxy.admin.Snapshot.ServerSample;
import io.rproxy.backend.ServerState;
import io.rproxy.backend.ServerStats;
import io.rproxy.backend.ServerStatus;
import io.rproxy.config.ConfigLoader;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.ProxyConfig;
import io.rproxy.proxy.PoolStats;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** STATUS, STATS and /metrics rendered from a hand-made snapshot: no sockets, no servers. */
class ReportsTest {
    private static final Instant START = Instant.parse("2030-01-02T03:04:05Z");
    private static final ProxyConfig CONFIG = ConfigLoader.parse("""
            [pools.alpha]
            listen = "127.0.0.1:22121"
            server_retry_timeout = 10000
            servers = ["127.0.0.1:6379:1 a\\"quote", "127.0.0.1:6380:3"]
            """, Path.of("/etc/rproxy.toml"));

    private static Snapshot snapshot() {
        return snapshot(new OpenFiles(35, 128));
    }

    private static Snapshot snapshot(OpenFiles openFiles) {
        PoolConfig alpha = CONFIG.pools().get("alpha");
        ServerStatus ejected = new ServerStatus(ServerState.EJECTED, Optional.of(START.plusSeconds(70)), 2);
        ServerStatus up = new ServerStatus(ServerState.UP, Optional.empty(), 0);
        PoolSample pool = new PoolSample(alpha, new PoolStats(), List.of(
                new ServerSample(alpha.servers().get(0), ejected, new ServerStats()),
                new ServerSample(alpha.servers().get(1), up, new ServerStats())));
        return new Snapshot("9.9.9", "host", START, START.plusSeconds(90), new LoadedConfig(CONFIG, START), null,
                List.of(pool), openFiles);
    }

    @Test
    void statusHasTheStatesAndAStagedSlot() {
        Map<String, Object> status = JsonReader.parseObject(StatusJson.render(snapshot()));

        assertEquals(90L, status.get("uptime_s"));
        assertTrue(status.containsKey("staged"));
        assertNull(status.get("staged"));
        Map<?, ?> active = (Map<?, ?>) status.get("active");
        assertEquals("2030-01-02T03:04:05Z", active.get("loaded_at"));
        List<?> servers = (List<?>) ((Map<?, ?>) ((Map<?, ?>) active.get("pools")).get("alpha")).get("servers");
        Map<?, ?> first = (Map<?, ?>) servers.get(0);
        assertEquals("a\"quote", first.get("name"));
        assertEquals("ejected", first.get("state"));
        assertEquals("2030-01-02T03:05:15Z", first.get("ejected_until"));
        Map<?, ?> second = (Map<?, ?>) servers.get(1);
        assertEquals("127.0.0.1:6380", second.get("name"), "an unnamed server is known by its address");
        assertEquals(3L, second.get("weight"));
    }

    @Test
    void statsGiveTheEjectionTimeInMicrosecondsAsNutcrackerDoes() {
        Map<String, Object> stats = JsonReader.parseObject(TwemproxyStats.render(snapshot()));

        Map<?, ?> server = (Map<?, ?>) ((Map<?, ?>) stats.get("alpha")).get("a\"quote");
        long ejectedAt = START.plusSeconds(60).getEpochSecond() * 1_000_000;
        assertEquals(ejectedAt, server.get("server_ejected_at"));
        assertEquals(0L, ((Map<?, ?>) ((Map<?, ?>) stats.get("alpha")).get("127.0.0.1:6380")).get("server_ejected_at"));
        assertEquals(90L, stats.get("uptime"));
        assertEquals(START.plusSeconds(90).getEpochSecond(), stats.get("timestamp"));
    }

    @Test
    void metricsEscapeLabelValuesAndAnnounceEveryFamily() {
        String text = PrometheusText.render(snapshot());

        assertTrue(text.contains("rproxy_server_up{pool=\"alpha\",server=\"a\\\"quote\"} 0\n"), text);
        assertTrue(text.contains("rproxy_server_up{pool=\"alpha\",server=\"127.0.0.1:6380\"} 1\n"), text);
        assertTrue(text.contains("rproxy_request_duration_seconds_bucket{pool=\"alpha\",le=\"0.0001\"} 0\n"), text);
        assertTrue(text.contains("rproxy_request_duration_seconds_bucket{pool=\"alpha\",le=\"1\"} 0\n"), text);
        assertTrue(text.contains("rproxy_build_info{version=\"9.9.9\"} 1\n"), text);
        assertEquals("a\\\\b\\\"c\\nd", PrometheusText.escape("a\\b\"c\nd"));
        MetricsIT.parse(text, new java.util.HashMap<>());
    }

    @Test
    void statusAndMetricsShowTheOpenFilesLimitAndFailedAccepts() {
        Map<String, Object> status = JsonReader.parseObject(StatusJson.render(snapshot()));
        assertEquals(35L, status.get("open_files"));
        assertEquals(128L, status.get("open_files_limit"));
        Map<?, ?> alpha = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) status.get("active")).get("pools")).get("alpha");
        assertEquals(0L, alpha.get("accept_errors"));

        String text = PrometheusText.render(snapshot());
        assertTrue(text.contains("\nprocess_open_fds 35\n"), text);
        assertTrue(text.contains("\nprocess_max_fds 128\n"), text);
        assertTrue(text.contains("\nrproxy_pool_accept_errors_total{pool=\"alpha\"} 0\n"), text);

        // At the limit itself the open count is unknown (listing /proc/self/fd takes a descriptor).
        Snapshot atLimit = snapshot(new OpenFiles(-1, 128));
        Map<String, Object> unknown = JsonReader.parseObject(StatusJson.render(atLimit));
        assertTrue(unknown.containsKey("open_files"));
        assertNull(unknown.get("open_files"));
        assertFalse(PrometheusText.render(atLimit).contains("process_open_fds"));
    }

    @Test
    void theStartWarnsWhenTheLimitLeavesRoomForFewClients() {
        // alpha: two servers, one connection each.
        assertEquals(2, OpenFiles.backendConnections(CONFIG));
        String warning = new OpenFiles(20, 128).warning(CONFIG).orElseThrow();
        assertTrue(warning.startsWith("the open-files limit 128 is low for this configuration: its servers take up "
                + "to 2 connection(s)"), warning);
        assertTrue(warning.contains("room for 62 client(s)"), warning);
        assertEquals(Optional.empty(), new OpenFiles(20, 1_048_576).warning(CONFIG));
        assertEquals(Optional.empty(), new OpenFiles(-1, -1).warning(CONFIG));
    }
}
