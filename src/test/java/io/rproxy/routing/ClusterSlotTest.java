package io.rproxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Golden vectors from redis-server 7.0.15's {@code CLUSTER KEYSLOT}. */
class ClusterSlotTest {
    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "''|0",
            "foo|12182",
            "bar|5061",
            "hello world|15332",
            "{user1000}.following|3443",
            "{user1000}.followers|3443",
            "foo{}{bar}|8363",
            "foo{{bar}}zap|4015",
            "foo{bar}{zap}|5061",
            "{}foo|9500",
            "a{b|13340",
            "123456789|12739",
            "key:1999|3978",
            "éclair|9615",
    })
    void matchesRedisClusterKeyslot(String key, int slot) {
        assertEquals(slot, ClusterSlot.of(key.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @CsvSource({"123456789", "hello world", "key:1999"})
    void isTwemproxysCrc16KeptTo16Bits(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int twemproxy = Crc.crc16(k, 0, k.length);
        assertNotEquals(twemproxy & 0xffff, twemproxy, "twemproxy's crc16 keeps bits past 16");
        assertEquals(twemproxy & 0xffff, Crc.crc16Xmodem(k, 0, k.length));
    }

    @ParameterizedTest
    @CsvSource({"4, key:1999", "10, xx{key:1999}yy"})
    void findsTheKeyInsideAFrame(int offset, String key) {
        byte[] framed = ("$$$$" + key + "~~").getBytes(StandardCharsets.UTF_8);
        assertEquals(3978, ClusterSlot.of(framed, 4, key.length()));
    }
}
