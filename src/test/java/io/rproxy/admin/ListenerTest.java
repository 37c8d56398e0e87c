package io.rproxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.config.HostPort;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The admin listener's catch ladder: what a connection's handler throws ends that connection, and only it. */
class ListenerTest {
    @Test
    void anErrorInAHandlerIsLoggedOnceClosesItsConnectionAndTheNextConnectionIsServed() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Listener.Handler handler = socket -> {
            if (calls.incrementAndGet() == 1) {
                // What the JDK throws when it counts descriptors at the open-files limit.
                throw new InternalError("errno: 24 error: Too many open files");
            }
            socket.getOutputStream().write("served\n".getBytes(StandardCharsets.US_ASCII));
        };
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler defaultHandler = Thread.getDefaultUncaughtExceptionHandler();
        PrintStream stderr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Listener listener = new Listener("admin", "admin port", new HostPort("127.0.0.1", 0), handler);
        try {
            Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
            System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8)); // slf4j-simple reads it per line
            listener.start();

            assertEquals("", exchange(listener.port()), "the failing connection is closed, nothing written");
            assertEquals("served\n", exchange(listener.port()), "the next connection is served");
        } finally {
            listener.stop();
            System.setErr(stderr);
            Thread.setDefaultUncaughtExceptionHandler(defaultHandler);
        }
        assertEquals(List.of(), uncaught, "nothing reached the default uncaught-exception handler");
        String log = logged.toString(StandardCharsets.UTF_8);
        assertEquals(1, log.lines().filter(l -> l.startsWith("java.lang.InternalError: errno: 24")).count(), log);
        assertTrue(log.lines().anyMatch(l -> l.contains("[ERROR]") && l.contains("[admin-1]")
                && l.contains("admin-1 failed; closed its connection")), log);
    }

    /** Connects, reads until the listener closes the connection, and returns what it read. */
    private static String exchange(int port) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
