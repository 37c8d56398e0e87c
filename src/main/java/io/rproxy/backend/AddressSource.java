package io.rproxy.backend;

import io.rproxy.config.HostPort;

/**
 * Where a server whose address is not fixed is found: a Sentinel-managed master, which a failover moves. A
 * {@link BackendServer} with a source asks it before every attempt to reach the server (its reconnect path), so a
 * server that went away is looked for where its authority says it is now.
 */
public interface AddressSource {
    /**
     * Asks the authority where the server is now, on the server's probe thread; blocks within the pool's connect
     * timeout. When the authority cannot be asked, what is known stays as it was.
     */
    void lookUp();

    /**
     * The address the server should be reached at, as known now: no I/O, and no lock that the source holds while
     * it moves the server (the server calls this under its connect lock, which a move waits for).
     */
    HostPort current();
}
