package io.rproxy.cluster;

import io.rproxy.backend.BackendRequest;
import io.rproxy.backend.PendingReply;
import io.rproxy.backend.ProxyError;
import io.rproxy.backend.Sender;
import io.rproxy.config.HostPort;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * One keyed request to a cluster pool. Sent at once to the slot's master; when its reply is awaited (on the
 * client's own thread, in request order) a redirection is followed instead of handed to the client: MOVED is
 * sent again to the named node (and the map patched), ASK is sent there once preceded by ASKING in the same frame,
 * TRYAGAIN is sent again after a short pause. At most {@link #MAX_REDIRECTIONS}; a client never sees MOVED or ASK.
 * A failed connection asks for a map refresh, and is retried if the slot has a new master by then.
 */
final class ClusterRequest implements PendingReply {
    static final int MAX_REDIRECTIONS = 5;
    private static final byte[] ASKING = "*1\r\n$6\r\nASKING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long TRYAGAIN_PAUSE_NANOS = Duration.ofMillis(25).toNanos();

    private final Cluster cluster;
    private final int slot;
    private final byte[] frame;
    private final Sender sender;
    private HostPort target;
    private BackendRequest current;

    ClusterRequest(Cluster cluster, int slot, byte[] frame, Sender sender) {
        this.cluster = cluster;
        this.slot = slot;
        this.frame = frame;
        this.sender = sender;
        this.target = cluster.owner(slot);
        if (target != null) {
            current = cluster.sendTo(target, frame, 0, sender);
        }
    }

    /** The reply of the request sent last came misaligned: its connection is closed, as for any request. */
    @Override
    public void misaligned(String why) {
        if (current != null) {
            current.misaligned(why);
        }
    }

    @Override
    public Reply await() {
        for (int redirections = 0; ; redirections++) {
            if (current == null) {
                cluster.refreshSoon();
                return Reply.error("CLUSTERDOWN rproxy: hash slot " + slot + " is not served by any node of the"
                        + " cluster behind pool '" + cluster.pool() + "'");
            }
            // A resend (follow, retargeted) is only queued until this flush; the first send the session flushed.
            sender.writes().flush();
            Reply reply = current.await();
            Redirect redirect = Redirect.of(reply, target.host());
            if (redirect == null && !isConnectionFailure(reply)) {
                return reply;
            }
            if (redirections >= MAX_REDIRECTIONS) {
                return redirect == null ? reply : ProxyError.of("slot " + slot + " was redirected more"
                        + " than " + MAX_REDIRECTIONS + " times; last: " + reply.errorMessage());
            }
            if (redirect == null && !retargeted()) {
                return reply;
            }
            if (redirect != null) {
                follow(redirect);
            }
        }
    }

    private static boolean isConnectionFailure(Reply reply) {
        return ProxyError.isProxyMade(reply);
    }

    /**
     * The node could not be reached or its connection failed: the map is probably stale (a failover). When the
     * slot has another master by now the request is sent there (as cluster clients do, it may then run twice if
     * the lost connection had delivered it) and true is returned; otherwise the client gets the error.
     */
    private boolean retargeted() {
        cluster.refreshSoon();
        HostPort now = cluster.owner(slot);
        if (now == null || now.equals(target)) {
            return false;
        }
        target = now;
        current = cluster.sendTo(target, frame, 0, sender);
        return true;
    }

    private void follow(Redirect redirect) {
        switch (redirect.kind()) {
            case MOVED -> {
                cluster.moved(redirect.slot(), redirect.to());
                target = redirect.to();
                current = cluster.sendTo(target, frame, 0, sender);
            }
            case ASK -> {
                byte[] asking = new byte[ASKING.length + frame.length];
                System.arraycopy(ASKING, 0, asking, 0, ASKING.length);
                System.arraycopy(frame, 0, asking, ASKING.length, frame.length);
                target = redirect.to();
                current = cluster.sendTo(target, asking, 1, sender);
            }
            case TRYAGAIN -> {
                LockSupport.parkNanos(TRYAGAIN_PAUSE_NANOS);
                current = cluster.sendTo(target, frame, 0, sender);
            }
        }
    }
}
