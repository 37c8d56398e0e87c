package io.rproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.Certificates;
import io.rproxy.harness.Certificates.Issued;
import io.rproxy.harness.Certificates.KeyForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tls, server_tls and admin.tls tables: what they hold, and the words for every file rproxy cannot use. */
class TlsConfigTest {
    private static Certificates ca;
    private static Issued server;
    private static Issued other;
    private static Path dir;
    private static Path source;

    @BeforeAll
    static void makeCertificates() {
        ca = Certificates.newCa("config");
        server = ca.localServer("proxy");
        other = ca.issue("other", KeyForm.RSA_PKCS1, "IP:127.0.0.1");
        dir = server.cert().getParent();
        source = dir.resolve("rproxy.toml");
    }

    /** Line 1 "[pools.alpha]", 2 listen, 3 servers, 4 "[pools.alpha.<table>]", then {@code lines} from line 5. */
    private static String pool(String table, String... lines) {
        return "[pools.alpha]\nlisten = \"127.0.0.1:22121\"\nservers = [\"127.0.0.1:6379:1\"]\n[pools.alpha." + table
                + "]\n" + String.join("\n", lines) + "\n";
    }

    private static String quoted(Path path) {
        return "\"" + path + "\"";
    }

    private static ProxyConfig load(String text, List<ConfigProblem> warnings, Clock clock) {
        return ConfigLoader.parse(text, source, null, clock, warnings::add);
    }

    private static ProxyConfig load(String text) {
        return load(text, new ArrayList<>(), Clock.systemUTC());
    }

    /** The one problem of {@code text}, as rproxy prints it. */
    private static String problem(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(text));
        assertEquals(1, e.problems().size(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsBothSidesOfAPool() {
        PoolConfig pool = load(pool("tls", "cert_file = " + quoted(server.chain()), "key_file = " + quoted(server.key()),
                "ca_cert_file = " + quoted(ca.caCert()), "[pools.alpha.server_tls]",
                "ca_cert_file = " + quoted(ca.caCert()), "cert_file = " + quoted(other.cert()),
                "key_file = " + quoted(other.key()), "server_name = \"redis.internal\"")).pools().get("alpha");

        TlsConfig clients = pool.tls().clients().orElseThrow();
        assertEquals(server.chain(), clients.certFile());
        assertEquals(Optional.of(ca.caCert()), clients.caCertFile());
        assertTrue(clients.context().requiresClientCertificates());
        assertEquals(server.serial(), clients.context().certificate().getSerialNumber());
        ServerTlsConfig servers = pool.tls().servers().orElseThrow();
        assertEquals(Optional.of("redis.internal"), servers.serverName());
        assertEquals(Optional.of(other.key()), servers.keyFile());
    }

    @Test
    void aListenerWithoutCaAsksNoClientCertificateAndServerTlsNeedsNoKey() {
        PoolConfig pool = load(pool("tls", "cert_file = " + quoted(server.cert()), "key_file = " + quoted(server.key()),
                "[pools.alpha.server_tls]")).pools().get("alpha");

        assertFalse(pool.tls().clients().orElseThrow().context().requiresClientCertificates());
        assertEquals(Optional.empty(), pool.tls().servers().orElseThrow().caCertFile()); // the JDK's trusted CAs
        assertEquals(PoolTls.NONE, load(pool("server_tls").replace("[pools.alpha.server_tls]\n", ""))
                .pools().get("alpha").tls());
    }

    @Test
    void relativePathsAreTakenFromTheConfigurationFilesFolder() {
        PoolConfig pool = load(pool("tls", "cert_file = \"" + server.cert().getFileName() + "\"",
                "key_file = \"./" + server.key().getFileName() + "\"")).pools().get("alpha");

        assertEquals(server.cert(), pool.tls().clients().orElseThrow().certFile());
        assertEquals(server.key(), pool.tls().clients().orElseThrow().keyFile());
    }

    @Test
    void anUnreadableFileIsAProblemAtItsKey() {
        Path missing = dir.resolve("nope.crt");
        assertEquals(source + ":5: pools.alpha.tls.cert_file: cannot read " + missing + ": no such file (looked for "
                        + missing + ")",
                problem(pool("tls", "cert_file = " + quoted(missing), "key_file = " + quoted(server.key()))));
        assertEquals(source + ":6: pools.alpha.tls.key_file: cannot read " + dir + ": is a directory, not a file",
                problem(pool("tls", "cert_file = " + quoted(server.cert()), "key_file = " + quoted(dir))));
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsAProblemAtKeyFile() {
        assertEquals(source + ":6: pools.alpha.tls.key_file: the private key in " + other.key() + " does not belong to"
                + " the certificate in " + server.cert() + " (subject 'CN=proxy', serial " + server.serial().toString(16)
                + "); give the key the certificate was made for",
                problem(pool("tls", "cert_file = " + quoted(server.cert()), "key_file = " + quoted(other.key()))));
    }

    @Test
    void aCaFileThatDoesNotParseIsAProblemAtCaCertFile() {
        assertEquals(source + ":7: pools.alpha.tls.ca_cert_file: " + server.key() + ": no certificate in the file (it"
                + " holds EC PARAMETERS, EC PRIVATE KEY); expected a PEM block -----BEGIN CERTIFICATE-----",
                problem(pool("tls", "cert_file = " + quoted(server.cert()), "key_file = " + quoted(server.key()),
                        "ca_cert_file = " + quoted(server.key()))));
        assertTrue(problem(pool("server_tls", "ca_cert_file = " + quoted(server.key())))
                .startsWith(source + ":5: pools.alpha.server_tls.ca_cert_file: " + server.key() + ": no certificate"));
    }

    @Test
    void aCertificateFileWithoutCertificateIsAProblemAtCertFile() {
        assertTrue(problem(pool("tls", "cert_file = " + quoted(server.key()), "key_file = " + quoted(server.key())))
                .startsWith(source + ":5: pools.alpha.tls.cert_file: " + server.key() + ": no certificate in the file"));
    }

    @Test
    void anExpiredCertificateIsAWarningAndTheFileLoads() throws Exception {
        List<ConfigProblem> warnings = new ArrayList<>();
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(30)), ZoneOffset.UTC);
        Clock earlier = Clock.fixed(Instant.now().minus(Duration.ofDays(30)), ZoneOffset.UTC);
        String text = pool("tls", "cert_file = " + quoted(server.cert()), "key_file = " + quoted(server.key()));

        load(text, warnings, later);
        load(text, warnings, earlier);

        String notAfter = java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(server.cert())) instanceof java.security.cert.X509Certificate c
                ? c.getNotAfter().toInstant().toString() : "";
        assertEquals(2, warnings.size(), warnings.toString());
        assertEquals(source + ":5: pools.alpha.tls.cert_file: " + server.cert() + ": the certificate subject"
                + " 'CN=proxy', serial " + server.serial().toString(16) + " expired on " + notAfter
                + "; peers will refuse it", warnings.get(0).toString());
        assertTrue(warnings.get(1).toString().contains(": the certificate subject 'CN=proxy', serial "
                + server.serial().toString(16) + " is not valid before "), warnings.get(1).toString());
    }

