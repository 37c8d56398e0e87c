package io.rproxy.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * One side's identity: a private key and the certificate chain it proves, the leaf first (as a cert_file holds
 * it). Immutable.
 */
public record KeyAndChain(List<X509Certificate> chain, PrivateKey key) {
    public KeyAndChain {
        chain = List.copyOf(chain);
        Objects.requireNonNull(key, "key");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least its leaf");
        }
    }

    /** The certificate the key belongs to. */
    public X509Certificate leaf() {
        return chain.getFirst();
    }

    /** Whether the key is the private half of the leaf's public key. */
    public boolean matches() {
        return TlsContexts.matches(key, leaf());
    }
}
