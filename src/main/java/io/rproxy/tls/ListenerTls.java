package io.rproxy.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The server side of TLS on one of rproxy's listeners (a pool's, the admin port): its certificate and key and,
 * when clients must present certificates, the CAs that sign them. Immutable once built, so a reload that reads
 * new files builds a new one: connections accepted from then on use it, those already connected keep theirs.
 * Its handshakes run on the accepted connection's own thread.
 */
public final class ListenerTls {
    private final SSLContext context;
    private final KeyAndChain identity;
    private final boolean clientCertificates;

    private ListenerTls(SSLContext context, KeyAndChain identity, boolean clientCertificates) {
        this.context = context;
        this.identity = identity;
        this.clientCertificates = clientCertificates;
    }

    /**
     * @param clientCas empty when clients need no certificate; else every client must present one they sign
     * @throws IllegalArgumentException when the JDK refuses the key or certificates (the message says why)
     */
    public static ListenerTls of(KeyAndChain identity, List<X509Certificate> clientCas) {
        boolean clientCertificates = !clientCas.isEmpty();
        SSLContext context = TlsContexts.build(Optional.of(identity),
                clientCertificates ? Optional.of(clientCas) : Optional.empty());
        return new ListenerTls(context, identity, clientCertificates);
    }

    /**
     * Layers TLS over an accepted connection and shakes hands within {@code bound}.
     *
     * @return the TLS socket to read and write; closing it closes {@code accepted} too
     * @throws IOException when the handshake fails or takes longer (the caller closes {@code accepted})
     */
    public SSLSocket accept(Socket accepted, Duration bound) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(accepted, null, true);
        tls.setNeedClientAuth(clientCertificates);
        HandshakeTimer.handshake(tls, accepted, bound);
        return tls;
    }

    /** The certificate and key clients are shown. */
    public KeyAndChain identity() {
        return identity;
    }

    /** The certificate clients are shown. */
    public X509Certificate certificate() {
        return identity.leaf();
    }

    public boolean requiresClientCertificates() {
        return clientCertificates;
    }
}
