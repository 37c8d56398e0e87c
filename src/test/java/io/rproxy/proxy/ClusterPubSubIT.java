package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rproxy.harness.AgainstOneRedis;
import io.rproxy.harness.RedisServer;
import io.rproxy.resp.Reply;
import io.rproxy.routing.ClusterSlot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Pub/sub through a cluster pool (three masters): a channel is subscribed on its slot's master, one subscriber
 * connection per master however many slots the channels use; PUBLISH goes by slot and counts the subscribers
 * there; patterns on every master, each message passed on once (the cluster broadcasts every PUBLISH to every
 * node). Acknowledgements and messages byte for byte against one plain redis-server.
 */
class ClusterPubSubIT {
    @RegisterExtension
    static final AgainstOneRedis setup = AgainstOneRedis.cluster(3, 2000);

    private static final List<String> CHANNELS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

    private static long numsub(RedisServer node, String channel) {
        try (Jedis jedis = node.jedis()) {
            return jedis.pubsubNumSub(channel).get(channel);
        }
    }

    /** A channel matching {@code z*} whose slot {@code master} owns. */
    private static String channelOwnedBy(RedisServer master) {
        for (int i = 0; ; i++) {
            String channel = "zmark" + i;
            if (setup.cluster().ownerOf(ClusterSlot.of(channel.getBytes(StandardCharsets.UTF_8))) == master) {
                return channel;
            }
        }
    }

    private static Reply pmessage(String pattern, String channel, String message) {
        return Reply.array(Stream.of("pmessage", pattern, channel, message)
                .map(s -> Reply.bulk(s.getBytes(StandardCharsets.UTF_8))).toList());
    }

    @Test
    void subscribersHearPublishersAsFromOneServer() {
        List<String> subscribe = new ArrayList<>(List.of("SUBSCRIBE"));
        subscribe.addAll(CHANNELS);
        try (RawClient viaProxy = new RawClient(setup.proxy().port("orders"));
             RawClient viaDirect = new RawClient(setup.direct().port());
             RawClient proxyPublisher = new RawClient(setup.proxy().port("orders"));
             RawClient directPublisher = new RawClient(setup.direct().port())) {
            assertEquals(viaDirect.call(subscribe), viaProxy.call(subscribe));
            for (int i = 1; i < CHANNELS.size(); i++) {
                assertEquals(viaDirect.read(), viaProxy.read(), "acknowledgement " + i);
            }
            assertEquals(viaDirect.call("PSUBSCRIBE", "z*"), viaProxy.call("PSUBSCRIBE", "z*"));
            for (String channel : List.of("a", "e", "j", "zz", "c")) {
                Reply receivers = directPublisher.call("PUBLISH", channel, "to " + channel);
                assertEquals(receivers, proxyPublisher.call("PUBLISH", channel, "to " + channel), channel);
                assertEquals(viaDirect.read(), viaProxy.read(), channel);
            }
            // Every node pushed "to zz" (the cluster broadcasts a PUBLISH): one copy passes. A marker published on
            // each master, on a channel of its own, follows that master's copy on its subscriber connection, so the
            // markers coming next, and nothing before them, show the other copies were dropped.
            for (RedisServer master : setup.cluster().masters()) {
                String marker = channelOwnedBy(master);
                try (Jedis jedis = master.jedis()) {
                    jedis.publish(marker, "mark");
                }
                assertEquals(pmessage("z*", marker, "mark"), viaProxy.read(), "after every copy of zz, " + marker);
            }
            long subscribed = 0;
            for (RedisServer master : setup.cluster().masters()) {
                for (String channel : CHANNELS) {
                    subscribed += numsub(master, channel);
                }
            }
            assertEquals(CHANNELS.size(), subscribed, "each channel subscribed once, on one master");
            long subscriberConnections = 0;
            for (RedisServer master : setup.cluster().masters()) {
                try (Jedis jedis = master.jedis()) {
                    subscriberConnections += jedis.clientList().lines()
                            .filter(l -> !l.contains(" sub=0 ") || !l.contains(" psub=0 ")).count();
                }
            }
            assertEquals(setup.cluster().masters().size(), subscriberConnections,
                    "one subscriber connection per master");
            assertEquals(viaDirect.call("UNSUBSCRIBE", "a", "b"), viaProxy.call("UNSUBSCRIBE", "a", "b"));
            assertEquals(viaDirect.read(), viaProxy.read());
            assertEquals(viaDirect.call("PING"), viaProxy.call("PING"));
        }
    }
}
