package io.rproxy.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Free TCP ports on the loopback interface.
 *
 * <p>A port picked here is free only at the moment it is picked: whoever binds it later may lose a race with
 * another process, so callers that start servers retry with a new port when the bind fails. Ports are never
 * handed out twice by one JVM, so two servers started by the same test run cannot be given the same port.
 */
public final class FreePorts {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int ATTEMPTS = 50;
    /** Starts on a picked port tried before giving up: losing the race that often means something else is wrong. */
    private static final int RACE_ATTEMPTS = 5;
    /** Every port handed out by this JVM; the kernel happily returns a just-closed port again. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    /** A loopback port that nothing listens on now and that this JVM has not handed out before. */
    public static int pick() {
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = bindEphemeral();
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new HarnessException("no free loopback port after " + ATTEMPTS + " attempts");
    }

    /**
     * Starts something on a picked port, and again on a new port while it loses the race for the port to another
     * process: {@code attempt} gets the port and throws {@link PortTaken} (after cleaning up) when that happened.
     *
     * @param what names what is started, for the error when every attempt lost
     */
    public static <T> T startOnFreePort(String what, IntFunction<T> attempt) {
        PortTaken lost = null;
        for (int i = 0; i < RACE_ATTEMPTS; i++) {
            try {
                return attempt.apply(pick());
            } catch (PortTaken e) {
                lost = e;
            }
        }
        throw new HarnessException(what + " lost the race for a free port " + RACE_ATTEMPTS + " times",
                lost.getCause());
    }

    /** Thrown by a {@link #startOnFreePort} attempt whose port another process bound first. */
    public static final class PortTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** @param failure how the start failed */
        public PortTaken(HarnessException failure) {
            super(failure.getMessage(), failure);
        }
    }

    /** Whether a listening socket could be bound to {@code 127.0.0.1:port} right now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int bindEphemeral() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind an ephemeral loopback port", e);
        }
    }
}
