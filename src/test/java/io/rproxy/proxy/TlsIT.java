package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.rproxy.harness.Certificates;
import io.rproxy.harness.Certificates.Issued;
import io.rproxy.harness.Certificates.KeyForm;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Transaction;

/**
 * TLS on both sides of rproxy against real TLS redis-servers and real clients, with certificates made by openssl:
 * redis-cli --tls, Jedis and Lettuce through a TLS pool (its certificate a chain, its key SEC1); client certificates;
 * clients that send plain text, stall or present an untrusted certificate, closed and counted while a good client
 * carries on; rproxy to TLS servers with and without a client certificate (shared, dedicated and subscriber
 * connections, a dedicated one leased again from its reserve, and a cluster pool); a reload that rotates the
 * certificate.
 */
class TlsIT {
    private static Certificates root;
    private static Certificates intermediate;
    /** The proxy's certificate: 127.0.0.1, issued by the intermediate, so its cert_file is a chain. */
    private static Issued proxyCert;
    /** A client certificate of the root CA, RSA in PKCS#1. */
    private static Issued clientCert;
    /** Another CA, which rproxy does not trust, and a client certificate it signed. */
    private static Certificates stranger;
    private static Issued strangerCert;
    private static RedisServer plain1;
    private static RedisServer plain2;

    @BeforeAll
    static void start() {
        root = Certificates.newCa("root");
        intermediate = root.intermediate("middle");
        proxyCert = intermediate.localServer("rproxy");
        clientCert = root.issue("client", KeyForm.RSA_PKCS1);
        stranger = Certificates.newCa("stranger");
        strangerCert = stranger.issue("intruder", KeyForm.EC_PKCS8);
        plain1 = RedisServer.start();
        plain2 = RedisServer.start();
    }

    @AfterAll
    static void stop() {
        plain1.close();
        plain2.close();
    }

    private static String quoted(Path path) {
        return "\"" + path + "\"";
    }

    /** A TLS pool over the two plain servers; {@code extra} goes into its tls table. */
    private static RunningProxy tlsPool(String extra, String poolKeys) {
        return RunningProxy.startPool(poolKeys + "\n[pools.test.tls]\ncert_file = " + quoted(proxyCert.chain())
                + "\nkey_file = " + quoted(proxyCert.key()) + "\n" + extra, plain1, plain2);
    }

