package io.rproxy.resp;

import static io.rproxy.resp.Feeds.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Limits right at and just past their bounds, with a tiny RespLimits so every edge is cheap to reach. */
class RespLimitsTest {
    private static final RespLimits TINY = new RespLimits(1024, 8, 64);

    record Case(String name, String input, String error) {
        static Case ok(String name, String input) {
            return new Case(name, input, null);
        }
    }

    private static String multibulk(int args, int length) {
        List<byte[]> list = new ArrayList<>(Collections.nCopies(args, bytes("x".repeat(length))));
        return Feeds.string(RespCommand.of(list).frame());
    }

    private static final List<Case> COMMANDS = List.of(
            Case.ok("bulk at the limit", multibulk(1, 1024)),
            new Case("bulk past the limit", multibulk(1, 1025), "invalid bulk length"),
            Case.ok("arguments at the limit", multibulk(8, 1)),
            new Case("arguments past the limit", multibulk(9, 1), "invalid multibulk length"),
            Case.ok("inline at the limit with CRLF", "P".repeat(64) + "\r\n"),
            Case.ok("inline at the limit with LF", "P".repeat(64) + "\n"),
            new Case("inline past the limit with CRLF", "P".repeat(65) + "\r\n", "too big inline request"),
            new Case("inline past the limit, no newline yet", "P".repeat(66), "too big inline request"),
            new Case("inline past the limit, long stream", "P".repeat(100_000), "too big inline request"),
            Case.ok("inline with as many arguments as allowed", "a b c d e f g h\r\n"),
            new Case("inline with too many arguments", "a b c d e f g h i\r\n", "too many arguments in inline request"),
            new Case("count line past the limit", "*" + "1".repeat(64) + "\r\n", "too big mbulk count string"),
            new Case("bulk length line past the limit", "*1\r\n$" + "1".repeat(64) + "\r\n",
                    "too big bulk count string"));

    @TestFactory
    Stream<DynamicTest> commandLimits() {
        return COMMANDS.stream().flatMap(c -> Feeds.all().stream().map(feed ->
                DynamicTest.dynamicTest(c.name() + " / " + feed, () -> {
                    RespReader reader = new RespReader(feed.open(bytes(c.input())), TINY);
                    if (c.error() == null) {
                        assertEquals(bytes(c.input()).length > 0, reader.readCommand() != null);
                    } else {
                        assertEquals(c.error(), assertThrows(ProtocolException.class, reader::readCommand).getMessage());
                    }
                })));
    }

    private static final List<Case> REPLIES = List.of(
            Case.ok("bulk at the limit", "$1024\r\n" + "x".repeat(1024) + "\r\n"),
            // The limits are for what clients send: a server's reply past them is still legal (issue 12, item 5).
            Case.ok("bulk past the limit", "$1025\r\n" + "x".repeat(1025) + "\r\n"),
            // Reply arrays are not capped by maxArguments: LRANGE may rightly return more than a request carries.
            Case.ok("array past the argument limit", "*9\r\n" + ":1\r\n".repeat(9)));

    @TestFactory
    Stream<DynamicTest> replyLimits() {
        return REPLIES.stream().flatMap(c -> Feeds.all().stream().map(feed ->
                DynamicTest.dynamicTest(c.name() + " / " + feed, () -> {
                    RespReader reader = new RespReader(feed.open(bytes(c.input())), TINY);
                    if (c.error() == null) {
                        assertEquals(c.input(), Feeds.string(reader.readReply().bytes()));
                    } else {
                        assertEquals(c.error(), assertThrows(ProtocolException.class, reader::readReply).getMessage());
                    }
                })));
    }

    @Test
    void limitsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new RespLimits(0, 8, 64));
        assertThrows(IllegalArgumentException.class, () -> new RespLimits(1024, 0, 64));
        assertThrows(IllegalArgumentException.class, () -> new RespLimits(1024, 8, 15));
    }

    @Test
    void tooManyArgumentsIsRejectedBeforeAnyArgumentArrives() throws IOException {
        RespReader reader = new RespReader(Feeds.all().get(1).open(bytes("*9\r\n")), TINY);
        assertEquals("invalid multibulk length", assertThrows(ProtocolException.class, reader::readCommand).getMessage());
    }
}
