package io.rproxy.config;

import java.util.Optional;

/**
 * One line of a pool's {@code servers} list: "host:port:weight [name]".
 *
 * @param name the configured name, if any
 */
public record ServerSpec(HostPort address, int weight, Optional<String> name) {
    public ServerSpec {
        if (weight <= 0) {
            throw new IllegalArgumentException("weight must be > 0, got " + weight);
        }
    }

    /** What twemproxy hashes onto the ketama ring and what stats are keyed by: the name, else "host:port". */
    public String identity() {
        return name.orElseGet(address::toString);
    }

    /** "redis1 (127.0.0.1:6379)" or "127.0.0.1:6379": how error messages name this server. */
    public String describe() {
        return name.map(n -> n + " (" + address + ")").orElseGet(address::toString);
    }
}