    private static Jedis jedis(int port, SSLContext context) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(context.getSocketFactory()).timeoutMillis(10_000).build());
    }

    private static PoolStats stats(RunningProxy proxy) {
        return proxy.proxy().pools().getFirst().stats();
    }

    @Test
    void redisCliJedisAndLettuceThroughATlsPool() throws Exception {
        try (RunningProxy proxy = tlsPool("", "")) {
            String port = Integer.toString(proxy.port());
            String cli = Harness.requireRedisCli().toString();
            List<String> tls = List.of(cli, "--tls", "--cacert", root.caCert().toString(), "-h", "127.0.0.1",
                    "-p", port);
            assertEquals("OK", run(tls, "set", "tls:cli", "from redis-cli").strip());
            assertEquals("from redis-cli", run(tls, "get", "tls:cli").strip());

            try (Jedis jedis = jedis(proxy.port(), root.clientContext(null))) {
                assertEquals("from redis-cli", jedis.get("tls:cli"));
                jedis.mset("tls:a", "1", "tls:b", "2", "tls:c", "3", "tls:d", "4");
                assertEquals(List.of("1", "2", "3", "4"), jedis.mget("tls:a", "tls:b", "tls:c", "tls:d"));
                var pipeline = jedis.pipelined();
                List<redis.clients.jedis.Response<Long>> replies = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    replies.add(pipeline.incr("tls:counter"));
                }
                pipeline.sync();
                assertEquals(200L, replies.getLast().get());
            }

            RedisClient lettuce = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(proxy.port())
                    .withSsl(true).withTimeout(Duration.ofSeconds(10)).build());
            lettuce.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().jdkSslProvider()
                    .trustManager(root.caCert().toFile()).build()).build());
            try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
                assertEquals("200", connection.sync().get("tls:counter"));
                assertEquals("OK", connection.sync().set("tls:lettuce", "yes"));
            } finally {
                lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(5));
            }
            try (Jedis direct = plain1.jedis(); Jedis other = plain2.jedis()) {
                assertEquals("yes", direct.exists("tls:lettuce") ? direct.get("tls:lettuce") : other.get("tls:lettuce"));
            }
            assertEquals(0, stats(proxy).tlsHandshakeFailures());
        }
    }

    @Test
    void badClientsAreClosedAndCountedWhileAGoodOneCarriesOn() throws Exception {
        try (RunningProxy proxy = tlsPool("ca_cert_file = " + quoted(root.caCert()), "timeout = 300")) {
            int port = proxy.port();
            AtomicLong served = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread good = Thread.ofVirtual().name("good-client").start(() -> {
                try (Jedis jedis = jedis(port, root.clientContext(clientCert))) {
                    while (running.get()) {
                        long n = served.incrementAndGet();
                        jedis.set("tls:good", Long.toString(n));
                        assertEquals(Long.toString(n), jedis.get("tls:good"));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> served.get() > 10 || failure.get() != null);

            // Plain text to the TLS port: closed, without a Redis reply.
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(5000);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(!answer.contains("PONG"), answer);
            }
            // A certificate of a CA the pool does not trust, and no certificate at all.
            for (SSLContext untrusted : List.of(stranger.clientContext(strangerCert), root.clientContext(null))) {
                assertThrows(Exception.class, () -> {
                    try (Jedis jedis = jedis(port, untrusted)) {
                        jedis.ping();
                    }
                });
            }
            // A client that connects and never shakes hands is closed at the bound (timeout 300 ms: 1 s).
            long stalledAt = System.nanoTime();
            try (Socket stalled = new Socket("127.0.0.1", port)) {
                stalled.setSoTimeout(10_000);
                assertEquals(-1, stalled.getInputStream().read());
            }
            long stalledMs = (System.nanoTime() - stalledAt) / 1_000_000;
            assertTrue(stalledMs >= 900 && stalledMs < 5000, "closed after " + stalledMs + " ms");
            // One that trickles a ClientHello, a byte every 200 ms, is closed at the bound too: it is the whole
            // handshake that is bounded, not each read.
            long trickledMs = trickle(port);
            assertTrue(trickledMs >= 900 && trickledMs < 3000, "closed after " + trickledMs + " ms");

            // One that connects and leaves without a word (a TCP health check).
            new Socket("127.0.0.1", port).close();

            await().atMost(Duration.ofSeconds(10)).until(() -> stats(proxy).tlsHandshakeFailures() == 6);
            long before = served.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> served.get() > before + 10 || failure.get() != null);
            running.set(false);
            good.join();
            assertEquals(null, failure.get());
            assertEquals(6, stats(proxy).tlsHandshakeFailures());
            assertEquals(0, stats(proxy).clientErr(), "handshake failures are not client errors");

            // redis-cli with the client certificate of the trusted CA.
            List<String> cli = List.of(Harness.requireRedisCli().toString(), "--tls", "--cacert",
                    root.caCert().toString(), "--cert", clientCert.chain().toString(), "--key",
                    clientCert.key().toString(), "-h", "127.0.0.1", "-p", Integer.toString(port));
            assertEquals(Long.toString(served.get()), run(cli, "get", "tls:good").strip());
        }
    }

    @Test
    void aReloadRotatesTheCertificateForNewConnectionsOnly() throws Exception {
        Issued next = intermediate.issue("rproxy-next", KeyForm.RSA_PKCS8, "IP:127.0.0.1");
        int port = FreePorts.pick();
        String toml = RunningProxy.poolToml("test", port, "", List.of("\"" + plain1.address() + ":1\""))
                + "[pools.test.tls]\ncert_file = " + quoted(proxyCert.chain()) + "\nkey_file = "
                + quoted(proxyCert.key()) + "\n";
        try (RunningProxy proxy = RunningProxy.start(toml)) {
            SSLContext context = root.clientContext(null);
            try (SSLSocket first = connect(context, port)) {
                assertEquals(proxyCert.serial(), serial(first));
                assertEquals("+PONG", ping(first));

                Path file = Files.createTempFile(Harness.dir(), "tls-reload-", ".toml");
                Files.writeString(file, toml.replace(proxyCert.chain().toString(), next.chain().toString())
                        .replace(proxyCert.key().toString(), next.key().toString()));
                proxy.rproxy().reload(file);

                try (SSLSocket second = connect(context, port)) {
                    assertEquals(next.serial(), serial(second));
                    assertEquals("+PONG", ping(second));
                }
                assertEquals("+PONG", ping(first));
                assertEquals(proxyCert.serial(), serial(first));
            }
        }
    }

    @Test
    void aStopEndsTlsClientsGracefully() throws Exception {
        RunningProxy proxy = tlsPool("", "");
        try (SSLSocket client = connect(root.clientContext(null), proxy.port())) {
            assertEquals("+PONG", ping(client));
            long start = System.nanoTime();
            proxy.close();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(-1, client.getInputStream().read(), "the client reads the end of the stream (close_notify)");
            assertTrue(ms < 3000, "a stop with a TLS client connected took " + ms + " ms (grace 5 s)");
        }
    }

    @Test
    void serversOverTlsWithAndWithoutAClientCertificate() throws Exception {
        Issued serverCert = root.issue("redis", KeyForm.RSA_PKCS8, "IP:127.0.0.1");
        try (RedisServer open = RedisServer.startTls(serverCert.cert(), serverCert.key(), root.caCert(),
                "--tls-auth-clients", "no");
             RedisServer strict = RedisServer.startTls(serverCert.cert(), serverCert.key(), root.caCert())) {
            String withoutCert = "[pools.open]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\ntimeout = 2000\n"
                    + "servers = [\"" + open.address() + ":1 open\"]\n[pools.open.server_tls]\nca_cert_file = "
                    + quoted(root.caCert()) + "\n";
            String withCert = "[pools.strict]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\ntimeout = 2000\n"
                    + "servers = [\"" + strict.address() + ":1 strict\"]\n[pools.strict.server_tls]\nca_cert_file = "
                    + quoted(root.caCert()) + "\ncert_file = " + quoted(clientCert.cert()) + "\nkey_file = "
                    + quoted(clientCert.key()) + "\n";
            String refused = "[pools.refused]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\ntimeout = 2000\n"
                    + "servers = [\"" + strict.address() + ":1 strict\"]\n[pools.refused.server_tls]\nca_cert_file = "
                    + quoted(root.caCert()) + "\n";
            try (RunningProxy proxy = RunningProxy.start("[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick()
                    + "\"\n" + withoutCert + withCert + refused)) {
                for (String pool : List.of("open", "strict")) {
                    try (Jedis jedis = new Jedis("127.0.0.1", proxy.port(pool), 10_000)) {
                        everyKindOfConnection(jedis, pool, proxy.port(pool));
                    }
                }
                try (Jedis direct = jedis(strict.port(), root.clientContext(clientCert))) {
                    assertEquals("strict", direct.get("tls:server")); // the value went to the TLS server itself
                }
                try (Jedis jedis = new Jedis("127.0.0.1", proxy.port("refused"), 10_000)) {
                    Exception e = assertThrows(Exception.class, () -> jedis.get("tls:server"));
                    assertTrue(e.getMessage().contains("strict (" + strict.address() + ")"), e.getMessage());
                }
            }
        }
    }

    /** Shared pipelined connections, a dedicated one (MULTI, BLPOP) and a subscriber one, all to TLS servers. */
    private static void everyKindOfConnection(Jedis jedis, String pool, int port) throws Exception {
        assertEquals("OK", jedis.set("tls:server", pool));
        assertEquals(pool, jedis.get("tls:server"));
        Transaction multi = jedis.multi();
        multi.incr("tls:tx");
        multi.incr("tls:tx");
        assertEquals(2, multi.exec().size());
        jedis.rpush("tls:queue", "job");
        assertEquals(List.of("tls:queue", "job"), jedis.blpop(1, "tls:queue"));
        AtomicReference<String> heard = new AtomicReference<>();
        Thread publisher = Thread.ofVirtual().start(() -> {
            try (Jedis other = new Jedis("127.0.0.1", port, 10_000)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> other.publish("tls:channel", "hello") == 1);
            }
        });
        try (Jedis subscriber = new Jedis("127.0.0.1", port, 10_000)) {
            subscriber.subscribe(new JedisPubSub() {
                @Override
                public void onMessage(String channel, String message) {
                    heard.set(message);
                    unsubscribe();
                }
            }, "tls:channel");
        }
        publisher.join();
        assertEquals("hello", heard.get());
    }

    /**
     * A TLS 1.3 server sends session tickets after the handshake, and they wait beneath TLS until the first read. A
     * reserve connection judged by what lies beneath it would look closed at every lease and be reopened, a new
     * handshake each time: here the server counts the connections it was sent, and only the first lease opens one.
     */
    @Test
    void aDedicatedConnectionToATlsServerIsLeasedAgainFromTheReserve() throws Exception {
        Issued serverCert = root.issue("redis-reserve", KeyForm.EC_PKCS8, "IP:127.0.0.1");
        try (RedisServer server = RedisServer.startTls(serverCert.cert(), serverCert.key(), root.caCert(),
                "--tls-auth-clients", "no")) {
            assertTicketsWaitBeneathTls(server.port());
            String toml = RunningProxy.poolToml("reserve", FreePorts.pick(), "timeout = 2000",
                    List.of("\"" + server.address() + ":1 reserve\"")) + "[pools.reserve.server_tls]\nca_cert_file = "
                    + quoted(root.caCert()) + "\n";
            try (RunningProxy proxy = RunningProxy.start(toml);
                 RawClient client = new RawClient(proxy.port());
                 Jedis direct = jedis(server.port(), root.clientContext(null))) {
                assertEquals(Reply.array(List.of(Reply.OK)), transaction(client), "the lease that opens it");
                long received = connectionsReceived(direct);
                for (int round = 0; round < 3; round++) {
                    assertEquals(Reply.array(List.of(Reply.OK)), transaction(client), "MULTI/EXEC " + round);
                    assertEquals(Reply.NULL_ARRAY, client.call("BLPOP", "tls:reserve:queue", "0.01"), "BLPOP " + round);
                }
                assertEquals(received, connectionsReceived(direct), "every later lease took the reserve's connection");
                assertEquals(1, proxy.proxy().servers("reserve").getFirst().dedicated().open());
            }
        }
    }

    /** The premise: a TLS 1.3 handshake with the server leaves bytes (its session tickets) unread beneath TLS. */
    private static void assertTicketsWaitBeneathTls(int port) throws IOException {
        Socket tcp = new Socket();
        tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        try (SSLSocket tls = (SSLSocket) root.clientContext(null).getSocketFactory().createSocket(tcp, "127.0.0.1",
                port, true)) {
            tls.startHandshake();
            assertEquals("TLSv1.3", tls.getSession().getProtocol());
            await().atMost(Duration.ofSeconds(5)).until(() -> tcp.getInputStream().available() > 0);
        }
    }

    private static Reply transaction(RawClient client) {
        assertEquals(Reply.OK, client.call("MULTI"));
        assertEquals(Reply.simple("QUEUED"), client.call("SET", "tls:reserve", "v"));
        return client.call("EXEC");
    }

    /** The server's total_connections_received (INFO stats): every connection it accepted, this one's included. */
    private static long connectionsReceived(Jedis direct) {
        return Long.parseLong(direct.info("stats").lines().filter(l -> l.startsWith("total_connections_received:"))
                .findFirst().orElseThrow().substring("total_connections_received:".length()).trim());
    }

    @Test
    void serverNameIsWhatTheServersCertificateIsCheckedAgainst() throws Exception {
        Issued named = root.issue("redis-internal", KeyForm.EC_SEC1, "DNS:redis.internal");
        try (RedisServer server = RedisServer.startTls(named.cert(), named.key(), root.caCert(),
                "--tls-auth-clients", "no")) {
            String table = "\"\n[pools.%s.server_tls]\nca_cert_file = " + quoted(root.caCert()) + "\n";
            String toml = "[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n"
                    + "[pools.named]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\nservers = [\""
                    + server.address() + ":1\"]\n[pools.named.server_tls]\nca_cert_file = " + quoted(root.caCert())
                    + "\nserver_name = \"redis.internal\"\n"
                    + "[pools.byip]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\nservers = [\""
                    + server.address() + ":1\"]\n" + table.formatted("byip").substring(2);
            try (RunningProxy proxy = RunningProxy.start(toml);
                 Jedis named1 = new Jedis("127.0.0.1", proxy.port("named"), 10_000);
                 Jedis byIp = new Jedis("127.0.0.1", proxy.port("byip"), 10_000)) {
                assertEquals("PONG", named1.ping());
                assertEquals("OK", named1.set("tls:named", "1"));
                Exception e = assertThrows(Exception.class, () -> byIp.get("tls:named"));
                assertTrue(e.getMessage().contains("cannot connect to " + server.address()) && e.getMessage()
                        .contains("127.0.0.1"), e.getMessage());
            }
        }
    }

    @Test
    void aClusterPoolOverTls() throws Exception {
        Issued node = root.issue("node", KeyForm.EC_SEC1, "IP:127.0.0.1");
        try (RedisServer server = RedisServer.startTls(node.cert(), node.key(), root.caCert(),
                "--tls-auth-clients", "no", "--cluster-enabled", "yes", "--tls-cluster", "yes")) {
            try (Jedis admin = jedis(server.port(), root.clientContext(null))) {
                admin.clusterAddSlotsRange(0, 16383);
                await().atMost(Duration.ofSeconds(10)).until(() -> admin.clusterInfo().contains("cluster_state:ok"));
            }
            String toml = "[admin]\nlisten = \"127.0.0.1:" + FreePorts.pick() + "\"\n[pools.cluster]\nlisten ="
                    + " \"127.0.0.1:" + FreePorts.pick() + "\"\ncluster = true\nservers = [\"" + server.address()
                    + "\"]\n[pools.cluster.server_tls]\nca_cert_file = " + quoted(root.caCert()) + "\n";
            try (RunningProxy proxy = RunningProxy.start(toml);
                 Jedis jedis = new Jedis("127.0.0.1", proxy.port(), 10_000)) {
                for (int i = 0; i < 20; i++) {
                    jedis.set("tls:cluster:" + i, Integer.toString(i));
                }
                assertEquals("7", jedis.get("tls:cluster:7"));
                assertEquals(20, jedis.dbSize());
            }
        }
    }

    /** Writes the start of a TLS ClientHello a byte every 200 ms until rproxy closes; how long that took, in ms. */
    private static long trickle(int port) throws IOException {
        byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(200);
            for (int i = 0; i < 50; i++) {
                try {
                    socket.getOutputStream().write(hello[Math.min(i, hello.length - 1)]);
                    if (socket.getInputStream().read() == -1) {
                        break;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    continue; // nothing yet: the handshake is still open; the next byte follows
                } catch (IOException e) {
                    break; // reset: rproxy closed it
                }
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static SSLSocket connect(SSLContext context, int port) throws IOException {
        Socket tcp = new Socket();
        tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        tcp.setSoTimeout(10_000);
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "127.0.0.1", port, true);
        tls.startHandshake();
        return tls;
    }

    private static BigInteger serial(SSLSocket socket) throws IOException {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    private static String ping(SSLSocket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\r' && c >= 0; c = in.read()) {
            line.append((char) c);
        }
        in.read();
        return line.toString();
    }

    private static String run(List<String> command, String... args) throws Exception {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        Process process = new ProcessBuilder(all).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "redis-cli finished");
        return output;
    }
}
