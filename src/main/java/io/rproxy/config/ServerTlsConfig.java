package io.rproxy.config;

import io.rproxy.tls.ServerTls;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code [pools.NAME.server_tls]} table: rproxy connects to the pool's servers over TLS (every connection: the
 * pipelined ones, dedicated ones, subscriber ones, a cluster's slot-map queries). Read and checked at load, as
 * {@link TlsConfig} is.
 *
 * @param caCertFile the CAs the servers' certificates must chain to; empty for the JDK's default trust store
 * @param certFile   a client certificate to present (redis-server asks for one unless tls-auth-clients is no)
 * @param keyFile    its private key; set exactly when {@code certFile} is
 * @param serverName the name the servers' certificates must carry, sent as SNI; empty for each server's host
 * @param context    the trusted CAs, certificate and key as read, ready for handshakes
 */
public record ServerTlsConfig(Optional<Path> caCertFile, Optional<Path> certFile, Optional<Path> keyFile,
                              Optional<String> serverName, ServerTls context) {
    public ServerTlsConfig {
        Objects.requireNonNull(caCertFile, "caCertFile");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(context, "context");
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
        }
    }
}
