package io.rproxy.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Certificates and private keys from PEM files as openssl and redis-server write them: any number of
 * {@code -----BEGIN ...-----} blocks, with text around them ignored (openssl's {@code x509 -text} output, bag
 * attributes). A certificate file holds one or more certificates (a chain: the leaf first); a key file holds one
 * private key in PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY})
 * form, beside which other blocks (openssl ecparam's {@code EC PARAMETERS}, a certificate) are ignored.
 *
 * <p>Every problem is an {@link IllegalArgumentException} whose message says what is wrong with the file in
 * words a user can act on; the caller adds which file and key. Stateless.
 */
public final class PemFiles {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    private PemFiles() {
    }

    /** One PEM block: its label ({@code CERTIFICATE}), its decoded bytes, and whether it had RFC 1421 headers. */
    record Block(String label, byte[] der, boolean headers, int line) {
    }

    /**
     * The certificates of a file, in file order (for a chain: the leaf, then the certificates that signed it).
     *
     * @throws IllegalArgumentException when the file holds no certificate or one does not parse
     */
    public static List<X509Certificate> certificates(byte[] file) {
        List<Block> blocks = blocks(file);
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory = x509();
        for (Block block : blocks) {
            if (!block.label().equals("CERTIFICATE") && !block.label().equals("TRUSTED CERTIFICATE")
                    && !block.label().equals("X509 CERTIFICATE")) {
                continue;
            }
            try {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
            } catch (CertificateException | ClassCastException e) {
                throw new IllegalArgumentException("the certificate at line " + block.line() + " does not parse: "
                        + message(e));
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no certificate in the file" + found(blocks)
                    + "; expected a PEM block -----BEGIN CERTIFICATE-----");
        }
        return certificates;
    }

    /**
     * The one private key of a file.
     *
     * @throws IllegalArgumentException when the file holds none, several, an encrypted one, or one that does
     *                                  not parse
     */
    public static PrivateKey privateKey(byte[] file) {
        List<Block> blocks = blocks(file);
        List<Block> keys = new ArrayList<>();
        for (Block block : blocks) {
            if (block.label().endsWith("PRIVATE KEY")) {
                keys.add(block);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no private key in the file" + found(blocks) + "; expected a PEM"
                    + " block -----BEGIN PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE"
                    + " KEY-----");
        }
        if (keys.size() > 1) {
            throw new IllegalArgumentException(keys.size() + " private keys in the file (at lines "
                    + keys.stream().map(b -> Integer.toString(b.line())).reduce((a, b) -> a + ", " + b).orElse("")
                    + "); give the one that belongs to the certificate");
        }
        Block key = keys.getFirst();
        if (key.headers() || key.label().equals("ENCRYPTED PRIVATE KEY")) {
            throw new IllegalArgumentException("the private key is encrypted; rproxy reads unencrypted keys only"
                    + " (decrypt it with: openssl pkey -in KEY -out PLAIN.key, and keep that file readable by rproxy"
                    + " alone)");
        }
        return PrivateKeys.decode(key.label(), key.der());
    }

    /** Every block of a file, in order. */
    static List<Block> blocks(byte[] file) {
        String text = new String(file, StandardCharsets.ISO_8859_1);
        // DER starts with a SEQUENCE and a long-form length (0x30 0x82 ...); no PEM text does.
        boolean der = file.length > 1 && (file[0] & 0xff) == Der.SEQUENCE && (file[1] & 0x80) != 0;
        if (der || text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a PEM file: it looks binary (DER?); convert it with"
                    + " openssl x509 -inform der -in FILE -out FILE.pem (a key: openssl pkey -inform der ...)");
        }
        String[] lines = text.split("\r?\n", -1);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (!line.startsWith(BEGIN) || !line.endsWith(DASHES) || line.length() < BEGIN.length() + 5) {
                continue;
            }
            String label = line.substring(BEGIN.length(), line.length() - DASHES.length());
            int begin = i + 1;
            StringBuilder base64 = new StringBuilder();
            boolean headers = false;
            i++;
            while (i < lines.length && !lines[i].strip().equals(END + label + DASHES)) {
                String body = lines[i].strip();
                if (body.startsWith(BEGIN) || body.startsWith(END)) {
                    throw new IllegalArgumentException("-----BEGIN " + label + "----- at line " + begin
                            + " ends with " + body + " at line " + (i + 1));
                }
                if (body.indexOf(':') >= 0) {
                    headers = true; // RFC 1421 headers, e.g. Proc-Type: 4,ENCRYPTED
                } else {
                    base64.append(body);
                }
                i++;
            }
            if (i == lines.length) {
                throw new IllegalArgumentException("-----BEGIN " + label + "----- at line " + begin
                        + " has no -----END " + label + "-----");
            }
            try {
                blocks.add(new Block(label, Base64.getDecoder().decode(base64.toString()), headers, begin));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the " + label + " block at line " + begin
                        + " is not valid base64: " + e.getMessage());
            }
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no PEM block in the file (expected lines such as -----BEGIN"
                    + " CERTIFICATE-----)");
        }
        return blocks;
    }

    private static String found(List<Block> blocks) {
        Set<String> labels = new LinkedHashSet<>();
        blocks.forEach(b -> labels.add(b.label()));
        return " (it holds " + String.join(", ", labels) + ")";
    }

    private static CertificateFactory x509() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("every JDK reads X.509 certificates", e);
        }
    }

    static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
