package io.rproxy.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.rproxy.backend.AddressSource;
import io.rproxy.backend.BackendRuntime;
import io.rproxy.backend.BackendSettings;
import io.rproxy.backend.ShardedServers;
import io.rproxy.config.ConfigLoader;
import io.rproxy.config.HostPort;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.SentinelConfig;
import io.rproxy.config.ServerSpec;
import io.rproxy.resp.RespLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Sentinel pool places every key where a plain pool whose servers carry the same names places it, wherever the
 * masters are (their addresses are not on the ring), so a failover moves no key; and a ring name stands in for the
 * master name. Checked for ketama and modula, with weights.
 */
class SentinelPlacementTest {
    private static final List<String> KEYS = keys();

    @ParameterizedTest
    @ValueSource(strings = {"ketama", "modula"})
    void keysLandAsOnAPlainPoolWithServersNamedTheSame(String distribution) {
        PoolConfig sentinel = pool(distribution, "sentinels = [\"127.0.0.1:26379\"]\n"
                + "servers = [\"alpha:1\", \"beta:2 shard2\", \"gamma:1\"]");
        PoolConfig plain = pool(distribution, "servers = [\"10.0.0.1:6379:1 alpha\", \"10.0.0.2:6379:2 shard2\","
                + " \"10.0.0.3:6379:1 gamma\"]");
        List<Integer> byName = placement(plain, plain.servers());
        SentinelConfig masters = sentinel.sentinel().orElseThrow();
        List<ServerSpec> here = new ArrayList<>();
        List<ServerSpec> afterFailover = new ArrayList<>();
        for (int i = 0; i < masters.masters().size(); i++) {
            here.add(masters.masters().get(i).at(new HostPort("127.0.0.1", 7000 + i)));
            afterFailover.add(masters.masters().get(i).at(new HostPort("192.168.1.9", 7100 + i)));
        }
        assertEquals(byName, placement(sentinel, here));
        assertEquals(byName, placement(sentinel, afterFailover), "a failover moves no key");
        // What the test tells apart: placed by address, the same keys land elsewhere.
        PoolConfig byAddress = pool(distribution, "servers = [\"10.0.0.1:6379:1\", \"10.0.0.2:6379:2\","
                + " \"10.0.0.3:6379:1\"]");
        assertNotEquals(byName, placement(byAddress, byAddress.servers()));
    }

    private static PoolConfig pool(String distribution, String servers) {
        return ConfigLoader.parse("[pools.p]\nlisten = \"127.0.0.1:22121\"\ndistribution = \"" + distribution + "\"\n"
                + servers + "\n", Path.of("test.toml")).pools().get("p");
    }

    /** The server index of every key. */
    private static List<Integer> placement(PoolConfig config, List<ServerSpec> specs) {
        try (BackendRuntime runtime = new BackendRuntime(Clock.systemUTC())) {
            List<AddressSource> none = Collections.nCopies(specs.size(), null);
            ShardedServers servers = new ShardedServers(config, specs, none, BackendSettings.of(config,
                    RespLimits.DEFAULT), runtime, null);
            List<Integer> placed = new ArrayList<>();
            for (String key : KEYS) {
                byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                placed.add(servers.of(bytes, 0, bytes.length));
            }
            servers.close("test over");
            return placed;
        }
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            keys.add("user:" + i);
        }
        return keys;
    }
}
