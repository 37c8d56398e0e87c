package io.rproxy.harness;

import io.rproxy.backend.BackendServer;
import io.rproxy.backend.ServerState;

/** Reads a running proxy's view of its backends, for tests that wait on ejection and recovery. */
public final class ServerStates {
    private ServerStates() {
    }

    /** The server of {@code pool} whose configured name is {@code name}. */
    public static BackendServer server(RunningProxy proxy, String pool, String name) {
        return proxy.proxy().servers(pool).stream()
                .filter(s -> s.spec().name().orElse("").equals(name))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no server " + name));
    }

    public static ServerState state(RunningProxy proxy, String pool, String name) {
        return server(proxy, pool, name).status().state();
    }
}
