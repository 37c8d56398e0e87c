package io.rproxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.Certificates;
import io.rproxy.harness.Certificates.Issued;
import io.rproxy.harness.Certificates.KeyForm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PEM files as openssl writes them: every key form, chains, and the words for each file rproxy cannot use. */
class PemFilesTest {
    private static Certificates ca;
    private static Issued server;

    @BeforeAll
    static void makeCertificates() {
        ca = Certificates.newCa("pem");
        server = ca.localServer("server");
    }

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void readsEveryKeyFormOpensslWrites(KeyForm form) throws IOException {
        Issued issued = ca.issue("form-" + form, form, "IP:127.0.0.1");
        String header = Files.readString(issued.key()).lines().filter(l -> l.startsWith("-----BEGIN")).toList()
                .toString();
        PrivateKey key = PemFiles.privateKey(Files.readAllBytes(issued.key()));
        List<X509Certificate> chain = PemFiles.certificates(Files.readAllBytes(issued.cert()));

        assertEquals(switch (form) {
            case RSA_PKCS8 -> "[-----BEGIN PRIVATE KEY-----]";
            case RSA_PKCS1 -> "[-----BEGIN RSA PRIVATE KEY-----]";
            case EC_PKCS8 -> "[-----BEGIN PRIVATE KEY-----]";
            case EC_SEC1 -> "[-----BEGIN EC PARAMETERS-----, -----BEGIN EC PRIVATE KEY-----]";
        }, header, "openssl wrote another form than the test means to read");
        assertEquals(form.name().startsWith("RSA") ? "RSA" : "EC", key.getAlgorithm());
        assertTrue(new KeyAndChain(chain, key).matches());
        assertEquals(issued.serial(), chain.getFirst().getSerialNumber());
    }

    @Test
    void aKeyOfAnotherCertificateDoesNotMatch() throws IOException {
        Issued other = ca.issue("other", KeyForm.EC_SEC1);
        Issued rsa = ca.issue("rsa", KeyForm.RSA_PKCS1);
        List<X509Certificate> chain = PemFiles.certificates(Files.readAllBytes(server.cert()));

        assertFalse(new KeyAndChain(chain, PemFiles.privateKey(Files.readAllBytes(other.key()))).matches());
        assertFalse(new KeyAndChain(chain, PemFiles.privateKey(Files.readAllBytes(rsa.key()))).matches());
    }

    @Test
    void readsAChainLeafFirst() throws IOException {
        Issued leaf = ca.intermediate("middle").localServer("leaf");
        List<X509Certificate> chain = PemFiles.certificates(Files.readAllBytes(leaf.chain()));

        assertEquals(2, chain.size());
        assertEquals("CN=leaf", chain.get(0).getSubjectX500Principal().getName());
        assertEquals("CN=middle intermediate CA", chain.get(1).getSubjectX500Principal().getName());
    }

    @Test
    void ignoresTextAroundTheBlocks() throws IOException {
        byte[] withText = ("Bag Attributes\n    friendlyName: server\nsubject=CN = server\n"
                + Files.readString(server.cert()) + "trailing words\n").getBytes(StandardCharsets.US_ASCII);

        assertEquals(server.serial(), PemFiles.certificates(withText).getFirst().getSerialNumber());
    }

    @Test
    void refusesEncryptedKeys() throws Exception {
        Path pkcs8 = server.key().resolveSibling("encrypted8.key");
        Path traditional = server.key().resolveSibling("encrypted1.key");
        run("openssl", "pkey", "-in", server.key().toString(), "-aes256", "-passout", "pass:secret",
                "-out", pkcs8.toString());
        run("openssl", "ec", "-in", server.key().toString(), "-aes256", "-passout", "pass:secret",
                "-out", traditional.toString());

        for (Path file : List.of(pkcs8, traditional)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PemFiles.privateKey(Files.readAllBytes(file)));
            assertEquals("the private key is encrypted; rproxy reads unencrypted keys only (decrypt it with: openssl"
                    + " pkey -in KEY -out PLAIN.key, and keep that file readable by rproxy alone)", e.getMessage());
        }
    }

    @Test
    void saysWhatIsWrongWithAFile() throws Exception {
        Path der = server.cert().resolveSibling("server.der");
        run("openssl", "x509", "-in", server.cert().toString(), "-outform", "der", "-out", der.toString());
        String cert = Files.readString(server.cert());
        String corrupted = cert.replace(cert.lines().toList().get(3), "A" + cert.lines().toList().get(3).substring(1));

        assertEquals("no PEM block in the file (expected lines such as -----BEGIN CERTIFICATE-----)",
                certificateProblem("just some words\n"));
        assertTrue(certificateProblem(Files.readAllBytes(der)).startsWith("not a PEM file: it looks binary (DER?);"
                + " convert it with openssl x509 -inform der"));
        assertEquals("no certificate in the file (it holds EC PARAMETERS, EC PRIVATE KEY); expected a PEM block"
                + " -----BEGIN CERTIFICATE-----", certificateProblem(Files.readString(server.key())));
        assertEquals("-----BEGIN CERTIFICATE----- at line 1 has no -----END CERTIFICATE-----",
                certificateProblem(cert.substring(0, cert.indexOf("-----END"))));
        assertTrue(certificateProblem(corrupted).startsWith("the certificate at line 1 does not parse: "),
                certificateProblem(corrupted));
        assertTrue(certificateProblem("-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n")
                .startsWith("the CERTIFICATE block at line 1 is not valid base64: "));
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class,
                () -> PemFiles.privateKey(cert.getBytes(StandardCharsets.US_ASCII)));
        assertEquals("no private key in the file (it holds CERTIFICATE); expected a PEM block -----BEGIN PRIVATE"
                + " KEY-----, -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----", noKey.getMessage());
        String twoKeys = Files.readString(server.key()) + Files.readString(server.key());
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
                () -> PemFiles.privateKey(twoKeys.getBytes(StandardCharsets.US_ASCII)));
        assertEquals("2 private keys in the file (at lines 4, 12); give the one that belongs to the certificate",
                two.getMessage());
        IllegalArgumentException garbled = assertThrows(IllegalArgumentException.class, () -> PemFiles.privateKey(
                "-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n".getBytes()));
        assertTrue(garbled.getMessage().startsWith("the private key (EC PRIVATE KEY) does not parse: "),
                garbled.getMessage());
    }

    private static String certificateProblem(String text) {
        return certificateProblem(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String certificateProblem(byte[] file) {
        return assertThrows(IllegalArgumentException.class, () -> PemFiles.certificates(file)).getMessage();
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
    }
}
