package io.rproxy.config;

import java.util.Optional;

/** The {@code [admin]} table: where the admin port listens and the password it asks for, if any. */
public record AdminConfig(HostPort listen, Optional<String> password) {
    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 22222);
}
