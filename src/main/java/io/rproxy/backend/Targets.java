package io.rproxy.backend;

import io.rproxy.resp.Reply;
import io.rproxy.routing.SlotMap;
import java.util.List;
import java.util.Optional;

/**
 * Where a pool's requests go: the one question the dispatcher asks, answered by a pool of independent servers
 * ({@link ShardedServers}: twemproxy's hash and distribution over configured servers) and by a Redis Cluster
 * ({@code cluster.Cluster}: hash slots and their masters). A <em>target</em> is an int that only its
 * implementation interprets (a server's index, or a hash slot); callers compare targets to tell whether keys
 * live together, and hand them back to {@link #send}. Nothing above this interface branches on the kind of pool.
 *
 * <p>Called on client threads, concurrently; implementations keep their own routing state safe to read.
 */
public interface Targets {
    /** What {@link #of} returns when no live server can take the key. */
    int NONE = -1;

    /** The target of the key at {@code frame[offset, offset + length)}; {@link #NONE} when none is live. */
    int of(byte[] frame, int offset, int length);

    /**
     * A target for a command every server answers alike (COMMAND DOCS, help texts): spread over the pool by the
     * client's id, and the same for one client.
     */
    int any(long clientId);

    /**
     * Sends {@code frame} to the target, as the sender's next request there.
     *
     * @param sender the client: its requests to one server share a connection, and so stay in order
     */
    PendingReply send(int target, byte[] frame, Sender sender);

    /**
     * A connection to the server of {@code target} for the caller alone (a sharded pool's server, a cluster
     * slot's master), for state that must not touch a shared connection; the caller releases it.
     *
     * @throws BackendException naming the server when none can be had (down, or all in use)
     */
    DedicatedConnection lease(int target);

    /**
     * A dedicated connection to {@code fromHost} had a request redirected ({@code -MOVED slot host:port} from a
     * cluster node): the pool learns where the slot lives now, as it does from a redirection on a shared
     * connection. Nothing for a pool that is not a cluster.
     */
    default void redirected(Reply reply, String fromHost) {
    }

    /** How errors name a target: the server ({@code redis2 (127.0.0.1:6380)}), or a cluster pool's slot. */
    String describe(int target);

    /**
     * One target per server of the pool, for commands every server must run (FLUSHDB, SCRIPT LOAD, SCAN): a
     * sharded pool's configured servers, ejected ones included (a command for the whole pool fails, naming them,
     * rather than quietly skip the keys they hold), in configuration order; a cluster pool's masters now, one slot
     * each, in slot map order.
     */
    List<Integer> everyTarget();

    /**
     * The target that stands for the server of {@code target}: the same for every target on one server, and one
     * of {@link #everyTarget}, so that a client subscribing to channels keeps one subscriber connection per
     * server. A sharded pool's target is its server already; a cluster pool's is the first slot of the slot's
     * master.
     */
    default int serverTarget(int target) {
        return target;
    }

    /**
     * Whether a pattern's message (pmessage) that {@code target}, one of {@link #everyTarget} where patterns are
     * subscribed, pushed for {@code channel} is the one copy to pass on. A sharded pool's server pushes only what
     * was published on it; a cluster broadcasts every PUBLISH to every node, so each master pushes a copy and only
     * the channel's own master's passes (its PUBLISH reply counts that subscriber, as one server's would).
     */
    default boolean passesPatternMessage(int target, byte[] channel) {
        return true;
    }

    /** How errors name the server of one of {@link #everyTarget}: the server, or a cluster master and its slot. */
    default String describeServer(int target) {
        return describe(target);
    }

    /** The error for keys of one command that live on different targets, in the pool kind's own wording. */
    Reply crossSlot();

    /** The servers requests are sent to now, in configuration (or slot map) order. */
    List<BackendServer> servers();

    /** A cluster pool's slot map as last read; empty for other pools. */
    default Optional<SlotMap> slotMap() {
        return Optional.empty();
    }

    /** Connects to every server now (preconnect at start or LOAD), where the pool asks for it. */
    void preconnect();

    /** Closes every backend connection for good. */
    void close(String reason);
}
