package io.rproxy.resp;

import static io.rproxy.resp.Feeds.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Inline requests split as redis-server's sdssplitargs splits them. */
class RespInlineTest {

    record Case(String line, List<String> args) {
    }

    private static final List<Case> CASES = List.of(
            new Case("set a b", List.of("set", "a", "b")),
            new Case("  set   a\tb  ", List.of("set", "a", "b")),
            new Case("set a b\r", List.of("set", "a", "b")),
            new Case("set \"a b\" c", List.of("set", "a b", "c")),
            new Case("set \"a\\\"b\" c", List.of("set", "a\"b", "c")),
            new Case("echo \"\\\\\"", List.of("echo", "\\")),
            new Case("echo \"\\n\\r\\t\\b\\a\\q\"", List.of("echo", "\n\r\t\b\u0007q")),
            new Case("echo \"\\x41\\x4a\\x4A\\xff\"", List.of("echo", "AJJ\u00ff")),
            new Case("echo \"\\x4g\"", List.of("echo", "x4g")),
            new Case("echo 'it\\'s'", List.of("echo", "it's")),
            new Case("echo 'a\\nb'", List.of("echo", "a\\nb")),
            new Case("echo 'a\"b'", List.of("echo", "a\"b")),
            new Case("echo foo\"bar baz\"", List.of("echo", "foobar baz")),
            new Case("echo \"\" ''", List.of("echo", "", "")),
            new Case("echo \"a\"\t'b'", List.of("echo", "a", "b")),
            new Case("\u000bPING", List.of("PING")),
            new Case("echo a\u000bb", List.of("echo", "a\u000bb")),
            new Case("echo a\0b c", List.of("echo", "a")),
            new Case("echo \u00e9", List.of("echo", "\u00e9")));

    @TestFactory
    Stream<DynamicTest> splitsLikeRedis() {
        return CASES.stream().flatMap(c -> Feeds.all().stream().map(feed ->
                DynamicTest.dynamicTest(c.line() + " / " + feed, () -> {
                    RespReader reader = new RespReader(feed.open(bytes(c.line() + "\r\n")), RespLimits.DEFAULT);
                    RespCommand command = reader.readCommand();
                    assertEquals(c.args(), RespReaderCommandTest.args(command));
                    List<byte[]> expected = c.args().stream().map(Feeds::bytes).toList();
                    assertArrayEquals(RespCommand.of(expected).frame(), command.frame());
                    assertNull(reader.readCommand());
                })));
    }

    @Test
    void quotesAreBalancedPerLine() throws IOException {
        RespReader reader = new RespReader(new ByteArrayInputStream(bytes("echo \"a\nb\"\n")), RespLimits.DEFAULT);
        ProtocolException e = assertThrows(ProtocolException.class, reader::readCommand);
        assertEquals("unbalanced quotes in request", e.getMessage());
    }

    @Test
    void blankLineBeforeEofIsACleanEof() throws IOException {
        RespReader reader = new RespReader(new ByteArrayInputStream(bytes("  \r\n")), RespLimits.DEFAULT);
        assertNull(reader.readCommand());
    }
}
