package io.rproxy.config;

import io.rproxy.routing.Distribution;
import io.rproxy.routing.HashFunction;
import io.rproxy.routing.HashTag;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code [pools.NAME]} table, with twemproxy's keys and defaults (see conf/rproxy.example.toml).
 *
 * <p>The constructor checks what must hold whoever builds a pool; rules that only make sense for a file (a
 * listener on port 0, listen addresses shared between pools, repeated servers) are the loader's business,
 * so that tests may still build a pool on an ephemeral port.
 *
 * @param timeout            per-request deadline; empty means wait forever, as twemproxy does
 * @param serverRetryTimeout how long an ejected server stays out of the distribution
 * @param cluster            the servers are seed nodes of one Redis Cluster, whose slot map decides where keys go
 *                           (hash, distribution, hash_tag and weights do not apply)
 * @param clientConnections  the most clients the pool serves at once (twemproxy's client_connections); a client
 *                           beyond it is closed as soon as it is accepted; 0 for no limit, the default
 * @param clientOutputBufferLimit bytes of replies one client may leave unread before it is disconnected, as
 *                           Redis's client-output-buffer-limit; 0 for no limit
 * @param clientQueryBufferLimit  bytes of requests one client may have awaiting replies before rproxy stops
 *                           reading it until they are answered (backpressure, not a disconnect); 0 for no limit
 * @param denyCommands       commands the pool refuses (deny_commands), lower-case full names as the command table
 *                           spells them ({@code flushall}, {@code config|get}); a container ({@code script}) stands
 *                           for all its subcommands
 * @param maxDedicatedConnections dedicated connections (transactions, WATCH, blocking commands) one server may
 *                           have leased at once; a lease past it is refused at once with an error
 * @param sentinel           the pool's servers are masters that Redis Sentinel names ({@code sentinels}); then
 *                           {@code servers} is empty and the masters are in it
 * @param tls                TLS towards the pool's clients and towards its servers ({@link PoolTls#NONE}: neither)
 */
public record PoolConfig(
        String name,
        HostPort listen,
        HashFunction hash,
        Optional<HashTag> hashTag,
        Distribution distribution,
        Optional<Duration> timeout,
        int backlog,
        Optional<String> redisAuth,
        int redisDb,
        boolean preconnect,
        int serverConnections,
        boolean autoEjectHosts,
        Duration serverRetryTimeout,
        int serverFailureLimit,
        boolean tcpKeepalive,
        boolean reusePort,
        List<ServerSpec> servers,
        boolean cluster,
        int clientConnections,
        long clientOutputBufferLimit,
        long clientQueryBufferLimit,
        Set<String> denyCommands,
        int maxDedicatedConnections,
        Optional<SentinelConfig> sentinel,
        PoolTls tls) {

    public static final HashFunction DEFAULT_HASH = HashFunction.FNV1A_64;
    public static final Distribution DEFAULT_DISTRIBUTION = Distribution.KETAMA;
    public static final int DEFAULT_BACKLOG = 512;
    public static final int DEFAULT_REDIS_DB = 0;
    public static final int DEFAULT_SERVER_CONNECTIONS = 1;
    public static final Duration DEFAULT_SERVER_RETRY_TIMEOUT = Duration.ofMillis(30_000);
    public static final int DEFAULT_SERVER_FAILURE_LIMIT = 2;
    /** twemproxy's default: no limit of its own (the file descriptor limit still applies). */
    public static final int DEFAULT_CLIENT_CONNECTIONS = 0;
    /** 64 MB: a client that leaves this much unread is not reading (Redis's pubsub clients get 32 MB). */
    public static final long DEFAULT_CLIENT_OUTPUT_BUFFER_LIMIT = 64L << 20;
    /** 64 MB: eight 8 MB values in flight per client keep an upload busy, and bound what it holds. */
    public static final long DEFAULT_CLIENT_QUERY_BUFFER_LIMIT = 64L << 20;
    /** 64 per server: a few dozen workers blocked at once, while a client gone astray cannot open thousands. */
    public static final int DEFAULT_MAX_DEDICATED_CONNECTIONS = 64;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    public PoolConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(hashTag, "hashTag");
        Objects.requireNonNull(distribution, "distribution");
        Objects.requireNonNull(redisAuth, "redisAuth");
        Objects.requireNonNull(tls, "tls");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("pool name '" + name + "' must match [A-Za-z0-9_-]+");
        }
        timeout.ifPresent(t -> requirePositive(t, "timeout"));
        requirePositive(serverRetryTimeout, "serverRetryTimeout");
        requireAtLeast(backlog, 1, "backlog");
        requireAtLeast(redisDb, 0, "redisDb");
        requireAtLeast(serverConnections, 1, "serverConnections");
        requireAtLeast(serverFailureLimit, 1, "serverFailureLimit");
        requireAtLeast(clientConnections, 0, "clientConnections");
        requireAtLeast(maxDedicatedConnections, 1, "maxDedicatedConnections");
        if (clientOutputBufferLimit < 0 || clientQueryBufferLimit < 0) {
            throw new IllegalArgumentException("client buffer limits must be >= 0 (0 for none), got "
                    + clientOutputBufferLimit + " and " + clientQueryBufferLimit);
        }
        if (redisAuth.isPresent() && redisAuth.get().isEmpty()) {
            throw new IllegalArgumentException("redisAuth must not be empty; leave it out for no password");
        }
        servers = List.copyOf(servers);
        denyCommands = Set.copyOf(denyCommands);
        Objects.requireNonNull(sentinel, "sentinel");
        if (servers.isEmpty() && sentinel.isEmpty()) {
            throw new IllegalArgumentException("pool '" + name + "' has no servers");
        }
        if (sentinel.isPresent() && (!servers.isEmpty() || cluster || autoEjectHosts)) {
            throw new IllegalArgumentException("pool '" + name + "': a Sentinel pool's servers are its masters; it"
                    + " lists no addresses, is no cluster and ejects no master");
        }
    }

    /** A pool whose servers are at fixed addresses (no {@code sentinels}), without TLS. */
    public PoolConfig(String name, HostPort listen, HashFunction hash, Optional<HashTag> hashTag,
                      Distribution distribution, Optional<Duration> timeout, int backlog, Optional<String> redisAuth,
                      int redisDb, boolean preconnect, int serverConnections, boolean autoEjectHosts,
                      Duration serverRetryTimeout, int serverFailureLimit, boolean tcpKeepalive, boolean reusePort,
                      List<ServerSpec> servers, boolean cluster, int clientConnections, long clientOutputBufferLimit,
                      long clientQueryBufferLimit, Set<String> denyCommands, int maxDedicatedConnections) {
        this(name, listen, hash, hashTag, distribution, timeout, backlog, redisAuth, redisDb, preconnect,
                serverConnections, autoEjectHosts, serverRetryTimeout, serverFailureLimit, tcpKeepalive, reusePort,
                servers, cluster, clientConnections, clientOutputBufferLimit, clientQueryBufferLimit, denyCommands,
                maxDedicatedConnections, Optional.empty(), PoolTls.NONE);
    }

    /** A pool that refuses no command of its own (no {@code deny_commands}), with the default bound on dedicated
     * connections. */
    public PoolConfig(String name, HostPort listen, HashFunction hash, Optional<HashTag> hashTag,
                      Distribution distribution, Optional<Duration> timeout, int backlog, Optional<String> redisAuth,
                      int redisDb, boolean preconnect, int serverConnections, boolean autoEjectHosts,
                      Duration serverRetryTimeout, int serverFailureLimit, boolean tcpKeepalive, boolean reusePort,
                      List<ServerSpec> servers, boolean cluster, int clientConnections, long clientOutputBufferLimit,
                      long clientQueryBufferLimit) {
        this(name, listen, hash, hashTag, distribution, timeout, backlog, redisAuth, redisDb, preconnect,
                serverConnections, autoEjectHosts, serverRetryTimeout, serverFailureLimit, tcpKeepalive, reusePort,
                servers, cluster, clientConnections, clientOutputBufferLimit, clientQueryBufferLimit, Set.of(),
                DEFAULT_MAX_DEDICATED_CONNECTIONS);
    }

    /** A pool with the default client buffer limits. */
    public PoolConfig(String name, HostPort listen, HashFunction hash, Optional<HashTag> hashTag,
                      Distribution distribution, Optional<Duration> timeout, int backlog, Optional<String> redisAuth,
                      int redisDb, boolean preconnect, int serverConnections, boolean autoEjectHosts,
                      Duration serverRetryTimeout, int serverFailureLimit, boolean tcpKeepalive, boolean reusePort,
                      List<ServerSpec> servers, boolean cluster, int clientConnections) {
        this(name, listen, hash, hashTag, distribution, timeout, backlog, redisAuth, redisDb, preconnect,
                serverConnections, autoEjectHosts, serverRetryTimeout, serverFailureLimit, tcpKeepalive, reusePort,
                servers, cluster, clientConnections, DEFAULT_CLIENT_OUTPUT_BUFFER_LIMIT,
                DEFAULT_CLIENT_QUERY_BUFFER_LIMIT);
    }

    /** A pool of independent servers, placed by hash and distribution as twemproxy places them. */
    public PoolConfig(String name, HostPort listen, HashFunction hash, Optional<HashTag> hashTag,
                      Distribution distribution, Optional<Duration> timeout, int backlog, Optional<String> redisAuth,
                      int redisDb, boolean preconnect, int serverConnections, boolean autoEjectHosts,
                      Duration serverRetryTimeout, int serverFailureLimit, boolean tcpKeepalive, boolean reusePort,
                      List<ServerSpec> servers) {
        this(name, listen, hash, hashTag, distribution, timeout, backlog, redisAuth, redisDb, preconnect,
                serverConnections, autoEjectHosts, serverRetryTimeout, serverFailureLimit, tcpKeepalive, reusePort,
                servers, false, DEFAULT_CLIENT_CONNECTIONS);
    }

    /** A pool without a client limit. */
    public PoolConfig(String name, HostPort listen, HashFunction hash, Optional<HashTag> hashTag,
                      Distribution distribution, Optional<Duration> timeout, int backlog, Optional<String> redisAuth,
                      int redisDb, boolean preconnect, int serverConnections, boolean autoEjectHosts,
                      Duration serverRetryTimeout, int serverFailureLimit, boolean tcpKeepalive, boolean reusePort,
                      List<ServerSpec> servers, boolean cluster) {
        this(name, listen, hash, hashTag, distribution, timeout, backlog, redisAuth, redisDb, preconnect,
                serverConnections, autoEjectHosts, serverRetryTimeout, serverFailureLimit, tcpKeepalive, reusePort,
                servers, cluster, DEFAULT_CLIENT_CONNECTIONS);
    }

    /** Whether {@code name} may name a pool: letters, digits, '_' and '-', as it appears in stats and logs. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private static void requirePositive(Duration d, String what) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be > 0, got " + d);
        }
    }

    private static void requireAtLeast(int value, int min, String what) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be >= " + min + ", got " + value);
        }
    }
}
