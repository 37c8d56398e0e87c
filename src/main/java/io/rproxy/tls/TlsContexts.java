package io.rproxy.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the JDK's {@link SSLContext}s from keys and certificates held in memory (no keystore files): one side's
 * identity (a private key and its certificate chain) and the certificates it trusts. Also tells whether a private
 * key belongs to a certificate, by signing with one and verifying with the other, which works alike for every
 * key type. Stateless.
 */
final class TlsContexts {
    /** The in-memory key store's password: it never leaves this class, and protects nothing on disk. */
    private static final char[] PASSWORD = "rproxy".toCharArray();
    private static final byte[] PROBE = "rproxy: does this key belong to this certificate?".getBytes();

    private TlsContexts() {
    }

    /**
     * @param identity the chain (leaf first) and its key, or empty for a side without a certificate
     * @param trusted  the certificates to trust, or empty for the JDK's default trust store (cacerts)
     */
    static SSLContext build(Optional<KeyAndChain> identity, Optional<List<X509Certificate>> trusted) {
        try {
            KeyManager[] keys = null;
            if (identity.isPresent()) {
                KeyStore store = emptyStore();
                store.setKeyEntry("identity", identity.get().key(), PASSWORD,
                        identity.get().chain().toArray(X509Certificate[]::new));
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store, PASSWORD);
                keys = factory.getKeyManagers();
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (trusted.isPresent()) {
                KeyStore store = emptyStore();
                int i = 0;
                for (X509Certificate certificate : trusted.get()) {
                    store.setCertificateEntry("trusted-" + i++, certificate);
                }
                trust.init(store);
            } else {
                trust.init((KeyStore) null);
            }
            TrustManager[] trustManagers = trust.getTrustManagers();
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trustManagers, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("the JDK refuses the key or certificates: " + PemFiles.message(e), e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    /** Whether {@code key} is the private half of {@code certificate}'s public key. */
    static boolean matches(PrivateKey key, X509Certificate certificate) {
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448 sign under their own names
        };
        try {
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // another key type (an EC key for an RSA certificate), or another curve
        }
    }
}
