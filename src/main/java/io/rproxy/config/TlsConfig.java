package io.rproxy.config;

import io.rproxy.tls.ListenerTls;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code [pools.NAME.tls]} or {@code [admin.tls]} table: clients connect to that listener over TLS. The files
 * are read and checked when the configuration is loaded, so {@code context} holds what they said then: a reload
 * reads them again, which is how a certificate is rotated (connections accepted afterwards get the new one).
 *
 * @param certFile   the listener's certificate, PEM, a chain with the leaf first
 * @param keyFile    its private key, PEM (PKCS#8, PKCS#1 or SEC1)
 * @param caCertFile when set, clients must present a certificate signed by one of these CAs
 * @param context    the certificate, key and CAs as read, ready for handshakes
 */
public record TlsConfig(Path certFile, Path keyFile, Optional<Path> caCertFile, ListenerTls context) {
    public TlsConfig {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(caCertFile, "caCertFile");
        Objects.requireNonNull(context, "context");
    }
}
