package io.rproxy.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A pool's TLS, both sides: {@code [pools.NAME.tls]} for its clients and {@code [pools.NAME.server_tls]} for its
 * servers; either may be absent.
 */
public record PoolTls(Optional<TlsConfig> clients, Optional<ServerTlsConfig> servers) {
    /** Plain TCP on both sides, the default. */
    public static final PoolTls NONE = new PoolTls(Optional.empty(), Optional.empty());

    public PoolTls {
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(servers, "servers");
    }
}
