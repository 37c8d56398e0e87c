package io.rproxy.harness;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test certificate authority made with the {@code openssl} command, as operators make theirs: a CA, and
 * certificates it signs for servers and clients, with RSA or EC keys written in the PEM form asked for (PKCS#8,
 * PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY} as {@code openssl ecparam -genkey} writes it). Each
 * certificate has a serial of its own, so a test can tell which one a peer presented. Files live in one folder
 * under {@link Harness#dir()}; valid for two days from now. Meant for one test thread.
 */
public final class Certificates {
    /** The private key forms openssl writes. */
    public enum KeyForm {
        RSA_PKCS8, RSA_PKCS1, EC_PKCS8, EC_SEC1
    }

    /** One certificate and its key, as files; {@code chain} is the certificate followed by its issuers but the root. */
    public record Issued(Path cert, Path key, Path chain, BigInteger serial, String commonName) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path dir;
    private final Path caCert;
    private final Path caKey;
    /** The certificates between this CA and the root, for chains; empty for a root. */
    private final List<Path> issuers;
    /** The root of the chain (this CA's certificate, for a root). */
    private final Path rootCert;
    private final AtomicInteger files;

    private Certificates(Path dir, Path caCert, Path caKey, List<Path> issuers, Path rootCert, AtomicInteger files) {
        this.dir = dir;
        this.caCert = caCert;
        this.caKey = caKey;
        this.issuers = List.copyOf(issuers);
        this.rootCert = rootCert;
        this.files = files;
    }

    /** A new self-signed root CA named {@code name} (an RSA 2048 key). */
    public static Certificates newCa(String name) {
        Path dir = Harness.newWorkDir("certs-" + name + "-");
        Path cert = dir.resolve(name + "-ca.crt");
        Path key = dir.resolve(name + "-ca.key");
        openssl(dir, "req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name + " test CA",
                "-set_serial", serial().toString());
        return new Certificates(dir, cert, key, List.of(), cert, new AtomicInteger());
    }

    /** This CA's certificate: what peers trust ({@code --cacert}, {@code ca_cert_file}) when it is a root. */
    public Path caCert() {
        return caCert;
    }

    /** An intermediate CA signed by this one: what it issues comes with a chain of two. */
    public Certificates intermediate(String name) {
        Path key = key(name + "-ca", KeyForm.EC_PKCS8);
        Path cert = sign(name + " intermediate CA", key,
                "basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n", serial());
        List<Path> chain = new ArrayList<>(List.of(cert));
        chain.addAll(issuers);
        return new Certificates(dir, cert, key, chain, rootCert, files);
    }

    /**
     * A certificate for {@code commonName} with the given subject alternative names ({@code "IP:127.0.0.1"},
     * {@code "DNS:redis.internal"}), good for servers and clients alike.
     */
    public Issued issue(String commonName, KeyForm form, String... altNames) {
        Path key = key(commonName, form);
        BigInteger serial = serial();
        String ext = altNames.length == 0 ? "" : "subjectAltName=" + String.join(",", altNames) + "\n";
        Path cert = sign(commonName, key, ext, serial);
        Path chain = dir.resolve(files.incrementAndGet() + "-" + commonName + "-chain.crt");
        try {
            StringBuilder text = new StringBuilder(Files.readString(cert));
            for (Path issuer : issuers) {
                text.append(Files.readString(issuer));
            }
            Files.writeString(chain, text);
        } catch (IOException e) {
            throw new HarnessException("cannot write " + chain, e);
        }
        return new Issued(cert, key, chain, serial, commonName);
    }

    /** A server certificate for 127.0.0.1 (and localhost), EC key in SEC1 form. */
    public Issued localServer(String commonName) {
        return issue(commonName, KeyForm.EC_SEC1, "IP:127.0.0.1", "DNS:localhost");
    }

    /**
     * A client-side SSLContext of the JDK's own, independent of rproxy's PEM reading: it trusts this CA (the root of
     * its chain) and, when {@code identity} is given, presents that certificate and key, which openssl exports to
     * PKCS#12 for it.
     */
    public SSLContext clientContext(Issued identity) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(root())) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            KeyManager[] keys = null;
            if (identity != null) {
                Path p12 = dir.resolve(files.incrementAndGet() + "-" + identity.commonName() + ".p12");
                openssl(dir, "pkcs12", "-export", "-in", identity.chain().toString(), "-inkey",
                        identity.key().toString(), "-passout", "pass:test", "-out", p12.toString());
                KeyStore store = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(p12)) {
                    store.load(in, "test".toCharArray());
                }
                KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(store, "test".toCharArray());
                keys = keyManagers.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trustManagers.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new HarnessException("cannot build a client SSLContext", e);
        }
    }

    /** The root CA's certificate, whichever CA of the chain this is. */
    public Path root() {
        return rootCert;
    }

    private Path key(String name, KeyForm form) {
        Path key = dir.resolve(files.incrementAndGet() + "-" + name + ".key");
        switch (form) {
            case RSA_PKCS8 -> openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", key.toString());
            case RSA_PKCS1 -> {
                Path pkcs8 = dir.resolve(key.getFileName() + ".pkcs8");
                openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                        pkcs8.toString());
                openssl(dir, "rsa", "-in", pkcs8.toString(), "-traditional", "-out", key.toString());
            }
            case EC_PKCS8 -> openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", key.toString());
            case EC_SEC1 -> openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
        }
        return key;
    }

    private Path sign(String commonName, Path key, String extensions, BigInteger serial) {
        int n = files.incrementAndGet();
        Path csr = dir.resolve(n + ".csr");
        Path ext = dir.resolve(n + ".ext");
        Path cert = dir.resolve(n + "-" + commonName.replace(' ', '-') + ".crt");
        try {
            Files.writeString(ext, extensions);
        } catch (IOException e) {
            throw new HarnessException("cannot write " + ext, e);
        }
        openssl(dir, "req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + commonName);
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-set_serial", serial.toString(), "-days", "2", "-out", cert.toString(), "-extfile", ext.toString());
        return cert;
    }

    private static BigInteger serial() {
        return new BigInteger(62, RANDOM).add(BigInteger.ONE);
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Harness.requireTool("openssl", "openssl").toString());
        command.addAll(List.of(args));
        Path log = dir.resolve("openssl.log");
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new HarnessException("openssl " + String.join(" ", args) + " did not finish in 30 s");
            }
            if (process.exitValue() != 0) {
                throw new HarnessException("openssl " + String.join(" ", args) + " failed; its output:\n"
                        + Harness.tail(log, 2000));
            }
        } catch (IOException e) {
            throw new HarnessException("cannot run openssl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted running openssl", e);
        }
    }
}
