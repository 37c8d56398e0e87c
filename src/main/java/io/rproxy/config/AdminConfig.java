package io.rproxy.config;

import java.util.Objects;
import java.util.Optional;

/** The {@code [admin]} table: where the admin port listens and the password it asks for, if any. */
public record AdminConfig(HostPort listen, Optional<String> password) {
    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 22222);

    /** What an absent {@code [admin]} table means: the default address, no password. */
    public static final AdminConfig DEFAULT = new AdminConfig(DEFAULT_LISTEN, Optional.empty());

    public AdminConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(password, "password");
        if (password.isPresent() && password.get().isEmpty()) {
            throw new IllegalArgumentException("password must not be empty; leave it out for no password");
        }
    }
}
