package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * twemproxy's client_connections: the most clients a pool serves at once. A client beyond it is closed as soon as
 * it is accepted, without a reply, and counted; when a client leaves, a new one is served again.
 */
class ClientConnectionsIT {
    @Test
    void aClientBeyondTheLimitIsClosedAndCountedAndRoomComesBackWhenOneLeaves() throws Exception {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("client_connections = 2", redis)) {
            PoolStats stats = proxy.proxy().pools().getFirst().stats();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket client = new Socket("127.0.0.1", proxy.port());
                    clients.add(client);
                    assertEquals("+PONG", ping(client));
                }
                try (Socket third = new Socket("127.0.0.1", proxy.port())) {
                    third.setSoTimeout(10_000);
                    assertEquals(-1, readAfterPing(third), "closed without a reply");
                }
                assertEquals(1, stats.clientsRejected());
                assertEquals(2, stats.clientConnections());
                for (Socket client : clients) {
                    assertEquals("+PONG", ping(client), "the clients within the limit are still served");
                }

                clients.removeFirst().close();
                await().atMost(Duration.ofSeconds(20)).until(() -> stats.clientConnections() == 1);
                try (Socket next = new Socket("127.0.0.1", proxy.port())) {
                    assertEquals("+PONG", ping(next), "room again once a client left");
                }
                assertEquals(1, stats.clientsRejected());
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void zeroMeansNoLimit() throws Exception {
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("client_connections = 0", redis)) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    Socket client = new Socket("127.0.0.1", proxy.port());
                    clients.add(client);
                    assertEquals("+PONG", ping(client));
                }
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
            assertEquals(0, proxy.proxy().pools().getFirst().stats().clientsRejected());
        }
    }

    private static String ping(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\r'; c = in.read()) {
            assertTrue(c >= 0, "connection closed");
            line.append((char) c);
        }
        in.read();
        return line.toString();
    }

    private static int readAfterPing(Socket socket) throws IOException {
        try {
            socket.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return -1; // already reset
        }
        try {
            return socket.getInputStream().read();
        } catch (java.net.SocketException e) {
            return -1; // reset: closed all the same
        }
    }
}
