package io.rproxy.routing;

import io.rproxy.config.ServerSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays where the real nutcracker 0.5.0 put each key (golden-routing.txt, recorded by generate-golden.py in
 * the same resource folder): every hash x {ketama, modula} x {named, unnamed servers} x {no tag, "{}"}, plus
 * ketama and modula rebuilt over a live subset after nutcracker ejected a dead server, and a ketama pool whose
 * 83-character server name makes "{name}-{i}" 86 bytes long.
 */
class RouterGoldenTest {
    private static final Pattern COMBO = Pattern.compile(
            "combo (\\S+) (\\S+) (named|unnamed) (\\S+) servers=(.+) live=(\\S+) owners=(\\d*)");

    record Combo(HashFunction hash, Distribution distribution, boolean named, HashTag tag, List<String> servers,
                 List<Integer> live, String owners) {
        @Override
        public String toString() {
            return hash.configName() + " " + distribution.configName() + (named ? " named" : " unnamed")
                    + (tag == null ? "" : " tag") + (live.size() < servers.size() ? " live=" + live : "");
        }
    }

    record Golden(List<byte[]> keys, List<Combo> combos) {
    }

    private static final Golden GOLDEN = load();

    static Stream<Combo> combos() {
        return GOLDEN.combos().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combos")
    void routesEveryKeyWhereNutcrackerDid(Combo combo) {
        List<WeightedServer> live = new ArrayList<>();
        for (int index : combo.live()) {
            live.add(server(index, combo.servers().get(index)));
        }
        Router router = new Router(combo.hash(), combo.distribution(), combo.tag(), live, null);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < GOLDEN.keys().size(); i++) {
            byte[] key = GOLDEN.keys().get(i);
            int expected = combo.owners().charAt(i) - '0';
            int actual = router.route(key, 0, key.length);
            if (actual != expected) {
                wrong.add(HexFormat.of().formatHex(key) + " want " + expected + " got " + actual);
            }
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())), wrong.size() + " keys misrouted");
    }

    @Test
    void vectorsCoverEveryHashBothDistributionsAndTheAwkwardKeys() {
        for (HashFunction h : HashFunction.values()) {
            for (Distribution d : List.of(Distribution.KETAMA, Distribution.MODULA)) {
                assertEquals(4, GOLDEN.combos().stream()
                        .filter(c -> c.hash() == h && c.distribution() == d && c.live().size() == 4
                                && c.servers().size() == 4).count(), h + " " + d);
            }
        }
        assertTrue(GOLDEN.keys().size() >= 300);
        assertTrue(GOLDEN.keys().stream().anyMatch(k -> k.length == 0), "empty key");
        assertTrue(GOLDEN.keys().stream().anyMatch(k -> new String(k, StandardCharsets.UTF_8).equals("ключ-1")));
        assertTrue(GOLDEN.combos().stream().anyMatch(c -> c.live().size() < c.servers().size()), "ejection");
        assertTrue(GOLDEN.combos().stream().anyMatch(c -> c.servers().get(0).startsWith("127.0.0.1:11211:")),
                "a server on 11211, whose unnamed identity drops the port");
    }

    /**
     * A golden combo's server line as the proxy builds it: through the configuration's own parser, so the
     * identity rule (name, else "host:port", "host" alone on 11211) is the one production code uses.
     */
    static WeightedServer server(int index, String line) {
        ServerSpec spec = ServerSpec.parse(line);
        return new WeightedServer(index, spec.identity(), spec.weight());
    }

    private static Golden load() {
        List<byte[]> keys = new ArrayList<>();
        List<Combo> combos = new ArrayList<>();
        try (InputStream in = Objects.requireNonNull(
                RouterGoldenTest.class.getResourceAsStream("golden-routing.txt"), "golden-routing.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("key ")) {
                    keys.add(HexFormat.of().parseHex(line.substring(4)));
                } else if (line.startsWith("combo ")) {
                    combos.add(combo(line));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (Combo c : combos) {
            assertEquals(keys.size(), c.owners().length(), c.toString());
        }
        return new Golden(keys, combos);
    }

    private static Combo combo(String line) {
        Matcher m = COMBO.matcher(line);
        if (!m.matches()) {
            throw new IllegalStateException("bad line: " + line);
        }
        String tag = m.group(4);
        return new Combo(HashFunction.byConfigName(m.group(1)).orElseThrow(),
                Distribution.byConfigName(m.group(2)).orElseThrow(),
                m.group(3).equals("named"),
                tag.equals("-") ? null : new HashTag((byte) tag.charAt(0), (byte) tag.charAt(1)),
                List.of(m.group(5).split("\\|")),
                Stream.of(m.group(6).split(",")).map(Integer::valueOf).toList(),
                m.group(7));
    }
}
