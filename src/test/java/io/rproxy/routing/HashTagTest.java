package io.rproxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HashTagTest {
    private static final HashTag BRACES = new HashTag((byte) '{', (byte) '}');

    @ParameterizedTest(name = "''{0}'' hashes ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "{user1}:a    | user1",
        "x{y}z{w}     | y",
        "{{x}}        | {x",
        "}{x}         | x",
        "{}abc        | {}abc",
        "a{}b         | a{}b",
        "{}{x}        | {}{x}",
        "{abc         | {abc",
        "abc}         | abc}",
        "plain        | plain",
        "{ключ}-1     | ключ",
    })
    void hashesTheFirstNonEmptyTagElseTheWholeKey(String key, String hashed) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[k.length + 4];
        System.arraycopy(k, 0, framed, 2, k.length);
        int offset = BRACES.hashedOffset(framed, 2, k.length);
        int length = BRACES.hashedLength(framed, 2, k.length);
        assertEquals(hashed, new String(framed, offset, length, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"|a|b|c ; a", "ab|cd|ef ; cd", "||x| ; ||x|"})
    void sameOpenAndCloseByte(String key, String hashed) {
        HashTag bars = new HashTag((byte) '|', (byte) '|');
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int offset = bars.hashedOffset(k, 0, k.length);
        assertEquals(hashed, new String(k, offset, bars.hashedLength(k, 0, k.length), StandardCharsets.UTF_8));
    }
}
