package io.rproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.Certificates;
import io.rproxy.harness.Certificates.Issued;
import io.rproxy.harness.Certificates.KeyForm;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin port over TLS ({@code [admin.tls]}, client certificates required): redis-cli --tls and
 * {@code rproxy status}, given the files or reading them from the configuration; a plain client is closed. STATUS and
 * /metrics count a TLS pool's failed handshakes.
 */
class AdminTlsIT {
    private static Certificates ca;
    private static Issued adminCert;
    private static Issued clientCert;
    private static RedisServer redis;
    private static RunningProxy proxy;
    private static Path config;

    @BeforeAll
    static void start() throws Exception {
        ca = Certificates.newCa("admin");
        Certificates intermediate = ca.intermediate("admin-middle");
        adminCert = intermediate.localServer("rproxy-admin");
        clientCert = ca.issue("operator", KeyForm.EC_PKCS8);
        redis = RedisServer.start();
        String toml = "[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\npassword = \"pw\"\n"
                + "[admin.tls]\ncert_file = \"" + adminCert.chain() + "\"\nkey_file = \"" + adminCert.key()
                + "\"\nca_cert_file = \"" + ca.caCert() + "\"\n"
                + "[metrics]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n"
                + "[pools.carts]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\nservers = [\"" + redis.address()
                + ":1\"]\n[pools.carts.tls]\ncert_file = \"" + adminCert.chain() + "\"\nkey_file = \""
                + adminCert.key() + "\"\n";
        config = Files.createTempFile(Harness.dir(), "admin-tls-", ".toml");
        Files.writeString(config, toml);
        proxy = RunningProxy.start(toml);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        redis.close();
    }

    private static String admin() {
        return "127.0.0.1:" + proxy.adminPort();
    }

    @Test
    void redisCliWithItsClientCertificate() throws Exception {
        String status = run(Harness.requireRedisCli().toString(), "--tls", "--cacert", ca.caCert().toString(),
                "--cert", clientCert.cert().toString(), "--key", clientCert.key().toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(proxy.adminPort()), "-a", "pw", "--no-auth-warning", "status");
        Map<String, Object> parsed = JsonReader.parseObject(status.strip());
        assertTrue(parsed.containsKey("active"), status);
    }

    @Test
    void rproxyStatusWithTheFilesGivenOrReadFromTheConfiguration() {
        StatusCommandIT.Run given = StatusCommandIT.rproxy("status", "--admin", admin(), "--password", "pw",
                "--cacert", ca.caCert().toString(), "--cert", clientCert.cert().toString(), "--key",
                clientCert.key().toString());
        assertEquals(0, given.exit(), given.err());
        assertTrue(given.out().contains("pool carts"), given.out());

        // From the configuration: the admin port's own certificate is trusted, and presented as the client's.
        StatusCommandIT.Run fromConfig = StatusCommandIT.rproxy("status", "--config", config.toString());
        assertEquals(0, fromConfig.exit(), fromConfig.err());
        assertTrue(fromConfig.out().contains("pool carts"), fromConfig.out());
    }

    @Test
    void withoutTlsOrWithoutACertificateTheAdminPortSaysNothing() {
        StatusCommandIT.Run plain = StatusCommandIT.rproxy("status", "--admin", admin(), "--password", "pw");
        assertEquals(AdminOptions.UNREACHABLE, plain.exit(), plain.out());
        assertTrue(plain.err().startsWith("rproxy: cannot reach the rproxy admin port at " + admin()), plain.err());

        StatusCommandIT.Run noCert = StatusCommandIT.rproxy("status", "--admin", admin(), "--password", "pw",
                "--cacert", ca.caCert().toString());
        assertEquals(AdminOptions.UNREACHABLE, noCert.exit(), noCert.out());

        StatusCommandIT.Run badFile = StatusCommandIT.rproxy("status", "--admin", admin(), "--cacert",
                clientCert.key().toString());
        assertEquals(1, badFile.exit());
        assertTrue(badFile.err().startsWith("rproxy: --cacert: " + clientCert.key() + ": no certificate in the file"),
                badFile.err());
    }

    @Test
    void statusAndMetricsCountFailedHandshakes() throws Exception {
        long before = proxy.proxy().pools().getFirst().stats().tlsHandshakeFailures();
        try (Socket socket = new Socket("127.0.0.1", proxy.port("carts"))) {
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            socket.getInputStream().readAllBytes();
        }
        org.awaitility.Awaitility.await().until(
                () -> proxy.proxy().pools().getFirst().stats().tlsHandshakeFailures() == before + 1);

        StatusCommandIT.Run json = StatusCommandIT.rproxy("status", "--config", config.toString(), "--json");
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().contains("\"tls_handshake_failures\": " + (before + 1))
                || json.out().contains("\"tls_handshake_failures\":" + (before + 1)), json.out());
        String compact = json.out().replace("\": ", "\":");
        assertTrue(compact.contains("\"tls\":{\"cert_file\":\"" + adminCert.chain() + "\",\"subject\":\"CN=rproxy-admin\","
                + "\"serial\":\"" + adminCert.serial().toString(16) + "\""), json.out());
        assertTrue(compact.contains("\"server_tls\":null"), json.out());
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + proxy.rproxy().metricsPort().getAsInt() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("rproxy_pool_tls_handshake_failures_total{pool=\"carts\"} " + (before + 1)),
                metrics);
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "redis-cli finished");
        return output;
    }
}
