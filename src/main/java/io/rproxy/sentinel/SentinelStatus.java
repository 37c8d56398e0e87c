package io.rproxy.sentinel;

import io.rproxy.config.HostPort;
import java.util.List;

/**
 * A Sentinel pool as STATUS and /metrics show it, taken at one moment: each sentinel's state and each master's
 * current address.
 *
 * @param sentinels in configuration order
 * @param masters   in configuration order (the order of the pool's servers)
 */
public record SentinelStatus(List<Sentinel> sentinels, List<Master> masters) {
    public SentinelStatus {
        sentinels = List.copyOf(sentinels);
        masters = List.copyOf(masters);
    }

    /**
     * @param up        subscribed to its failover messages, and it answered the last time it was asked
     * @param lastError why it was last found down; null when it never was
     */
    public record Sentinel(HostPort address, boolean up, String lastError) {
    }

    /**
     * @param name     the master's name as the sentinels know it
     * @param identity the name that places its keys and names it in stats (its ring name, else {@code name})
     * @param address  where rproxy sends its requests now
     * @param epoch    the highest config epoch a sentinel gave for it
     * @param switches times rproxy moved it to a new address since the pool was built
     */
    public record Master(String name, String identity, HostPort address, long epoch, long switches) {
    }
}
