package io.rproxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RouterTest {
    private static final List<WeightedServer> FOUR = List.of(
            new WeightedServer(0, "alpha", 3), new WeightedServer(1, "beta", 1),
            new WeightedServer(2, "gamma-server", 4), new WeightedServer(3, "delta", 2));
    private static final HashTag BRACES = new HashTag((byte) '{', (byte) '}');

    @ParameterizedTest
    @EnumSource(Distribution.class)
    void noLiveServerRoutesNowhere(Distribution d) {
        Router router = new Router(HashFunction.FNV1A_64, d, null, List.of(), new Random(1));
        assertEquals(-1, route(router, "key"));
        assertEquals(-1, route(router, ""));
    }

    @ParameterizedTest
    @EnumSource(Distribution.class)
    void oneLiveServerTakesEveryKey(Distribution d) {
        Router router = new Router(HashFunction.MD5, d, BRACES, List.of(new WeightedServer(7, "only", 5)), null);
        for (String key : List.of("", "a", "{x}y", "ключ")) {
            assertEquals(7, route(router, key));
        }
    }

    @Test
    void randomIsRepeatableWithASeedAndReachesEveryLiveServer() {
        List<WeightedServer> live = List.of(FOUR.get(0), FOUR.get(2), FOUR.get(3)); // beta ejected
        List<Integer> first = picks(new Router(HashFunction.MD5, Distribution.RANDOM, null, live, new Random(42)));
        List<Integer> second = picks(new Router(HashFunction.MD5, Distribution.RANDOM, null, live, new Random(42)));
        assertEquals(first, second);
        assertEquals(Set.of(0, 2, 3), new HashSet<>(first));
    }

    @Test
    void randomWithoutAGeneratorUsesEachThreadsOwn() {
        Router router = new Router(HashFunction.MD5, Distribution.RANDOM, null, FOUR, null);
        assertEquals(Set.of(0, 1, 2, 3), new HashSet<>(picks(router)));
    }

    @ParameterizedTest
    @EnumSource(value = Distribution.class, names = {"KETAMA", "MODULA"})
    void placementDoesNotDependOnTheOrderServersAreGiven(Distribution d) {
        List<WeightedServer> shuffled = new ArrayList<>(FOUR);
        Collections.shuffle(shuffled, new Random(3));
        Router given = new Router(HashFunction.FNV1A_32, d, null, FOUR, null);
        Router reordered = new Router(HashFunction.FNV1A_32, d, null, shuffled, null);
        for (int i = 0; i < 500; i++) {
            assertEquals(route(given, "key:" + i), route(reordered, "key:" + i));
        }
    }

    @Test
    void twemproxyOrderIsShorterIdentityFirstThenBytewise() {
        List<WeightedServer> servers = List.of(new WeightedServer(0, "alpha", 1), new WeightedServer(1, "beta", 1),
                new WeightedServer(2, "gamma-server", 1), new WeightedServer(3, "delta", 1),
                new WeightedServer(4, "élan", 1), new WeightedServer(5, "zeta", 1));
        List<Integer> order = Router.inTwemproxyOrder(servers).stream().map(WeightedServer::index).toList();
        // "élan" is 5 UTF-8 bytes starting 0xC3, after every ASCII name of that length
        assertEquals(List.of(1, 5, 0, 3, 4, 2), order);
    }

    @Test
    void modulaWalksWeightsInTwemproxyOrder() {
        // twemproxy order: beta(1) alpha(3) delta(2) gamma-server(4); FNV1_32 of "" would be the basis, but an
        // empty key hashes to 0: slot 0 is beta's
        Router router = new Router(HashFunction.FNV1_32, Distribution.MODULA, null, FOUR, null);
        assertEquals(1, route(router, ""));
    }

    @Test
    void ketamaPointsFollowWeightInFloat() {
        assertEquals(List.of(192, 64, 256, 128), FOUR.stream().map(s -> Ketama.pointsFor(s.weight(), 10, 4)).toList());
        assertEquals(160, Ketama.pointsFor(1, 4, 4));
        assertEquals(640, new Ketama(FOUR).size());
        // a weight too small for even one group of four gets no points at all, as in twemproxy
        assertEquals(0, Ketama.pointsFor(1, 1000, 2));
    }

    @Test
    void hashTagKeepsTaggedKeysTogether() {
        Router router = new Router(HashFunction.MURMUR, Distribution.KETAMA, BRACES, FOUR, null);
        for (int i = 0; i < 50; i++) {
            int owner = route(router, "{user" + i + "}:a");
            assertEquals(owner, route(router, "{user" + i + "}:b"));
            assertEquals(owner, route(router, "user" + i));
        }
    }

    @Test
    void routesTheGivenRangeOfALargerBuffer() {
        Router router = new Router(HashFunction.CRC32A, Distribution.KETAMA, null, FOUR, new SplittableRandom(1)::nextInt);
        byte[] framed = "*3\r\n$3\r\nSET\r\n$6\r\nkey:42\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(route(router, "key:42"), router.route(framed, 17, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> router.route(framed, 20, 10));
    }

    @Test
    void everyServerOwnsSomeKeys() {
        for (Distribution d : List.of(Distribution.KETAMA, Distribution.MODULA)) {
            Router router = new Router(HashFunction.MURMUR, d, null, FOUR, null);
            Set<Integer> owners = new HashSet<>();
            for (int i = 0; i < 1000; i++) {
                owners.add(route(router, "key:" + i));
            }
            assertTrue(owners.containsAll(Set.of(0, 1, 2, 3)), d.toString());
        }
    }

    private static List<Integer> picks(Router router) {
        List<Integer> picks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            picks.add(route(router, "same-key"));
        }
        return picks;
    }

    private static int route(Router router, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return router.route(k, 0, k.length);
    }
}
