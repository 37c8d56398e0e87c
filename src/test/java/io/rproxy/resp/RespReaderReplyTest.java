package io.rproxy.resp;

import static io.rproxy.resp.Feeds.bytes;
import static io.rproxy.resp.Feeds.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/** Replies: every RESP2 type, nesting, nulls and garbage, each fed whole and in fragments. */
class RespReaderReplyTest {

    record Invalid(String input, String message) {
    }

    private static final List<String> VALID = List.of(
            "+OK\r\n",
            "+\r\n",
            "-ERR unknown command 'foo', with args beginning with: \r\n",
            "-MOVED 3999 127.0.0.1:6381\r\n",
            ":0\r\n",
            ":-1\r\n",
            ":9223372036854775807\r\n",
            ":-9223372036854775808\r\n",
            "$-1\r\n",
            "$0\r\n\r\n",
            "$5\r\na\r\n\0b\r\n",
            "*-1\r\n",
            "*0\r\n",
            "*3\r\n:1\r\n$-1\r\n*2\r\n+a\r\n-b\r\n",
            "*2\r\n*-1\r\n*0\r\n",
            "*2\r\n$1\r\nk\r\n*2\r\n$1\r\n0\r\n*1\r\n$3\r\nabc\r\n",
            nested(64),
            nested(65),
            nested(5000), // Redis answers EVAL with a Lua table nested this deep
            "*2\r\n" + nested(1000) + "$1\r\nx\r\n");

    private static final List<Invalid> INVALID = List.of(
            new Invalid("!3\r\nabc\r\n", "unexpected reply type byte '!'"),
            new Invalid("%1\r\n+a\r\n+b\r\n", "unexpected reply type byte '%'"),
            new Invalid("_\r\n", "unexpected reply type byte '_'"),
            new Invalid("\r\n", "unexpected reply type byte '\\x0d'"),
            new Invalid("*1\r\nPING\r\n", "unexpected reply type byte 'P'"),
            new Invalid("+OK\rX", "expected LF after CR"),
            new Invalid("+O\nK\r\n", "LF inside a status reply"),
            new Invalid(":abc\r\n", "invalid integer reply"),
            new Invalid(":01\r\n", "invalid integer reply"),
            new Invalid(":+1\r\n", "invalid integer reply"),
            new Invalid(":\r\n", "invalid integer reply"),
            new Invalid(":9223372036854775808\r\n", "invalid integer reply"),
            new Invalid(":" + "1".repeat(40) + "\r\n", "invalid integer reply"),
            new Invalid(":1\rX", "expected LF after CR"),
            new Invalid("$-2\r\n", "invalid bulk length"),
            new Invalid("$x\r\n", "invalid bulk length"),
            new Invalid("$3\r\nabcX\r\n", "expected CRLF after bulk data"),
            new Invalid("$3\r\nab\r\n\r\n", "expected CRLF after bulk data"),
            new Invalid("$3\r\nabc\rX", "expected CRLF after bulk data"),
            new Invalid("*-2\r\n", "invalid multibulk length"),
            new Invalid("*2147483648\r\n", "invalid multibulk length"),
            new Invalid("*2\r\n:1\r\n:x\r\n", "invalid integer reply"),
            new Invalid("*1\r\n".repeat(100_000) + "!\r\n", "unexpected reply type byte '!'"));

    /** {@code depth} arrays, each holding the next; the innermost holds one integer. */
    static String nested(int depth) {
        return "*1\r\n".repeat(depth) + ":7\r\n";
    }

    @TestFactory
    Stream<DynamicTest> validReplies() {
        return VALID.stream().flatMap(input -> Feeds.all().stream().map(feed ->
                DynamicTest.dynamicTest(printable(input) + " / " + feed, () -> {
                    // Twice in a row: a reply must end exactly where the next one starts.
                    RespReader reader = new RespReader(feed.open(bytes(input + input)), RespLimits.DEFAULT);
                    assertEquals(input, string(reader.readReply().bytes()));
                    assertEquals(input, string(reader.readReply().bytes()));
                    assertFalse(reader.hasBufferedInput());
                    assertThrows(EOFException.class, reader::readReply);
                })));
    }

    @Test
    void theCommonestRepliesAreSharedAndOthersCopied() throws IOException {
        RespReader reader = new RespReader(new ByteArrayInputStream(bytes("+OK\r\n$-1\r\n*-1\r\n+OK\r\n+ok\r\n")),
                RespLimits.DEFAULT);
        assertSame(Reply.OK, reader.readReply());
        assertSame(Reply.NULL_BULK, reader.readReply());
        assertSame(Reply.NULL_ARRAY, reader.readReply());
        assertSame(Reply.OK, reader.readReply());
        Reply other = reader.readReply();
        assertNotSame(Reply.OK, other);
        assertEquals("+ok\r\n", string(other.bytes()));
    }

    @TestFactory
    Stream<DynamicTest> invalidReplies() {
        return INVALID.stream().flatMap(c -> Feeds.all().stream().map(feed ->
                DynamicTest.dynamicTest(printable(c.input()) + " / " + feed, () -> {
                    RespReader reader = new RespReader(feed.open(bytes(c.input())), RespLimits.DEFAULT);
                    assertEquals(c.message(), assertThrows(ProtocolException.class, reader::readReply).getMessage());
                })));
    }

    @TestFactory
    Stream<DynamicTest> endOfStreamInsideAReply() {
        List<String> truncated = List.of("", "+OK", "+OK\r", "-ERR", ":1", "$5\r\nab", "$5\r\nabcde\r", "*2\r\n:1\r\n",
                "*1\r\n*1\r\n", "$-1\r");
        return truncated.stream().flatMap(input -> Feeds.all().stream().map(feed ->
                DynamicTest.dynamicTest("'" + printable(input) + "' / " + feed, () -> {
                    RespReader reader = new RespReader(feed.open(bytes(input)), RespLimits.DEFAULT);
                    assertThrows(EOFException.class, reader::readReply);
                })));
    }

