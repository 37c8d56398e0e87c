package io.rproxy.cluster;

import io.rproxy.RproxyException;
import io.rproxy.backend.BackendException;
import io.rproxy.backend.BackendRequest;
import io.rproxy.backend.BackendRuntime;
import io.rproxy.backend.BackendServer;
import io.rproxy.backend.DedicatedConnection;
import io.rproxy.backend.BackendSettings;
import io.rproxy.backend.NodeQuery;
import io.rproxy.backend.PendingReply;
import io.rproxy.backend.Sender;
import io.rproxy.backend.Targets;
import io.rproxy.config.HostPort;
import io.rproxy.config.ServerSpec;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.routing.ClusterSlot;
import io.rproxy.routing.SlotMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis Cluster behind one cluster pool: its slot map, one {@link BackendServer} per master it sends to, and
 * the keeping of both up to date. The map is read from the seeds when the pool is built (a seed that is not a
 * cluster node, or no seed answering, fails the configuration), refreshed on the {@code supervisor} thread every
 * {@link #REFRESH_EVERY} and soon after a redirection or a failed connection, and patched at once slot by slot
 * when a node answers MOVED.
 *
 * <p>Client threads send and follow redirections ({@link ClusterRequest}); the supervisor refreshes.
 */
public final class Cluster implements Targets {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);
    static final Duration REFRESH_EVERY = Duration.ofSeconds(2);
    /** Refreshes asked for by traffic are at most this often: a failover makes every client ask at once. */
    private static final long MIN_REFRESH_GAP_NANOS = Duration.ofMillis(100).toNanos();
    private static final RespCommand CLUSTER_SLOTS = RespCommand.of("CLUSTER", "SLOTS");
    /** What a Redis Cluster node itself answers. */
    private static final Reply CROSSSLOT = Reply.error("CROSSSLOT Keys in request don't hash to the same slot");

    private final String pool;
    private final List<ServerSpec> seeds;
    private final BackendSettings settings;
    private final BackendRuntime runtime;
    private final int connectionsPerNode;
    /** The master of each slot: replaced whole by a refresh, one slot at a time by MOVED. */
    private final AtomicReferenceArray<HostPort> owners = new AtomicReferenceArray<>(ClusterSlot.COUNT);
    /** Connections to every node requests may be sent to; entries added by any thread, removed under refreshLock. */
    private final Map<HostPort, BackendServer> nodes = new ConcurrentHashMap<>();
    /** Guards installing a map and closing the nodes it dropped, so two refreshes cannot interleave. */
    private final ReentrantLock refreshLock = new ReentrantLock();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private volatile long lastRefreshNanos;
    private volatile SlotMap map;
    private volatile boolean closed;

    /**
     * Reads the slot map from the seeds.
     *
     * @throws RproxyException naming the seed that is not a cluster node, or every seed when none answered
     */
    public Cluster(String pool, List<ServerSpec> seeds, BackendSettings settings, BackendRuntime runtime,
                   int connectionsPerNode) {
        this.pool = pool;
        this.seeds = List.copyOf(seeds);
        this.settings = settings;
        this.runtime = runtime;
        this.connectionsPerNode = connectionsPerNode;
        install(firstMap());
        runtime.supervise(this::periodicRefresh, REFRESH_EVERY);
    }

    private SlotMap firstMap() {
        SlotMap first = null;
        List<String> unreachable = new ArrayList<>();
        for (ServerSpec seed : seeds) {
            Reply reply;
            try {
                reply = NodeQuery.ask(seed, settings, CLUSTER_SLOTS);
            } catch (BackendException e) {
                unreachable.add(e.getMessage());
                continue;
            }
            if (reply.isError()) {
                String why = reply.errorMessage().contains("cluster support disabled")
                        ? "is not a Redis Cluster node (cluster_enabled:0)" : "answered CLUSTER SLOTS with -"
                        + reply.errorMessage();
                throw new RproxyException("pool '" + pool + "': seed " + seed.address() + " " + why + ": "
                        + reply.errorMessage());
            }
            try {
                SlotMap parsed = SlotMap.parse(reply, seed.address().host());
                first = first == null ? parsed : first;
            } catch (IllegalArgumentException e) {
                throw new RproxyException("pool '" + pool + "': seed " + seed.address() + " sent a slot map rproxy"
                        + " cannot read: " + e.getMessage(), e);
            }
        }
        if (first == null) {
            throw new RproxyException("pool '" + pool + "': no seed node of the cluster answered: "
                    + String.join("; ", unreachable));
        }
        return first;
    }

    /** A cluster pool's target is the key's hash slot. */
    @Override
    public int of(byte[] frame, int offset, int length) {
        return ClusterSlot.of(frame, offset, length);
    }

    @Override
    public int any(long clientId) {
        return (int) Math.floorMod(clientId, (long) ClusterSlot.COUNT);
    }

    @Override
    public String describe(int slot) {
        return "slot " + slot;
    }

    /** The first slot of each master of the map last read: a keyless command sent there runs on that master. */
    @Override
    public List<Integer> everyTarget() {
        List<Integer> slots = new ArrayList<>();
        for (SlotMap.Node node : map.nodes()) {
            if (node.role() == SlotMap.Role.MASTER && !node.slots().isEmpty()) {
                slots.add(node.slots().getFirst().first());
            }
        }
        return slots;
    }

    @Override
    public int serverTarget(int slot) {
        HostPort owner = owner(slot);
        for (SlotMap.Node node : map.nodes()) {
            if (node.role() == SlotMap.Role.MASTER && node.address().equals(owner) && !node.slots().isEmpty()) {
                return node.slots().getFirst().first();
            }
        }
        return slot; // no master known for it: the lease names the slot's trouble
    }

    @Override
    public boolean passesPatternMessage(int target, byte[] channel) {
        return serverTarget(ClusterSlot.of(channel, 0, channel.length)) == target;
    }

    @Override
    public String describeServer(int slot) {
        return "master " + owner(slot) + " (slot " + slot + ")";
    }

    @Override
    public Reply crossSlot() {
        return CROSSSLOT;
    }

    /** The map last read from the cluster (MOVED patches are not in it until the next refresh). */
    @Override
    public Optional<SlotMap> slotMap() {
        return Optional.of(map);
    }

    /** Connects to every master now (the pool's start, or a LOAD): a cluster pool always preconnects. */
    @Override
    public void preconnect() {
        for (HostPort master : map.masters()) {
            node(master).preconnect();
        }
    }

    /** Sends a keyed request to the master of {@code slot}, following redirections when its reply is awaited. */
    @Override
    public PendingReply send(int slot, byte[] frame, Sender sender) {
        return new ClusterRequest(this, slot, frame, sender);
    }

    /** A dedicated connection to the master of {@code slot} as the map (and MOVED patches) know it now. */
    @Override
    public DedicatedConnection lease(int slot) {
        HostPort master = owner(slot);
        if (master == null) {
            throw new BackendException("slot " + slot + " has no master in the slot map");
        }
        return node(master).dedicated().lease();
    }

    @Override
    public void redirected(Reply reply, String fromHost) {
        Redirect redirect = Redirect.of(reply, fromHost);
        if (redirect != null && redirect.kind() == Redirect.Kind.MOVED) {
            moved(redirect.slot(), redirect.to());
        }
    }

    HostPort owner(int slot) {
        return owners.get(slot);
    }

    /** Sends {@code frame} to the node at {@code address}, connecting to it first if it is new. */
    BackendRequest sendTo(HostPort address, byte[] frame, int leadingReplies, Sender sender) {
        BackendRequest request = new BackendRequest(frame, leadingReplies);
        node(address).send(request, sender);
        return request;
    }

    private BackendServer node(HostPort address) {
        BackendServer node = nodes.get(address);
        if (node != null) {
            return node;
        }
        BackendServer created = nodes.computeIfAbsent(address, a -> new BackendServer(pool, ServerSpec.node(a),
                connectionsPerNode, settings, runtime, () -> { }));
        if (closed) {
            // A request or preconnect raced close(), which may have closed and cleared the nodes before this one
            // was added: nobody else would ever close it. Closed (again, harmlessly), it fails requests fast.
            nodes.remove(address, created);
            created.close("the cluster behind pool '" + pool + "' is closed");
        }
        return created;
    }

    /** A node said MOVED: the slot is served there from now on, and the rest of the map may have moved too. */
    void moved(int slot, HostPort to) {
        owners.set(slot, to);
        refreshSoon();
    }

    /** Asks the supervisor for a refresh, unless one is queued or one ran a moment ago. */
    void refreshSoon() {
        if (closed || System.nanoTime() - lastRefreshNanos < MIN_REFRESH_GAP_NANOS) {
            return;
        }
        if (refreshQueued.compareAndSet(false, true)) {
            runtime.supervise(() -> {
                refreshQueued.set(false);
                refresh();
            }, Duration.ZERO);
        }
    }

    private void periodicRefresh() {
        if (closed) {
            return;
        }
        try {
            refresh();
        } finally {
            runtime.supervise(this::periodicRefresh, REFRESH_EVERY);
        }
    }

    /** Supervisor thread: asks the known masters, then the seeds, until one answers with a map. */
    void refresh() {
        lastRefreshNanos = System.nanoTime();
        Set<HostPort> candidates = new LinkedHashSet<>(map.masters());
        map.nodes().forEach(n -> candidates.add(n.address()));
        seeds.forEach(s -> candidates.add(s.address()));
        for (HostPort candidate : candidates) {
            if (closed) {
                return;
            }
            try {
                Reply reply = NodeQuery.ask(ServerSpec.node(candidate), settings, CLUSTER_SLOTS);
                SlotMap fresh = SlotMap.parse(reply, candidate.host());
                if (fresh.masters().isEmpty()) {
                    continue;
                }
                install(fresh);
                return;
            } catch (RproxyException | IllegalArgumentException e) {
                log.debug("pool '{}': no slot map from {}: {}", pool, candidate, e.getMessage());
            }
        }
        log.warn("pool '{}': no node of the cluster answered CLUSTER SLOTS; keeping the last map", pool);
    }

    private void install(SlotMap fresh) {
        refreshLock.lock();
        try {
            if (closed) {
                return;
            }
            SlotMap previous = map;
            map = fresh;
            for (int slot = 0; slot < owners.length(); slot++) {
                owners.set(slot, fresh.owner(slot));
            }
            Set<HostPort> masters = new LinkedHashSet<>(fresh.masters());
            masters.forEach(this::node);
            for (HostPort gone : List.copyOf(nodes.keySet())) {
                if (!masters.contains(gone)) {
                    BackendServer node = nodes.remove(gone);
                    if (node != null) {
                        node.close("no longer a master of the cluster behind pool '" + pool + "'");
                    }
                }
            }
            if (previous != null && !previous.masters().equals(fresh.masters())) {
                log.info("pool '{}': cluster masters now {}", pool, fresh.masters());
            }
        } finally {
            refreshLock.unlock();
        }
    }

    /** The masters requests are sent to now, in the map's order. */
    @Override
    public List<BackendServer> servers() {
        List<BackendServer> servers = new ArrayList<>();
        for (HostPort master : map.masters()) {
            BackendServer node = nodes.get(master);
            if (node != null) {
                servers.add(node);
            }
        }
        return servers;
    }

    /** Closes every node connection for good and stops refreshing. */
    @Override
    public void close(String reason) {
        refreshLock.lock();
        try {
            closed = true;
            nodes.values().forEach(n -> n.close(reason));
            nodes.clear();
        } finally {
            refreshLock.unlock();
        }
    }

    String pool() {
        return pool;
    }
}
