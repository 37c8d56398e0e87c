package io.rproxy.routing;

import io.rproxy.config.HostPort;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Redis Cluster's slot map as one node told it (CLUSTER SLOTS): which master serves each slot, and every node
 * with its role and slot ranges. Immutable; safe for any thread.
 */
public final class SlotMap {
    private final HostPort[] owners;
    private final List<Node> nodes;

    /** One node of the map: masters with the ranges they serve, replicas with their master's ranges. */
    public record Node(HostPort address, Role role, List<Range> slots) {
        public Node {
            slots = List.copyOf(slots);
        }
    }

    public enum Role {
        MASTER, REPLICA;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Slots {@code first..last}, both included. */
    public record Range(int first, int last) {
        public Range {
            if (first < 0 || last >= ClusterSlot.COUNT || first > last) {
                throw new IllegalArgumentException("slot range " + first + "-" + last + " is not within 0-"
                        + (ClusterSlot.COUNT - 1));
            }
        }

        @Override
        public String toString() {
            return first == last ? Integer.toString(first) : first + "-" + last;
        }
    }

    private SlotMap(HostPort[] owners, List<Node> nodes) {
        this.owners = owners;
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Reads a CLUSTER SLOTS reply: {@code [first, last, [host, port, id, ...] (master), [host, port, ...]
     * (replicas)...]} per range. A node that does not know its own address reports an empty host (or "?"); it is
     * then {@code askedHost}, the host the question went to.
     *
     * @throws IllegalArgumentException when the reply is not a slot map
     */
    public static SlotMap parse(Reply reply, String askedHost) {
        if (reply.isError()) {
            throw new IllegalArgumentException(reply.errorMessage());
        }
        HostPort[] owners = new HostPort[ClusterSlot.COUNT];
        Map<HostPort, List<Range>> masters = new LinkedHashMap<>();
        Map<HostPort, List<Range>> replicas = new LinkedHashMap<>();
        try {
            for (Reply entry : reply.elements()) {
                List<Reply> fields = entry.elements();
                if (fields.size() < 3) {
                    throw new IllegalArgumentException("a slot range without a master: " + entry);
                }
                Range range = new Range((int) fields.get(0).integer(), (int) fields.get(1).integer());
                HostPort master = address(fields.get(2), askedHost);
                masters.computeIfAbsent(master, m -> new ArrayList<>()).add(range);
                for (int slot = range.first(); slot <= range.last(); slot++) {
                    owners[slot] = master;
                }
                for (Reply replica : fields.subList(3, fields.size())) {
                    replicas.computeIfAbsent(address(replica, askedHost), r -> new ArrayList<>()).add(range);
                }
            }
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("not a CLUSTER SLOTS reply: " + e.getMessage(), e);
        }
        List<Node> nodes = new ArrayList<>();
        masters.forEach((a, r) -> nodes.add(new Node(a, Role.MASTER, merged(r))));
        replicas.forEach((a, r) -> {
            if (!masters.containsKey(a)) {
                nodes.add(new Node(a, Role.REPLICA, merged(r)));
            }
        });
        return new SlotMap(owners, nodes);
    }

    private static HostPort address(Reply node, String askedHost) {
        List<Reply> fields = node.elements();
        if (fields.size() < 2) {
            throw new IllegalArgumentException("a node without host and port: " + node);
        }
        String host = new String(fields.get(0).bulkValue(), StandardCharsets.UTF_8);
        if (host.isEmpty() || host.equals("?")) {
            host = askedHost;
        }
        return new HostPort(host, (int) fields.get(1).integer());
    }

    /** Sorted, adjacent ranges joined: "0-5460" rather than one entry per CLUSTER SLOTS row. */
    private static List<Range> merged(List<Range> ranges) {
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort((a, b) -> Integer.compare(a.first(), b.first()));
        List<Range> out = new ArrayList<>();
        for (Range r : sorted) {
            Range last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.last() + 1 >= r.first()) {
                out.set(out.size() - 1, new Range(last.first(), Math.max(last.last(), r.last())));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** The master serving {@code slot}; null when no node serves it. */
    public HostPort owner(int slot) {
        return owners[slot];
    }

    /** Masters first (in the order the map lists them), then replicas. */
    public List<Node> nodes() {
        return nodes;
    }

    public List<HostPort> masters() {
        return nodes.stream().filter(n -> n.role() == Role.MASTER).map(Node::address).toList();
    }

    /** Slots no master serves. */
    public int unserved() {
        int count = 0;
        for (HostPort owner : owners) {
            count += owner == null ? 1 : 0;
        }
        return count;
    }
}
