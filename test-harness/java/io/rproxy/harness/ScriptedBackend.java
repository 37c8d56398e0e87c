package io.rproxy.harness;

import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespLimits;
import io.rproxy.resp.RespReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake Redis server for what a real one will not do on demand: answer late, stall, send half a reply, send
 * garbage. Each command it reads is handed to the current {@link Script}, which says what to do; the script can be
 * swapped while clients are connected. Only for those cases: everything else is tested against real redis-server.
 */
public final class ScriptedBackend implements AutoCloseable {
    private final ServerSocket listener;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Script script;

    /** What to do with one command. */
    @FunctionalInterface
    public interface Script {
        Step next(RespCommand command);
    }

    /**
     * @param reply bytes to send (may be partial or garbage)
     * @param delay how long to wait before sending
     * @param close whether to close the connection after sending
     */
    public record Step(byte[] reply, Duration delay, boolean close) {
        public static Step reply(String resp) {
            return new Step(resp.getBytes(StandardCharsets.UTF_8), Duration.ZERO, false);
        }

        public static Step delayed(Duration delay, String resp) {
            return new Step(resp.getBytes(StandardCharsets.UTF_8), delay, false);
        }

        /** Sends the given bytes (e.g. half a reply), then hangs up. */
        public static Step sendAndClose(String partial) {
            return new Step(partial.getBytes(StandardCharsets.UTF_8), Duration.ZERO, true);
        }

        /** Never answers (the connection stays open). */
        public static Step stall() {
            return new Step(new byte[0], Duration.ofDays(1), false);
        }
    }

    /** A script that answers like a tiny Redis: PING, AUTH, SELECT, SET and GET (GET returns "v"). */
    public static Step likeRedis(RespCommand command) {
        return switch (command.name()) {
            case "ping" -> Step.reply("+PONG\r\n");
            case "get" -> Step.reply("$1\r\nv\r\n");
            default -> Step.reply("+OK\r\n");
        };
    }

    private ScriptedBackend(Script script) throws IOException {
        this.script = script;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofPlatform().daemon().name("scripted-backend-" + port()).start(this::acceptLoop);
    }

    public static ScriptedBackend start(Script script) {
        try {
            return new ScriptedBackend(script);
        } catch (IOException e) {
            throw new HarnessException("cannot start a scripted backend", e);
        }
    }

    public void script(Script next) {
        script = next;
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    public int open() {
        return clients.size();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                clients.add(client);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            RespReader reader = new RespReader(client.getInputStream(), RespLimits.DEFAULT);
            OutputStream out = client.getOutputStream();
            RespCommand command;
            while ((command = reader.readCommand()) != null) {
                Step step = script.next(command);
                if (!step.delay().isZero()) {
                    Thread.sleep(step.delay()); // the delay is the behaviour under test, not synchronisation
                }
                out.write(step.reply());
                out.flush();
                if (step.close()) {
                    return;
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // The proxy hung up or the test is over; either way this connection is done.
        } finally {
            clients.remove(client);
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // Best effort: the test is over.
        }
        for (Socket client : clients) {
            try {
                client.close();
            } catch (IOException ignored) {
                // Best effort.
            }
        }
    }
}
