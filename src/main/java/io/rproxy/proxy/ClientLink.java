package io.rproxy.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.List;

/**
 * Where one client is connected, for CLIENT LIST, INFO and KILL: its addresses as Redis writes them, the socket a
 * KILL closes, and the pool whose clients it may list and kill. Immutable; read by any client's thread.
 *
 * @param addr   the client's address, {@code ip:port}
 * @param laddr  the address it connected to (the pool's listener), {@code ip:port}
 * @param socket null for a client state made outside a session (tests)
 * @param pool   the clients of the same pool
 */
record ClientLink(String addr, String laddr, Socket socket, Clients pool) {
    /** A client state made outside a session: nobody else to see, nothing to close. */
    static final ClientLink NONE = new ClientLink("", "", null, new Clients() {
        @Override
        public String poolName() {
            return "";
        }

        @Override
        public List<ClientState> clients() {
            return List.of();
        }
    });

    /** The clients of one pool (its listener's sessions); thread-safe. */
    interface Clients {
        String poolName();

        /** The pool's connected clients, in the order they connected (by id). */
        List<ClientState> clients();
    }

    static ClientLink of(Socket socket, Clients pool) {
        return new ClientLink(format(socket.getRemoteSocketAddress()), format(socket.getLocalSocketAddress()),
                socket, pool);
    }

    /** Closes the client's connection, as Redis frees a client it kills: the client reads end-of-stream. */
    void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
    }

    /** Redis's form: {@code ip:port}, an IPv6 address in brackets. */
    private static String format(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return "?:0";
        }
        String ip = inet.getAddress().getHostAddress();
        int zone = ip.indexOf('%');
        if (zone >= 0) {
            ip = ip.substring(0, zone);
        }
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + inet.getPort();
    }
}
