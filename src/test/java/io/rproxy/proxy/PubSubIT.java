package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rproxy.harness.AgainstOneRedis;
import io.rproxy.harness.RedisServer;
import io.rproxy.resp.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * PUBLISH and PUBSUB CHANNELS / NUMSUB / NUMPAT through rproxy over three servers, byte for byte against one
 * redis-server. The subscribers here connect to the backends themselves, each to its channel's server (found
 * by where a key of the channel's name lands), so the test sees that a channel is placed like a key.
 */
class PubSubIT {
    @RegisterExtension
    static final AgainstOneRedis setup = AgainstOneRedis.sharded(3, "hash_tag = \"{}\"\ntimeout = 2000");

    private static final String[] NAMES = {"news", "sport", "weather", "alerts", "jobs", "chat:1", "chat:2",
        "orders", "prices", "events", "logs", "metrics"};
    private static final int CHANNELS = NAMES.length;
    private final List<RawClient> subscribers = new ArrayList<>();

    @AfterEach
    void closeSubscribers() {
        subscribers.forEach(RawClient::close);
        subscribers.clear();
        setup.proxied().flushAll();
    }

    /** The backend a key named {@code name} lands on through rproxy: where a channel of that name lives. */
    private static RedisServer serverOf(String name) {
        try (Jedis jedis = setup.proxy().jedis()) {
            jedis.set(name, "x");
        }
        for (RedisServer server : setup.proxied().redis()) {
            try (Jedis jedis = server.jedis()) {
                if (jedis.exists(name)) {
                    jedis.del(name);
                    return server;
                }
            }
        }
        throw new AssertionError("no server holds " + name);
    }

    private RawClient subscriber(int port, String... command) {
        RawClient client = new RawClient(port);
        subscribers.add(client);
        client.call(command);
        return client;
    }

    @Test
    void publishReachesTheChannelsServerAndCountsItsReceivers() {
        Set<RedisServer> used = new HashSet<>();
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            for (int c = 0; c < CHANNELS; c++) {
                String channel = NAMES[c];
                RedisServer home = serverOf(channel);
                used.add(home);
                RawClient there = subscriber(home.port(), "SUBSCRIBE", channel);
                RawClient reference = subscriber(setup.direct().port(), "SUBSCRIBE", channel);
                Reply expected = viaDirect.call("PUBLISH", channel, "hello " + c);
                assertEquals(":1\r\n", new String(expected.bytes()));
                assertEquals(expected, viaProxy.call("PUBLISH", channel, "hello " + c), channel);
                assertEquals(reference.read(), there.read(), "the message frame of " + channel);
            }
            assertEquals(viaDirect.call("PUBLISH", "nobody", "x"), viaProxy.call("PUBLISH", "nobody", "x"));
        }
        assertEquals(3, used.size(), "the channels spread over every server");
    }

    @Test
    void numsubAsksEachChannelsServerAndKeepsTheCallersOrder() {
        List<String> numsub = new ArrayList<>(List.of("PUBSUB", "NUMSUB"));
        for (int c = 0; c < CHANNELS; c++) {
            String channel = "n" + c;
            for (int i = 0; i <= c % 3; i++) { // 1, 2 or 3 subscribers
                subscriber(serverOf(channel).port(), "SUBSCRIBE", channel);
                subscriber(setup.direct().port(), "SUBSCRIBE", channel);
            }
            numsub.add(channel);
        }
        numsub.add(3, "unheard");
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            assertEquals(viaDirect.call(numsub), viaProxy.call(numsub));
            assertEquals(viaDirect.call("PUBSUB", "NUMSUB"), viaProxy.call("PUBSUB", "NUMSUB"));
            assertEquals(viaDirect.call("PUBSUB", "NUMSUB", "n4"), viaProxy.call("PUBSUB", "NUMSUB", "n4"));
            assertEquals(viaDirect.call(numsub.stream().map(a -> a.equals("NUMSUB") ? "SHARDNUMSUB" : a).toList()),
                    viaProxy.call(numsub.stream().map(a -> a.equals("NUMSUB") ? "SHARDNUMSUB" : a).toList()));
        }
    }

    @Test
    void channelsIsTheUnionAndNumpatCountsEachPatternOnce() {
        for (int c = 0; c < CHANNELS; c++) {
            subscriber(serverOf("u" + c).port(), "SUBSCRIBE", "u" + c);
            subscriber(setup.direct().port(), "SUBSCRIBE", "u" + c);
        }
        RedisServer[] redis = setup.proxied().redis();
        // rproxy's subscriber puts its patterns on every server: NUMPAT counts each once, not once per server.
        subscriber(setup.proxy().port(), "PSUBSCRIBE", "p*");
        subscriber(setup.proxy().port(), "PSUBSCRIBE", "q*");
        subscriber(setup.direct().port(), "PSUBSCRIBE", "p*");
        subscriber(setup.direct().port(), "PSUBSCRIBE", "q*");
        // A client of a backend (not of rproxy) on another server: the channel is listed once.
        subscriber(redis[2].port(), "SUBSCRIBE", "u0");
        subscriber(redis[1].port(), "SUBSCRIBE", "u0");
        try (RawClient viaProxy = new RawClient(setup.proxy().port());
             RawClient viaDirect = new RawClient(setup.direct().port())) {
            assertEquals(Set.copyOf(viaDirect.call("PUBSUB", "CHANNELS").elements()),
                    Set.copyOf(viaProxy.call("PUBSUB", "CHANNELS").elements()));
            assertEquals(CHANNELS, viaProxy.call("PUBSUB", "CHANNELS").elements().size());
            assertEquals(Set.copyOf(viaDirect.call("PUBSUB", "CHANNELS", "u1*").elements()),
                    Set.copyOf(viaProxy.call("PUBSUB", "CHANNELS", "u1*").elements()));
            assertEquals(viaDirect.call("PUBSUB", "NUMPAT"), viaProxy.call("PUBSUB", "NUMPAT"));
            assertEquals(":2\r\n", new String(viaProxy.call("PUBSUB", "NUMPAT").bytes()));
            assertEquals(viaDirect.call("PUBSUB", "SHARDCHANNELS"), viaProxy.call("PUBSUB", "SHARDCHANNELS"));
            assertEquals(viaDirect.call("PUBSUB", "HELP"), viaProxy.call("PUBSUB", "HELP"));
        }
    }
}
