package io.rproxy.tls;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Map;

/**
 * Turns the private key forms openssl writes into the JDK's {@link PrivateKey}. The JDK reads only PKCS#8, so a
 * PKCS#1 RSA key ({@code RSA PRIVATE KEY}) or a SEC1 EC key ({@code EC PRIVATE KEY}) is first wrapped in a PKCS#8
 * PrivateKeyInfo, which is all that separates them (RFC 5208: version, algorithm, the key as an octet string);
 * a PKCS#8 key's algorithm is read from its identifier. Stateless.
 */
final class PrivateKeys {
    static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";
    /** The JDK's KeyFactory names by PKCS#8 algorithm identifier. */
    private static final Map<String, String> ALGORITHMS = Map.of(
            RSA_ENCRYPTION, "RSA",
            "1.2.840.113549.1.1.10", "RSASSA-PSS",
            EC_PUBLIC_KEY, "EC",
            "1.3.101.112", "Ed25519",
            "1.3.101.113", "Ed448");
    private static final byte[] VERSION_0 = {Der.INTEGER, 1, 0};
    private static final byte[] DER_NULL = {Der.NULL, 0};

    private PrivateKeys() {
    }

    /** @param label the PEM block's label, which tells the form */
    static PrivateKey decode(String label, byte[] der) {
        try {
            return switch (label) {
                case "PRIVATE KEY" -> pkcs8(der);
                case "RSA PRIVATE KEY" -> pkcs8(wrap(Der.wrap(Der.SEQUENCE, Der.oid(RSA_ENCRYPTION), DER_NULL), der));
                case "EC PRIVATE KEY" -> pkcs8(wrap(Der.wrap(Der.SEQUENCE, Der.oid(EC_PUBLIC_KEY), curve(der)), der));
                default -> throw new IllegalArgumentException("a " + label + " block is not a form rproxy reads;"
                        + " convert the key to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the private key (" + label + ") does not parse: " + e.getMessage(), e);
        }
    }

    private static byte[] wrap(byte[] algorithm, byte[] key) {
        return Der.wrap(Der.SEQUENCE, VERSION_0, algorithm, Der.wrap(Der.OCTET_STRING, key));
    }

    /**
     * The curve of a SEC1 ECPrivateKey: {@code SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters,
     * [1] publicKey }}, the parameters being the named curve's OID (openssl always writes them).
     */
    private static byte[] curve(byte[] sec1) {
        Der.Reader fields = new Der.Reader(sec1).next("EC private key").expect(Der.SEQUENCE, "EC private key")
                .children();
        fields.next("version").expect(Der.INTEGER, "version");
        fields.next("private key").expect(Der.OCTET_STRING, "private key");
        while (fields.hasMore()) {
            Der.Element field = fields.next("EC private key field");
            if (field.tag() == Der.CONTEXT_0) {
                Der.Element curve = field.children().next("curve");
                if (curve.tag() != Der.OID) {
                    break; // explicit curve parameters: not a named curve
                }
                return Der.oid(Der.oid(curve));
            }
        }
        throw new IllegalArgumentException("it names no curve (a named curve such as prime256v1 is needed; openssl"
                + " ecparam -genkey -name prime256v1 writes one)");
    }

    private static PrivateKey pkcs8(byte[] der) {
        Der.Reader info = new Der.Reader(der).next("PKCS#8").expect(Der.SEQUENCE, "PKCS#8").children();
        info.next("version").expect(Der.INTEGER, "version");
        String oid = Der.oid(info.next("algorithm").expect(Der.SEQUENCE, "algorithm").children().next("algorithm"));
        String algorithm = ALGORITHMS.get(oid);
        if (algorithm == null) {
            throw new IllegalArgumentException("unsupported key algorithm " + oid + " (RSA, EC, Ed25519 and Ed448"
                    + " keys are)");
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(algorithm + ": " + PemFiles.message(e), e);
        }
    }
}
