package io.rproxy.harness;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Plain redis-servers shared by the tests of one class, as a JUnit extension: they start before the class's first
 * test and stop after its last, and none is left running when a start fails halfway. For a class whose tests each
 * start their own proxy over the same servers; register it on a static field:
 *
 * <pre>{@code @RegisterExtension static final RedisServers backends = RedisServers.of(2);}</pre>
 *
 * <p>They are numbered from 1, as {@link RunningProxy#startPool} names servers: {@code backends.redis(1)} is the
 * one such a pool calls redis1.
 */
public final class RedisServers implements BeforeAllCallback, AfterAllCallback {
    private final int count;
    private List<RedisServer> started;

    private RedisServers(int count) {
        this.count = count;
    }

    public static RedisServers of(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one server, not " + count);
        }
        return new RedisServers(count);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        List<RedisServer> servers = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                servers.add(RedisServer.start());
            }
        } catch (RuntimeException e) {
            RuntimeException closing = closeAll(servers);
            if (closing != null) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        started = List.copyOf(servers);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<RedisServer> servers = started;
        started = null;
        RuntimeException closing = servers == null ? null : closeAll(servers);
        if (closing != null) {
            throw closing;
        }
    }

    /** Closes every server, the last started first, even when one fails; that failure, the others suppressed. */
    private static RuntimeException closeAll(List<RedisServer> servers) {
        RuntimeException failure = null;
        for (RedisServer server : servers.reversed()) {
            try {
                server.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    private List<RedisServer> started() {
        if (started == null) {
            throw new IllegalStateException("RedisServers is used outside the tests of the class it serves");
        }
        return started;
    }

    /** The server numbered {@code number}, from 1. */
    public RedisServer redis(int number) {
        List<RedisServer> servers = started();
        if (number < 1 || number > servers.size()) {
            throw new IllegalArgumentException("no redis" + number + ": the servers are redis1 to redis"
                    + servers.size());
        }
        return servers.get(number - 1);
    }

    /** Every server, in number order. */
    public RedisServer[] all() {
        return started().toArray(RedisServer[]::new);
    }

    /** Empties every server, so that a test starts from nothing. */
    public void flushAll() {
        started().forEach(RedisServer::flushAll);
    }
}
