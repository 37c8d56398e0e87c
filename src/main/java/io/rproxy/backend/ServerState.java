package io.rproxy.backend;

/** Where a backend server stands, as status reports it. */
public enum ServerState {
    /** In the distribution and reachable (or not yet tried). */
    UP,
    /** Out of the distribution until its retry time (auto_eject_hosts). */
    EJECTED,
    /** A connection attempt or recovery probe is under way. */
    CONNECTING,
    /** In the distribution, but its last connection failed: its requests fail fast until it is back. */
    DOWN,
    /**
     * A Sentinel-managed master that Sentinel is replacing: its requests fail fast, and nothing is sent to it, until
     * the new master is known (or the failover is called off).
     */
    FAILOVER;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
