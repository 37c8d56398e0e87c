package io.rproxy.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [metrics]} table: where the Prometheus endpoint ({@code GET /metrics}) listens, if anywhere.
 *
 * @param listen empty when the table or its key is absent: no metrics endpoint
 */
public record MetricsConfig(Optional<HostPort> listen) {
    /** What an absent {@code [metrics]} table means: no endpoint. */
    public static final MetricsConfig DISABLED = new MetricsConfig(Optional.empty());

    public MetricsConfig {
        Objects.requireNonNull(listen, "listen");
    }
}
