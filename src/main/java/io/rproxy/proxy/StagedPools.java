package io.rproxy.proxy;

import io.rproxy.config.ProxyConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A configuration's pools, built and bound by {@link Proxy#stage} but not serving yet: one new generation per
 * pool (its own backend servers, connected already when the pool asks for preconnect) and a listener for each
 * pool whose address is new. {@link Proxy#commit} puts them to work; {@link Proxy#cancel} releases them.
 * Touched only under the reload lock of whoever staged it.
 */
public final class StagedPools {
    private final ProxyConfig config;
    /** Every pool of the configuration, by name, in file order. */
    final Map<String, Generation> generations = new LinkedHashMap<>();
    /** Listeners bound for pools whose address is not one the running proxy listens on for them already. */
    final Map<String, PoolListener> listeners = new LinkedHashMap<>();

    StagedPools(ProxyConfig config) {
        this.config = config;
    }

    public ProxyConfig config() {
        return config;
    }

    /** Connects to the servers of the pools that ask for preconnect (slow servers make this slow, not traffic). */
    public void preconnect() {
        generations.values().forEach(g -> g.pool().preconnect());
    }

    /** Stops what was bound and closes the backend connections made; the running proxy is not touched. */
    void release(String reason) {
        listeners.values().forEach(PoolListener::stopAccepting);
        generations.values().forEach(g -> g.pool().close(reason));
    }
}
