package io.rproxy.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.rproxy.backend.BackendRuntime;
import io.rproxy.backend.BackendServer;
import io.rproxy.backend.BackendSettings;
import io.rproxy.backend.ServerState;
import io.rproxy.config.HostPort;
import io.rproxy.config.SentinelConfig;
import io.rproxy.resp.RespLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What one master does with what the sentinels say: only a newer config epoch moves it, a failover message moves
 * it at once, and a fence lasts while some sentinel backs it (nobody is connected: the server's address is a
 * closed port, so its attempts just fail).
 */
class SentinelMasterTest {
    private static final HostPort OLD = new HostPort("127.0.0.1", 1);
    private static final HostPort NEW = new HostPort("127.0.0.1", 2);
    private BackendRuntime runtime;
    private BackendServer server;
    private SentinelMaster master;

    @BeforeEach
    void build() {
        runtime = new BackendRuntime(Clock.systemUTC());
        SentinelConfig.Master config = new SentinelConfig.Master("alpha", 1, Optional.empty());
        BackendSettings settings = new BackendSettings(Optional.empty(), 0, Optional.of(Duration.ofMillis(200)),
                Duration.ofMillis(200), false, RespLimits.DEFAULT, 16, false, 2, Duration.ofSeconds(30));
        server = new BackendServer("p", config.at(OLD), 1, settings, runtime, () -> { });
        master = new SentinelMaster(null, config, new SentinelAnswer(OLD, 3, false, null, false));
        master.follow(server);
    }

    @AfterEach
    void close() {
        server.close("test over");
        runtime.close();
    }

    @Test
    void onlyANewerEpochMovesTheMaster() {
        master.refreshed(answer(NEW, 3), false, System.nanoTime());
        assertEquals(OLD, master.current(), "the same epoch elsewhere is a sentinel that has not caught up");
        master.refreshed(answer(NEW, 2), false, System.nanoTime());
        assertEquals(OLD, server.spec().address());
        master.refreshed(answer(NEW, 4), false, System.nanoTime());
        assertEquals(NEW, master.current());
        assertEquals(NEW, server.spec().address());
        assertEquals("alpha", server.spec().identity(), "its name, and so its keys, stay");
        assertEquals(1, master.status().switches());
        assertEquals(4, master.status().epoch());
    }

    @Test
    void aSwitchMessageMovesAtOnceAndAnOlderAnswerNeverMovesItBack() {
        master.switched(NEW, "sentinel s names " + NEW);
        assertEquals(NEW, server.spec().address());
        master.refreshed(answer(OLD, 3), false, System.nanoTime()); // a sentinel that has not heard of it
        assertEquals(NEW, server.spec().address());
        master.switched(NEW, "another sentinel says the same");
        assertEquals(1, master.status().switches());
    }

    @Test
    void aFenceLastsWhileASentinelBacksItAndEndsWithAnAbort() {
        long before = System.nanoTime();
        master.selected(NEW, "127.0.0.1:26379");
        assertEquals(ServerState.FAILOVER, server.status().state());
        master.refreshed(answer(OLD, 3), true, System.nanoTime());
        assertEquals(ServerState.FAILOVER, server.status().state(), "a sentinel is failing it over");
        master.refreshed(answer(OLD, 3), false, before);
        assertEquals(ServerState.FAILOVER, server.status().state(), "an answer older than the fence says nothing");
        master.aborted("called off");
        assertNotEquals(ServerState.FAILOVER, server.status().state());
    }

    @Test
    void aFenceNoSentinelBacksAnyMoreIsLifted() {
        master.selected(NEW, "127.0.0.1:26379");
        master.refreshed(answer(OLD, 3), false, System.nanoTime());
        assertNotEquals(ServerState.FAILOVER, server.status().state());
        assertEquals(OLD, server.spec().address());
    }

    private static SentinelAnswer answer(HostPort address, long epoch) {
        return new SentinelAnswer(address, epoch, false, null, false);
    }
}
