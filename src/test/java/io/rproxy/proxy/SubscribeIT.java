package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.rproxy.harness.AgainstOneRedis;
import io.rproxy.harness.FreePorts;
import io.rproxy.harness.ProxiedServers;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import io.rproxy.harness.ScriptedBackend;
import io.rproxy.resp.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * SUBSCRIBE and UNSUBSCRIBE through rproxy over three servers: acknowledgements, messages, subscribed-mode errors
 * and PING byte for byte against one redis-server; Jedis and Lettuce subscribers; a client that leaves has its
 * subscriber connections closed (the servers' PUBSUB NUMSUB and INFO clients say so), over hundreds of cycles.
 */
class SubscribeIT {
    @RegisterExtension
    static final AgainstOneRedis setup = AgainstOneRedis.sharded(3, "hash_tag = \"{}\"\ntimeout = 2000");

    /** Channels that land on different servers of the pool (PubSubIT checks the placement). */
    private static final String[] CHANNELS = {"news", "sport", "weather", "alerts", "jobs", "orders"};

    /** Sends the command on both sides and checks that the next {@code replies} frames are the same bytes. */
    private static void same(RawClient viaProxy, RawClient viaDirect, int replies, String... command) {
        assertEquals(viaDirect.call(command), viaProxy.call(command), String.join(" ", command));
        for (int i = 1; i < replies; i++) {
            assertEquals(viaDirect.read(), viaProxy.read(), String.join(" ", command) + " frame " + i);
        }
    }

    @Test
    void acknowledgementsMessagesAndSubscribedModeAreRedis() {
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port());
             RawClient proxyPublisher = new RawClient(setup.proxy().port());
             RawClient directPublisher = new RawClient(setup.direct().port())) {
            same(viaProxy, viaDirect, 3, "SUBSCRIBE", "news", "sport", "weather");
            same(viaProxy, viaDirect, 2, "SUBSCRIBE", "alerts", "news");
            for (int m = 0; m < 20; m++) {
                String channel = CHANNELS[m % 4];
                assertEquals(directPublisher.call("PUBLISH", channel, "m" + m),
                        proxyPublisher.call("PUBLISH", channel, "m" + m));
                assertEquals(viaDirect.read(), viaProxy.read(), "message " + m);
            }
            same(viaProxy, viaDirect, 1, "PING");
            same(viaProxy, viaDirect, 1, "PING", "hi");
            same(viaProxy, viaDirect, 1, "GET", "x");
            same(viaProxy, viaDirect, 1, "SET", "x", "1");
            same(viaProxy, viaDirect, 2, "UNSUBSCRIBE", "sport", "nothere");
            same(viaProxy, viaDirect, 3, "UNSUBSCRIBE", "news", "weather", "alerts");
            same(viaProxy, viaDirect, 1, "UNSUBSCRIBE");
            same(viaProxy, viaDirect, 1, "PING"); // a normal connection again
            same(viaProxy, viaDirect, 1, "GET", "x");
        }
    }

    @Test
    void patternsAreSubscribedOnEveryServer() {
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port());
             RawClient proxyPublisher = new RawClient(setup.proxy().port());
             RawClient directPublisher = new RawClient(setup.direct().port())) {
            same(viaProxy, viaDirect, 2, "PSUBSCRIBE", "n*", "w*");
            same(viaProxy, viaDirect, 1, "SUBSCRIBE", "news");
            for (String channel : CHANNELS) {
                Reply receivers = directPublisher.call("PUBLISH", channel, "to " + channel);
                assertEquals(receivers, proxyPublisher.call("PUBLISH", channel, "to " + channel), channel);
                for (long m = 0; m < receivers.integer(); m++) {
                    assertEquals(viaDirect.read(), viaProxy.read(), channel + " frame " + m);
                }
            }
            same(viaProxy, viaDirect, 1, "PING");
            same(viaProxy, viaDirect, 2, "PUNSUBSCRIBE", "w*", "nope*");
            same(viaProxy, viaDirect, 1, "PUNSUBSCRIBE");
            same(viaProxy, viaDirect, 1, "GET", "x"); // still subscribed to news
            same(viaProxy, viaDirect, 1, "UNSUBSCRIBE");
            same(viaProxy, viaDirect, 1, "PUNSUBSCRIBE");
            same(viaProxy, viaDirect, 1, "GET", "x");
        }
    }

    @Test
    void shardChannelsAreCountedApart() {
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port());
             RawClient proxyPublisher = new RawClient(setup.proxy().port());
             RawClient directPublisher = new RawClient(setup.direct().port())) {
            same(viaProxy, viaDirect, 1, "SUBSCRIBE", "news");
            same(viaProxy, viaDirect, 3, "SSUBSCRIBE", "sport", "weather", "jobs");
            for (String channel : new String[] {"sport", "jobs", "weather"}) {
                assertEquals(directPublisher.call("SPUBLISH", channel, "s " + channel),
                        proxyPublisher.call("SPUBLISH", channel, "s " + channel));
                assertEquals(viaDirect.read(), viaProxy.read(), channel);
            }
            same(viaProxy, viaDirect, 1, "GET", "x");
            same(viaProxy, viaDirect, 2, "SUNSUBSCRIBE", "jobs", "nothere");
            same(viaProxy, viaDirect, 1, "UNSUBSCRIBE", "news");
            same(viaProxy, viaDirect, 1, "PING"); // shard channels still held: subscribed mode
            same(viaProxy, viaDirect, 2, "SUNSUBSCRIBE", "sport", "weather");
            same(viaProxy, viaDirect, 1, "SUNSUBSCRIBE");
            same(viaProxy, viaDirect, 1, "PING");
        }
    }

    @Test
    void aSubscriberThatNeverReadsIsDisconnectedAtItsOutputLimit() {
        try (ProxiedServers one = ProxiedServers.start(1, "timeout = 2000\nclient_output_buffer_limit = \"1mb\"");
             RawClient subscriber = new RawClient(one.proxy().port());
             Jedis publisher = one.proxy().jedis();
             Jedis server = one.redis()[0].jedis()) {
            subscriber.call("SUBSCRIBE", "firehose");
            String big = "x".repeat(64 * 1024);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                publisher.publish("firehose", big); // the subscriber never reads
                return server.pubsubNumSub("firehose").get("firehose") == 0;
            });
        }
    }

    @Test
    void resetLeavesSubscribedMode() {
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            same(viaProxy, viaDirect, 1, "SUBSCRIBE", "alerts");
            same(viaProxy, viaDirect, 1, "PSUBSCRIBE", "a*");
            same(viaProxy, viaDirect, 1, "RESET");
            same(viaProxy, viaDirect, 1, "GET", "x");
            await().atMost(Duration.ofSeconds(10)).until(() -> numsub("alerts") == 0 && numpat() == 0);
        }
    }

    @Test
    void aDeadSubscriberConnectionEndsTheClientsConnection() {
        try (ProxiedServers one = ProxiedServers.start(1, "timeout = 2000");
             RawClient subscriber = new RawClient(one.proxy().port())) {
            subscriber.call("SUBSCRIBE", "news");
            one.redis()[0].kill();
            Reply error = subscriber.read();
            assertTrue(error.isError() && error.errorMessage().contains("subscriber connection failed"), error.toString());
            assertTrue(subscriber.closedByPeer());
        }
    }

    /**
     * A server that accepts SUBSCRIBE and never acknowledges it: within the pool's timeout the client gets an
     * error naming the server and its connection ends (it used to wait for good).
     */
    @Test
    void aSubscriptionNobodyAcknowledgesFailsWithinTheTimeout() {
        try (ScriptedBackend silent = ScriptedBackend.start(command -> command.name().equals("subscribe")
                ? ScriptedBackend.Step.stall() : ScriptedBackend.likeRedis(command));
             RunningProxy proxy = RunningProxy.start(RunningProxy.poolToml(RunningProxy.POOL, FreePorts.pick(),
                     "timeout = 300", List.of("\"" + silent.address() + ":1 silent\"")));
             RawClient subscriber = new RawClient(proxy.port())) {
            long start = System.nanoTime();
            Reply error = subscriber.call("SUBSCRIBE", "news");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Reply.error("ERR rproxy: silent (" + silent.address()
                    + ") did not acknowledge the subscription within 300 ms"), error);
            assertTrue(elapsedMs >= 300 && elapsedMs < 10_000, elapsedMs + " ms");
            assertTrue(subscriber.closedByPeer());
        }
    }

    /**
     * Every message came, each channel's in the order published. Channels on different servers come through
     * different subscriber connections, so their messages may interleave otherwise, as in a Redis Cluster.
     */
    private static void assertInChannelOrder(List<String> expected, List<String> received) {
        assertEquals(expected.size(), received.size(), received.toString());
        for (String channel : CHANNELS) {
            assertEquals(expected.stream().filter(m -> m.startsWith(channel + ":")).toList(),
                    received.stream().filter(m -> m.startsWith(channel + ":")).toList(), channel);
        }
    }

    @Test
    void jedisPubSubWorks() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(3);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int count) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String channel, String message) {
                received.add(channel + ":" + message);
                if (received.size() == 30) {
                    unsubscribe();
                }
            }
        };
        Thread subscriber = Thread.ofVirtual().start(() -> {
            try (Jedis jedis = setup.proxy().jedis()) {
                jedis.subscribe(listener, "news", "sport", "weather");
            }
        });
        assertTrue(subscribed.await(10, TimeUnit.SECONDS));
        List<String> expected = new ArrayList<>();
        try (Jedis publisher = setup.proxy().jedis()) {
            for (int m = 0; m < 30; m++) {
                String channel = CHANNELS[m % 3];
                assertEquals(1, publisher.publish(channel, "m" + m));
                expected.add(channel + ":m" + m);
            }
        }
        subscriber.join(Duration.ofSeconds(10));
        assertInChannelOrder(expected, received);
        assertEquals(0, listener.getSubscribedChannels());
    }

    @Test
    void lettucePubSubWorks() {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", setup.proxy().port()));
        try (StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub()) {
            List<String> received = new CopyOnWriteArrayList<>();
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    received.add(channel + ":" + message);
                }
            });
            connection.sync().subscribe("jobs", "orders");
            List<String> expected = new ArrayList<>();
            try (Jedis publisher = setup.proxy().jedis()) {
                for (int m = 0; m < 10; m++) {
                    String channel = m % 2 == 0 ? "jobs" : "orders";
                    assertEquals(1, publisher.publish(channel, "l" + m));
                    expected.add(channel + ":l" + m);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == expected.size());
            assertInChannelOrder(expected, received);
            connection.sync().unsubscribe("jobs", "orders");
        } finally {
            client.shutdown();
        }
    }

    private static long numsub(String channel) {
        long total = 0;
        for (RedisServer server : setup.proxied().redis()) {
            try (Jedis jedis = server.jedis()) {
                total += jedis.pubsubNumSub(channel).get(channel);
            }
        }
        return total;
    }

    private static long numpat() {
        long total = 0;
        for (RedisServer server : setup.proxied().redis()) {
            try (Jedis jedis = server.jedis()) {
                total += jedis.pubsubNumPat();
            }
        }
        return total;
    }

    private static long connectedClients() {
        long total = 0;
        for (RedisServer server : setup.proxied().redis()) {
            try (Jedis jedis = server.jedis()) {
                total += Long.parseLong(jedis.info("clients").lines().filter(l -> l.startsWith("connected_clients:"))
                        .findFirst().orElseThrow().substring("connected_clients:".length()).trim()) - 1;
            }
        }
        return total;
    }

    @Test
    void aClientThatLeavesHasItsSubscriberConnectionsClosed() {
        try (RawClient subscriber = new RawClient(setup.proxy().port())) {
            List<String> subscribe = new ArrayList<>(List.of("SUBSCRIBE"));
            subscribe.addAll(List.of(CHANNELS));
            subscriber.call(subscribe);
            for (int i = 1; i < CHANNELS.length; i++) {
                subscriber.read();
            }
            assertEquals(1, numsub("news"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> numsub("news") == 0 && numsub("orders") == 0);
    }

    @Test
    void subscribeCloseCyclesLeaveNoConnectionBehind() {
        try (Jedis warm = setup.proxy().jedis()) {
            warm.ping();
        }
        long before = connectedClients();
        for (int cycle = 0; cycle < 300; cycle++) {
            try (RawClient subscriber = new RawClient(setup.proxy().port())) {
                Reply ack = subscriber.call("SUBSCRIBE", "news", "sport", "weather");
                assertTrue(ack.type() == '*', ack.toString());
                subscriber.read();
                subscriber.read();
                if (cycle % 2 == 0) {
                    subscriber.call("UNSUBSCRIBE");
                    subscriber.read();
                    subscriber.read();
                }
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> numsub("news") == 0 && numsub("sport") == 0);
        // The reserve may keep up to two idle dedicated connections per server beyond what was there before.
        await().atMost(Duration.ofSeconds(20)).until(() -> connectedClients() <= before + 2L * 3);
    }
}
