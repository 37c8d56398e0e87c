package io.rproxy.backend;

import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of a server's state for status reports.
 *
 * @param ejectedUntil when an ejected server will be probed again; empty unless {@link ServerState#EJECTED}
 * @param consecutiveFailures failures since the last good reply
 */
public record ServerStatus(ServerState state, Optional<Instant> ejectedUntil, int consecutiveFailures) {
}
