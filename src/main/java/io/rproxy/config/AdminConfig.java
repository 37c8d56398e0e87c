package io.rproxy.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [admin]} table: where the admin port listens, the password it asks for, if any, and where
 * twemproxy's plain stats port listens, if anywhere.
 *
 * @param statsListen the address of a twemproxy-style stats port (a connection gets one JSON document and is
 *                    closed), for exporters written for nutcracker; empty for none
 * @param tls         {@code [admin.tls]}: admin clients connect over TLS; empty for plain TCP
 */
public record AdminConfig(HostPort listen, Optional<String> password, Optional<HostPort> statsListen,
                          Optional<TlsConfig> tls) {
    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 22222);

    /** What an absent {@code [admin]} table means: the default address, no password, no stats port. */
    public static final AdminConfig DEFAULT = new AdminConfig(DEFAULT_LISTEN, Optional.empty());

    public AdminConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(statsListen, "statsListen");
        Objects.requireNonNull(tls, "tls");
        if (password.isPresent() && password.get().isEmpty()) {
            throw new IllegalArgumentException("password must not be empty; leave it out for no password");
        }
    }

    /** An admin port without TLS. */
    public AdminConfig(HostPort listen, Optional<String> password, Optional<HostPort> statsListen) {
        this(listen, password, statsListen, Optional.empty());
    }

    /** An admin port without a twemproxy stats port. */
    public AdminConfig(HostPort listen, Optional<String> password) {
        this(listen, password, Optional.empty());
    }
}
