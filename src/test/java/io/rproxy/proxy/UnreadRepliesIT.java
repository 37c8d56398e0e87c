package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.backend.BackendServer;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.resp.RespCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Issue 12 item 6: clients that pipeline big replies and never read them must not take the proxy down. The
 * replies buffered for a client are bounded in bytes (held back, or disconnected past the limit as Redis does),
 * other clients are answered promptly throughout, and a client pipelining big requests is bounded too.
 */
class UnreadRepliesIT {
    private static final String POOL = RunningProxy.POOL;
    private static final int MB = 1 << 20;
    /** Replies of 1 MB each per client that never reads: 300 MB unbounded, two clients 600 MB. */
    private static final int DEPTH = 300;
    private static final String LIMITS = "client_output_buffer_limit = \"4mb\"";
    /** Well above what two clients may hold within their limits, well below what they would hold without. */
    private static final long HEAP_GROWTH_BOUND = 200L * MB;

    @Test
    void clientsThatNeverReadBigRepliesAreHeldBackAndOthersAreServed() throws Exception {
        try (RedisServer redis = RedisServer.start(); RunningProxy proxy = RunningProxy.startPool(LIMITS, redis);
             Jedis bystander = proxy.jedis()) {
            seed(redis);
            long heapBefore = heapAfterGc();
            List<Socket> hogs = List.of(hog(proxy, 0), hog(proxy, 0));
            try {
                assertServedPromptlyFor(bystander, Duration.ofSeconds(3));
                long growth = heapAfterGc() - heapBefore;
                System.out.println("two clients not reading " + DEPTH + " x 1 MB: heap grew " + growth / MB
                        + " MB, replies held " + proxy.proxy().clientOutputBytes() / MB + " MB");
                assertTrue(growth < HEAP_GROWTH_BOUND, "heap grew by " + growth / MB + " MB");
                assertTrue(proxy.proxy().clientOutputBytes() <= 2 * 5L * MB,
                        "replies held: " + proxy.proxy().clientOutputBytes());
            } finally {
                closeAll(hogs);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.proxy().clientOutputBytes() == 0);
            assertServedPromptlyFor(bystander, Duration.ofMillis(300));
        }
    }

    /**
     * A client whose first replies were small has many requests in flight before the big ones land: past its
     * limit it is disconnected, counted, and its remaining replies are dropped while the connection stays aligned.
     */
    @Test
    void aClientPastItsLimitIsDisconnectedAndOthersAreServed() throws Exception {
        try (RedisServer redis = RedisServer.start(); RunningProxy proxy = RunningProxy.startPool(LIMITS, redis);
             Jedis bystander = proxy.jedis()) {
            seed(redis);
            long heapBefore = heapAfterGc();
            List<Socket> hogs = List.of(hog(proxy, 20), hog(proxy, 20));
            try {
                PoolStats stats = proxy.proxy().pools().getFirst().stats();
                await().atMost(Duration.ofSeconds(20)).until(() -> stats.outputLimitDisconnections() == 2);
                for (Socket hog : hogs) {
                    assertTrue(closedByProxy(hog), "a disconnected client reads end of stream");
                }
                assertServedPromptlyFor(bystander, Duration.ofSeconds(2));
                long growth = heapAfterGc() - heapBefore;
                System.out.println("two clients past their limit: heap grew " + growth / MB + " MB");
                assertTrue(growth < HEAP_GROWTH_BOUND, "heap grew by " + growth / MB + " MB");
                assertEquals(0, proxy.proxy().clientOutputBytes());
                assertEquals(0, stats.evictedClients());
            } finally {
                closeAll(hogs);
            }
        }
    }