    @Test
    void aListenerNeedsBothItsFiles() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(pool("tls", "ca_cert_file = "
                + quoted(ca.caCert()))));
        assertEquals(source + ":4: pools.alpha.tls.cert_file: missing; a TLS listener needs its certificate, e.g."
                + " cert_file = \"/etc/rproxy/proxy.crt\"\n" + source + ":4: pools.alpha.tls.key_file: missing; a TLS"
                + " listener needs its private key, e.g. key_file = \"/etc/rproxy/proxy.key\"", e.getMessage());
    }

    @Test
    void serverTlsNeedsCertAndKeyTogetherAndARealServerName() {
        assertEquals(source + ":5: pools.alpha.server_tls.cert_file: a client certificate needs its private key: set"
                + " key_file too", problem(pool("server_tls", "cert_file = " + quoted(other.cert()))));
        assertEquals(source + ":5: pools.alpha.server_tls.key_file: a private key needs its client certificate: set"
                + " cert_file too", problem(pool("server_tls", "key_file = " + quoted(other.key()))));
        assertEquals(source + ":5: pools.alpha.server_tls.server_name: must not be empty; leave the key out to check"
                + " each server's own host", problem(pool("server_tls", "server_name = \"\"")));
        assertTrue(problem(pool("server_tls", "server_name = \"not a host!\"")).startsWith(source
                + ":5: pools.alpha.server_tls.server_name: "));
    }

    @Test
    void unknownKeysAndWrongTypes() {
        assertEquals(source + ":5: pools.alpha.server_tls.ca_cert_fle: unknown key (did you mean 'ca_cert_file'?);"
                + " expected one of: ca_cert_file, cert_file, key_file, server_name",
                problem(pool("server_tls", "ca_cert_fle = " + quoted(ca.caCert()))));
        assertEquals(source + ":5: pools.alpha.tls.server_name: unknown key; expected one of: cert_file, key_file,"
                + " ca_cert_file", problem(pool("tls", "cert_file = " + quoted(server.cert()),
                        "key_file = " + quoted(server.key())).replace("[pools.alpha.tls]\n",
                        "[pools.alpha.tls]\nserver_name = \"x\"\n")).replace(":6:", ":5:"));
        assertEquals(source + ":4: pools.alpha.tls: expected a table, got a boolean (true)",
                problem(pool("server_tls").replace("[pools.alpha.server_tls]", "tls = true")));
        assertEquals(source + ":5: pools.alpha.server_tls.cert_file: must not be empty; give the path of a PEM file,"
                + " or leave the key out", problem(pool("server_tls", "cert_file = \"\"", "key_file = "
                        + quoted(other.key()))));
    }

    @Test
    void theAdminPortTakesATlsTableToo() {
        String admin = "[admin]\nlisten = \"127.0.0.1:22999\"\n[admin.tls]\ncert_file = " + quoted(server.cert())
                + "\nkey_file = " + quoted(server.key()) + "\n";
        AdminConfig config = load(admin + pool("server_tls")).admin();

        assertEquals(server.cert(), config.tls().orElseThrow().certFile());
        assertEquals(source + ":5: admin.tls.key_file: the private key in " + other.key() + " does not belong to the"
                + " certificate in " + server.cert() + " (subject 'CN=proxy', serial " + server.serial().toString(16)
                + "); give the key the certificate was made for",
                problem(admin.replace(server.key().toString(), other.key().toString()) + pool("server_tls")));
    }

    @Test
    void nutcrackerYamlHasNoTls() {
        String yaml = "alpha:\n  listen: 127.0.0.1:22121\n  redis: true\n  servers:\n   - 127.0.0.1:6379:1\n"
                + "  tls: true\n";
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(yaml, dir.resolve("nutcracker.yml")));
        assertTrue(e.getMessage().contains("alpha.tls: TLS is set in rproxy's TOML only ([pools.alpha.tls] tables);"
                + " convert this file with 'rproxy convert' and add it there"), e.getMessage());
    }
}
