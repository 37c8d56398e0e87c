/**
 * TLS for every socket rproxy opens or accepts: PEM files as redis-server and openssl write them turned into keys
 * and certificates ({@code PemFiles}, with the small DER work of {@code PrivateKeys}), the JDK's
 * {@code SSLContext}s built from them ({@code TlsContexts}), and handshakes bounded in time on the caller's own
 * thread ({@code TlsHandshake}). The JDK's TLS does the protocol; nothing here is a library's.
 *
 * <p>Threads: none of its own but {@code tls-handshake-timer}, a platform daemon thread that closes the sockets
 * of handshakes that overrun their bound. The rest runs on its caller's thread: a configuration load, a client's
 * or admin connection's virtual thread, a backend connection's opener.
 */
package io.rproxy.tls;
