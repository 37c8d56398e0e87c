package io.rproxy.sentinel;

import io.rproxy.config.HostPort;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A message a sentinel publishes about a failover, as rproxy follows it.
 *
 * @param kind    what happened
 * @param master  the master's name
 * @param address the new master ({@link Kind#SWITCHED}, {@link Kind#PROMOTED}), the replica chosen
 *                ({@link Kind#SELECTED}), or the master ({@link Kind#ABORTED})
 */
record SentinelEvent(Kind kind, String master, HostPort address) {
    enum Kind {
        /** {@code +selected-slave}: the leader picked the replica to promote; the master is being replaced. */
        SELECTED,
        /** {@code +promoted-slave}: the replica reports itself master; clients should use it from now on. */
        PROMOTED,
        /** {@code +switch-master}: the sentinel's configuration names the new master. */
        SWITCHED,
        /** {@code -failover-abort-...} after a replica was picked: the old master stays. */
        ABORTED
    }

    /** The channels subscribed on every sentinel. */
    static final List<String> CHANNELS = List.of("+switch-master", "+selected-slave", "+promoted-slave",
            "-failover-abort-slave-timeout", "-failover-abort-no-good-slave");

    /**
     * The event in a pushed frame, or null for anything else (a subscription's acknowledgement, a PONG, a message
     * that does not parse: a sentinel's own format, which rproxy does not act on blindly).
     */
    static SentinelEvent of(Reply pushed) {
        if (pushed.type() != '*' || pushed.isNull()) {
            return null;
        }
        List<Reply> parts = pushed.elements();
        if (parts.size() != 3 || !"message".equals(text(parts.get(0)))) {
            return null;
        }
        String channel = text(parts.get(1));
        String payload = text(parts.get(2));
        return channel == null || payload == null ? null : parse(channel, payload);
    }

    /**
     * Parses a payload: {@code +switch-master <master> <old-ip> <old-port> <new-ip> <new-port>}; a replica's event
     * {@code slave <name> <ip> <port> @ <master> <master-ip> <master-port>}; a master's
     * {@code master <master> <ip> <port>} (possibly followed by more).
     */
    static SentinelEvent parse(String channel, String payload) {
        String[] w = payload.strip().split(" +");
        try {
            return switch (channel) {
                case "+switch-master" -> w.length == 5
                        ? new SentinelEvent(Kind.SWITCHED, w[0], new HostPort(w[3], port(w[4]))) : null;
                case "+selected-slave", "+promoted-slave" -> w.length >= 8 && w[0].equals("slave") && w[4].equals("@")
                        ? new SentinelEvent(channel.equals("+selected-slave") ? Kind.SELECTED : Kind.PROMOTED, w[5],
                                new HostPort(w[2], port(w[3]))) : null;
                case "-failover-abort-slave-timeout", "-failover-abort-no-good-slave" -> w.length >= 4
                        && w[0].equals("master") ? new SentinelEvent(Kind.ABORTED, w[1], new HostPort(w[2], port(w[3])))
                        : null;
                default -> null;
            };
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int port(String text) {
        int port = Integer.parseInt(text);
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + text);
        }
        return port;
    }

    private static String text(Reply reply) {
        if (reply.type() != '$' || reply.isNull()) {
            return null;
        }
        return new String(reply.bulkValue(), StandardCharsets.UTF_8);
    }
}