    @Test
    void theTotalForAllClientsIsBoundedToo() throws Exception {
        String keys = "[limits]\nmaxmemory_clients = \"6mb\"\n";
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.start(keys + RunningProxy.poolToml(POOL,
                     io.rproxy.harness.FreePorts.pick(), "client_output_buffer_limit = 0",
                     List.of("\"" + redis.address() + ":1 redis1\"")));
             Jedis bystander = proxy.jedis()) {
            seed(redis);
            List<Socket> hogs = List.of(hog(proxy, 20), hog(proxy, 20));
            try {
                PoolStats stats = proxy.proxy().pools().getFirst().stats();
                await().atMost(Duration.ofSeconds(20)).until(() -> stats.evictedClients() >= 1);
                assertServedPromptlyFor(bystander, Duration.ofSeconds(1));
                assertTrue(proxy.proxy().clientOutputBytes() <= 8L * MB,
                        "replies held: " + proxy.proxy().clientOutputBytes());
            } finally {
                closeAll(hogs);
            }
        }
    }

    /**
     * A pipeline that arrives in one read, into a paused server: the session stops reading at its
     * client_query_buffer_limit of request bytes awaiting replies (4 kB: four SETs of 1000 bytes) rather than
     * dispatch all twelve. On loopback a session more often stops first because its next read would block (it
     * settles then); the limit is what holds while input keeps coming, as here.
     */
    @Test
    void aClientPipeliningRequestsHasABoundedAmountOutstanding() throws Exception {
        int count = 12;
        try (RedisServer redis = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("client_query_buffer_limit = \"4kb\"", redis);
             Socket client = new Socket("127.0.0.1", proxy.port())) {
            BackendServer server = proxy.proxy().servers(POOL).getFirst();
            client.setSoTimeout(30_000);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            // One frame of 15 kB first: the session's read buffer grows to hold it, and then the whole pipeline.
            out.write(RespCommand.of("SET", "grow", "x".repeat(15_000)).frame());
            assertEquals("+OK\r\n", new String(in.readNBytes(5)));
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            for (int i = 0; i < count; i++) {
                pipeline.write(RespCommand.of("SET", "k:" + i, "v".repeat(1000)).frame());
            }
            redis.pause();
            try {
                out.write(pipeline.toByteArray());
                out.flush();
                await().atMost(Duration.ofSeconds(10)).until(() -> outstanding(server) > 0);
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                        .until(() -> outstanding(server) == 4);
            } finally {
                redis.resume();
            }
            assertEquals("+OK\r\n".repeat(count), new String(in.readNBytes(5 * count)));
        }
    }

    private static long outstanding(BackendServer server) {
        return server.stats().queued() + server.stats().inFlight();
    }

    private static void seed(RedisServer redis) {
        try (Jedis direct = redis.jedis()) {
            direct.set("big".getBytes(), new byte[MB]);
            direct.set("small", "s");
        }
    }

    /**
     * A client that reads the replies to {@code primed} small GETs, then pipelines {@link #DEPTH} GETs of the big
     * value and reads nothing more. Its receive buffer is small, so the kernel takes little off the proxy.
     */
    private static Socket hog(RunningProxy proxy, int primed) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()));
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        for (int i = 0; i < primed; i++) {
            out.write(RespCommand.of("GET", "small").frame());
            out.flush();
            assertEquals("$1\r\ns\r\n", new String(in.readNBytes(7)));
        }
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < DEPTH; i++) {
            pipeline.write(RespCommand.of("GET", "big").frame());
        }
        out.write(pipeline.toByteArray());
        out.flush();
        return socket;
    }

    /** Over {@code period}, a small GET now and then, each answered within a second. */
    private static void assertServedPromptlyFor(Jedis client, Duration period) {
        List<Long> millis = new ArrayList<>();
        long end = System.nanoTime() + period.toNanos();
        do {
            long start = System.nanoTime();
            assertEquals("s", client.get("small"));
            millis.add((System.nanoTime() - start) / 1_000_000);
            await().pollDelay(Duration.ofMillis(50)).until(() -> true);
        } while (System.nanoTime() < end);
        System.out.println("a third client's GET took (ms): " + millis);
        assertTrue(millis.stream().allMatch(ms -> ms < 1000), millis::toString);
    }

    /** Whether the proxy closed the connection: its unread replies end, then end of stream or a reset. */
    private static boolean closedByProxy(Socket socket) {
        try {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[64 * 1024];
            while (in.read(chunk) >= 0) {
                // what was in the kernel's buffers before the close
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private static long heapAfterGc() {
        ManagementFactory.getMemoryMXBean().gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