    @TestFactory
    Stream<DynamicTest> largeBulkAndArrayReplies() {
        byte[] value = new byte[1024 * 1024 + 3];
        new Random(5).nextBytes(value);
        byte[] bulk = Reply.bulk(value).bytes();
        byte[] array = Reply.array(List.of(Reply.bulk(value), Reply.integer(1), Reply.NULL_BULK)).bytes();
        byte[] input = RespReaderCommandTest.concat(bulk, array, Reply.OK.bytes());
        return Feeds.all().stream().map(feed -> DynamicTest.dynamicTest(feed.toString(), () -> {
            RespReader reader = new RespReader(feed.open(input), RespLimits.DEFAULT);
            assertArrayEquals(bulk, reader.readReply().bytes());
            Reply decoded = reader.readReply();
            assertArrayEquals(array, decoded.bytes());
            assertArrayEquals(value, decoded.elements().get(0).bulkValue());
            assertEquals(Reply.OK, reader.readReply());
        }));
    }

    @Test
    void pipelinedRepliesLeaveBufferedInput() throws IOException {
        RespReader reader = new RespReader(new ByteArrayInputStream(bytes("+OK\r\n:1\r\n")), RespLimits.DEFAULT);
        assertEquals(Reply.OK, reader.readReply());
        assertTrue(reader.hasBufferedInput());
        assertEquals(1, reader.readReply().integer());
        assertFalse(reader.hasBufferedInput());
    }

    /** The timeout catches a buffer that grows by a few bytes per refill (quadratic copying). */
    @Test
    @Timeout(10)
    void replyOfMillionElementsIsReadInLinearTime() throws IOException {
        StringBuilder s = new StringBuilder("*1000000\r\n");
        s.append(":1\r\n".repeat(1_000_000));
        RespReader reader = new RespReader(new ByteArrayInputStream(bytes(s.toString())), RespLimits.DEFAULT);
        Reply reply = reader.readReply();
        assertEquals(1_000_000, reply.elements().size());
    }

    /** Status lines whose CR ends the buffer, LF still unread, after earlier replies: compaction moves them. */
    @TestFactory
    Stream<DynamicTest> pipelinedStatusLinesAcrossTheBufferEnd() {
        // The second reply's CR is the 64th byte: the first read of a 64-byte buffer ends just before its LF.
        StringBuilder s = new StringBuilder("+OK\r\n-" + "E".repeat(57) + "\r\n");
        for (int i = 0; i < 198; i++) {
            s.append("-ERR rproxy: timeout ").append("x".repeat(i % 37)).append("\r\n");
        }
        String all = s.toString();
        return Feeds.all().stream().map(feed -> DynamicTest.dynamicTest(feed.toString(), () -> {
            RespReader reader = new RespReader(feed.open(bytes(all)), RespLimits.DEFAULT, 64);
            StringBuilder read = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                read.append(string(reader.readReply().bytes()));
            }
            assertEquals(all, read.toString());
        }));
    }

    /** The client limits bound requests only: a reply with a bulk beyond maxBulkLength is read whole. */
    @Test
    void clientLimitsDoNotApplyToReplies() throws IOException {
        RespLimits tight = new RespLimits(16, 4, 64 * 1024);
        String big = "$20\r\n" + "x".repeat(20) + "\r\n";
        String wide = "*5\r\n" + ":1\r\n".repeat(5);
        RespReader reader = new RespReader(new ByteArrayInputStream(bytes(big + wide)), tight);
        assertEquals(big, string(reader.readReply().bytes()));
        assertEquals(wide, string(reader.readReply().bytes()));
    }

    /**
     * A reply over the reply bound is read past without being buffered whole: the reader returns an error in its
     * place, says so, and the next reply is read as it should be (the stream stays aligned).
     */
    @TestFactory
    Stream<DynamicTest> aReplyTooLargeIsReadPastAndTheNextOneIsIntact() {
        int max = 40_000;
        List<String> tooLarge = List.of(
                "$500000\r\n" + "v".repeat(500_000) + "\r\n",
                "*3\r\n:1\r\n$200000\r\n" + "v".repeat(200_000) + "\r\n+after\r\n",
                "*50000\r\n" + ":12\r\n".repeat(50_000),
                "*1\r\n".repeat(3000) + "*40000\r\n" + "$1\r\nx\r\n".repeat(40_000),
                "+" + "s".repeat(50_000) + "\r\n");
        return tooLarge.stream().flatMap(input -> Feeds.all().stream().map(feed ->
                DynamicTest.dynamicTest(printable(input) + " / " + feed, () -> {
                    RespReader reader = new RespReader(feed.open(bytes(input + "+OK\r\n" + input + ":5\r\n")),
                            RespLimits.DEFAULT, 256, max);
                    for (String next : List.of("+OK\r\n", ":5\r\n")) {
                        Reply placeholder = reader.readReply();
                        assertTrue(reader.lastReplyDiscarded());
                        assertTrue(placeholder.isError(), placeholder::toString);
                        assertEquals(input.length(), reader.lastReplyLength());
                        assertTrue(reader.bufferCapacity() <= 4 * max, "buffered " + reader.bufferCapacity());
                        assertEquals(next, string(reader.readReply().bytes()));
                        assertFalse(reader.lastReplyDiscarded());
                    }
                })));
    }

    static String printable(String s) {
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return shown.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }
}
