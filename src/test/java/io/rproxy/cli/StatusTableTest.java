package io.rproxy.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code rproxy status} for a Sentinel pool: its sentinels' states, and each master's name, address and switches. */
class StatusTableTest {
    @Test
    void aSentinelPoolShowsItsSentinelsAndMasters() {
        String status = """
                {"version": "0.1.0", "started_at": "2030-01-02T03:04:05Z", "uptime_s": 61,
                 "active": {"source": "/etc/rproxy.toml", "sha256": "a7bb51f1c298aa", "loaded_at": "2030-01-02T03:04:05Z",
                  "pools": {"ha": {"listen": "127.0.0.1:22123", "hash": "fnv1a_64", "hash_tag": null,
                   "distribution": "ketama", "timeout_ms": 400, "client_connections": 2, "forward_errors": 7,
                   "fragments": 0,
                   "sentinels": [{"address": "10.0.0.1:26379", "state": "up", "last_error": null},
                                 {"address": "10.0.0.2:26379", "state": "down", "last_error": "connection refused"}],
                   "servers": [{"name": "alpha", "master": "alpha", "address": "10.0.1.2:6379", "weight": 1,
                     "config_epoch": 3, "switches": 1, "state": "up", "ejected_until": null, "requests": 10,
                     "responses": 10, "errors": 7, "timeouts": 0, "in_flight": 0, "connections": 1,
                     "request_bytes": 300, "response_bytes": 50},
                    {"name": "shard2", "master": "beta", "address": "10.0.1.3:6379", "weight": 1,
                     "config_epoch": 0, "switches": 0, "state": "failover", "ejected_until": null, "requests": 4,
                     "responses": 4, "errors": 0, "timeouts": 0, "in_flight": 0, "connections": 1,
                     "request_bytes": 100, "response_bytes": 20}]}}},
                 "staged": null}
                """;
        String table = StatusTable.render(JsonReader.parseObject(status));
        assertTrue(table.contains("pool ha  listen 127.0.0.1:22123  sentinel fnv1a_64/ketama"), table);
        assertTrue(table.contains("  sentinels 10.0.0.1:26379 up, 10.0.0.2:26379 down (connection refused)\n"),
                table);
        assertTrue(table.contains("  SERVER  MASTER  ADDRESS        WEIGHT  STATE     SWITCHES  REQUESTS"), table);
        assertTrue(table.contains("  alpha   alpha   10.0.1.2:6379  1       up        1         10"), table);
        assertTrue(table.contains("  shard2  beta    10.0.1.3:6379  1       failover  0         4"), table);
    }
}
