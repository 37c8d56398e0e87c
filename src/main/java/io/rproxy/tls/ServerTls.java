package io.rproxy.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The client side of TLS, as rproxy connects to a pool's servers (and the CLI to an admin port): the CAs their
 * certificates must chain to (the JDK's default trust store when none are given), an optional client certificate,
 * and the name to check the server's certificate against and send as SNI (by default the host connected to, name
 * or IP address). Immutable; its handshakes run on the connecting thread.
 */
public final class ServerTls {
    private final SSLContext context;
    private final Optional<String> serverName;
    private final boolean checkName;

    private ServerTls(SSLContext context, Optional<String> serverName, boolean checkName) {
        this.context = context;
        this.serverName = serverName;
        this.checkName = checkName;
    }

    /**
     * @param trusted    the CAs to trust; empty for the JDK's default trust store
     * @param identity   a client certificate and key to present when the server asks for one
     * @param serverName the name to verify and send as SNI instead of the host connected to
     * @throws IllegalArgumentException when the JDK refuses the key or certificates, or the name is not a host name
     */
    public static ServerTls of(Optional<List<X509Certificate>> trusted, Optional<KeyAndChain> identity,
                               Optional<String> serverName) {
        serverName.filter(name -> !isIpLiteral(name)).ifPresent(SNIHostName::new);
        return new ServerTls(TlsContexts.build(identity, trusted), serverName, true);
    }

    /**
     * Trusting exactly {@code pinned} (a server's own certificate), whatever name it carries: what the CLI uses when
     * it read the admin port's certificate from the configuration file, where it is the one certificate to expect.
     */
    public static ServerTls pinned(List<X509Certificate> pinned, Optional<KeyAndChain> identity) {
        return new ServerTls(TlsContexts.build(identity, Optional.of(pinned)), Optional.empty(), false);
    }

    /**
     * Layers TLS over a connected socket and shakes hands within {@code bound}, checking the server's certificate
     * against the trusted CAs and the server name (or {@code host}).
     *
     * @return the TLS socket to read and write; closing it closes {@code connected} too
     * @throws IOException when the handshake fails or takes longer (the caller closes {@code connected})
     */
    public SSLSocket connect(Socket connected, String host, int port, Duration bound) throws IOException {
        String name = serverName.orElse(host);
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(connected, name, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        if (checkName) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate's DNS or IP names
        }
        if (!isIpLiteral(name)) {
            parameters.setServerNames(List.of(new SNIHostName(name))); // SNI carries no IP addresses (RFC 6066)
        }
        tls.setSSLParameters(parameters);
        HandshakeTimer.handshake(tls, connected, bound);
        return tls;
    }

    private static boolean isIpLiteral(String name) {
        return name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
