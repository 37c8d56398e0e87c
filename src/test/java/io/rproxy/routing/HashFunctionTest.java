package io.rproxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class HashFunctionTest {
    private static final byte[][] KEYS = {
        bytes(""), bytes("a"), bytes("123456789"), bytes("foobar"), bytes("ключ"),
        {(byte) 0x80, (byte) 0xff, 0x01}, bytes("key:12345678901"),
    };

    /**
     * hash(KEYS[i]) for every function. Taken from this implementation once it reproduced nutcracker's placement
     * of every golden key (RouterGoldenTest); the one_at_a_time, md5, crc and fnv rows were also recomputed with
     * an independent script. They pin the values, including the sign extension of bytes >= 0x80.
     */
    static Stream<Arguments> pinned() {
        return Stream.of(
            Arguments.of(HashFunction.ONE_AT_A_TIME, new int[] {0x00000000, 0xca2e9442, 0xc66b58c5, 0xf952fde7, 0xfbca080a, 0x495cdb7e, 0xc88c1ed3}),
            Arguments.of(HashFunction.MD5, new int[] {0xd98c1dd4, 0xb975c10c, 0x94e7f925, 0x22f65838, 0x667b65c3, 0x083aa7d0, 0xd86afe7c}),
            Arguments.of(HashFunction.CRC16, new int[] {0x00000000, 0x00007c87, 0x869031c3, 0x9effb025, 0x3c55683f, 0x91052884, 0xc755d422}),
            Arguments.of(HashFunction.CRC32, new int[] {0x00000000, 0x000068b7, 0x00004bf4, 0x00001ef6, 0x00000caf, 0x00007a57, 0x00003805}),
            Arguments.of(HashFunction.CRC32A, new int[] {0x00000000, 0xe8b7be43, 0xcbf43926, 0x9ef61f95, 0x0caf961a, 0xfa570f76, 0xb805fcb5}),
            Arguments.of(HashFunction.FNV1_64, new int[] {0x84222325, 0x8601b7be, 0x2bf916d6, 0xa4dda9c2, 0x64997a19, 0x6b5c2a17, 0x19d847fc}),
            Arguments.of(HashFunction.FNV1A_64, new int[] {0x84222325, 0x8601ec8c, 0x23c6cdfc, 0xf73967e8, 0xa9ad7881, 0x74fc0653, 0xebe941f6}),
            Arguments.of(HashFunction.FNV1_32, new int[] {0x811c9dc5, 0x050c5d7e, 0x24148816, 0x31f0b262, 0x31b3eff9, 0x16548537, 0xd64b7b9c}),
            Arguments.of(HashFunction.FNV1A_32, new int[] {0x811c9dc5, 0xe40c292c, 0xbb86b11c, 0xbf9cf968, 0xafd617e1, 0xb0ab7df3, 0xf50a7076}),
            Arguments.of(HashFunction.HSIEH, new int[] {0x00000000, 0x93642e87, 0xe4fc1670, 0x07a5862c, 0xfa8a713c, 0x22771e07, 0x0b62e2b7}),
            Arguments.of(HashFunction.MURMUR, new int[] {0x00000000, 0x4b41757c, 0xb7760690, 0xabecff17, 0x9ac6d2af, 0xc9fa99f1, 0x4092cf35}),
            Arguments.of(HashFunction.JENKINS, new int[] {0xdeadbefc, 0xe0a38690, 0x19777af6, 0x0fdd8b60, 0x4b2c236f, 0x5a35ae4f, 0x37691beb}));
    }

    @ParameterizedTest
    @MethodSource("pinned")
    void pinnedValues(HashFunction f, int[] expected) {
        for (int i = 0; i < KEYS.length; i++) {
            assertEquals(Integer.toHexString(expected[i]), Integer.toHexString(f.hash(KEYS[i], 0, KEYS[i].length)),
                    f + " of key " + i);
        }
    }

    @Test
    void publishedCheckValues() {
        byte[] check = bytes("123456789");
        assertEquals(0xcbf43926, HashFunction.CRC32A.hash(check, 0, 9), "CRC-32 check value");
        assertEquals(0xcbf4 & 0x7fff, HashFunction.CRC32.hash(check, 0, 9), "libmemcached crc32: 15 bits of CRC-32");
        assertEquals(0x31c3, HashFunction.CRC16.hash(check, 0, 9) & 0xffff, "CRC-16/XMODEM check value, low half");
        byte[] a = bytes("a");
        assertEquals(0x050c5d7e, HashFunction.FNV1_32.hash(a, 0, 1), "FNV-1 32 of \"a\"");
        assertEquals(0xe40c292c, HashFunction.FNV1A_32.hash(a, 0, 1), "FNV-1a 32 of \"a\"");
        assertEquals((int) 0xaf63bd4c8601b7beL, HashFunction.FNV1_64.hash(a, 0, 1), "FNV-1 64 of \"a\", low half");
        assertEquals(0xca2e9442, HashFunction.ONE_AT_A_TIME.hash(a, 0, 1), "one-at-a-time of \"a\"");
        byte[] fox = bytes("The quick brown fox jumps over the lazy dog");
        assertEquals(0x519e91f5, HashFunction.ONE_AT_A_TIME.hash(fox, 0, fox.length));
        assertEquals(0xd98c1dd4, HashFunction.MD5.hash(new byte[0], 0, 0), "md5(\"\") = d41d8cd9...");
        assertEquals(0xdeadbeef + 13, HashFunction.JENKINS.hash(new byte[0], 0, 0), "lookup3 returns c unmixed");
    }

    @Test
    void md5MatchesMessageDigestAcrossBlockBoundaries() throws NoSuchAlgorithmException {
        Random random = new Random(7);
        int[] words = new int[4];
        for (int length = 0; length <= 300; length++) {
            byte[] data = new byte[length + 5];
            random.nextBytes(data);
            Md5.digest(data, 3, length, words);
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(data, 3, length);
            ByteBuffer expected = ByteBuffer.wrap(md5.digest()).order(ByteOrder.LITTLE_ENDIAN);
            for (int w = 0; w < 4; w++) {
                assertEquals(expected.getInt(), words[w], "length " + length + " word " + w);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(HashFunction.class)
    void hashesOnlyTheGivenRange(HashFunction f) {
        Random random = new Random(f.ordinal());
        for (int length = 0; length < 40; length++) {
            byte[] buffer = new byte[length + 11];
            random.nextBytes(buffer);
            byte[] copy = Arrays.copyOfRange(buffer, 5, 5 + length);
            assertEquals(f.hash(copy, 0, length), f.hash(buffer, 5, length), f + " length " + length);
        }
    }

    @ParameterizedTest
    @EnumSource(HashFunction.class)
    void configNamesRoundTrip(HashFunction f) {
        assertEquals(f, HashFunction.byConfigName(f.configName()).orElseThrow());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
