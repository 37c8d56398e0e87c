package io.rproxy.admin;

import io.rproxy.config.ProxyConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the admin side may ask of the running proxy: reports, and the steps of a reload. Implemented by the
 * composition root ({@code io.rproxy.Rproxy}); the admin package depends on this and on nothing that runs the
 * proxy, so it stays a leaf.
 *
 * <p>Called on admin connection threads, concurrently; the implementation serialises the reload steps.
 */
public interface ProxyControl {
    /** What STATUS, STATS and /metrics report, as of now; never waits for a reload in progress. */
    Snapshot snapshot();

    ProxyConfig activeConfig();

    /** The configuration staged by LOAD for the next COMMIT, if one is. */
    Optional<ProxyConfig> stagedConfig();

    /** Stages the configuration in {@code file}; returns what was staged, as one line. */
    String load(Path file);

    /** Makes the staged configuration the active one; returns what is active now, as one line. */
    String commit();

    /** Discards the staged configuration; returns what was discarded, as one line. */
    String cancel();

    /** Load and commit in one step; returns what is active now, as one line. */
    String reload(Path file);
}
