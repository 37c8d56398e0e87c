package io.rproxy.resp;

import static io.rproxy.resp.Feeds.bytes;
import static io.rproxy.resp.Feeds.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Requests: valid and invalid frames, each fed whole and in fragments. */
class RespReaderCommandTest {

    /** Input, and the commands it must yield (arguments as Latin-1 strings), then a clean EOF. */
    record Valid(String name, String input, List<List<String>> commands) {
    }

    /** Input and the message of the ProtocolException it must raise. */
    record Invalid(String name, String input, String message) {
    }

    private static final List<Valid> VALID = List.of(
            new Valid("ping", "*1\r\n$4\r\nPING\r\n", List.of(List.of("PING"))),
            new Valid("set with empty value", "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$0\r\n\r\n",
                    List.of(List.of("SET", "a", ""))),
            new Valid("binary payload with CRLF and NUL", "*2\r\n$3\r\nGET\r\n$5\r\na\r\n\0b\r\n",
                    List.of(List.of("GET", "a\r\n\0b"))),
            new Valid("pipelined", "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
                    List.of(List.of("PING"), List.of("GET", "k"))),
            new Valid("empty and null multibulk are skipped", "*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n*0\r\n",
                    List.of(List.of("PING"))),
            new Valid("only skipped frames", "*0\r\n*-1\r\n", List.of()),
            new Valid("nothing", "", List.of()),
            new Valid("inline", "PING\r\n", List.of(List.of("PING"))),
            new Valid("inline with bare LF (telnet)", "set a b\n", List.of(List.of("set", "a", "b"))),
            new Valid("blank inline lines are skipped", "\r\n\n  \t\r\nPING\r\n\n", List.of(List.of("PING"))),
            new Valid("inline and multibulk mixed", "get a\r\n*1\r\n$4\r\nPING\r\nquit\n",
                    List.of(List.of("get", "a"), List.of("PING"), List.of("quit"))),
            new Valid("more arguments than the initial capacity", manyArgs(40), List.of(argList(40))),
            new Valid("large count header", "*10\r\n" + "$1\r\nx\r\n".repeat(10),
                    List.of(List.of("x", "x", "x", "x", "x", "x", "x", "x", "x", "x"))));

    private static final List<Invalid> INVALID = List.of(
            new Invalid("letters in count", "*abc\r\n", "invalid multibulk length"),
            new Invalid("trailing junk in count", "*1x\r\n", "invalid multibulk length"),
            new Invalid("plus sign in count", "*+1\r\n", "invalid multibulk length"),
            new Invalid("leading zero in count", "*01\r\n", "invalid multibulk length"),
            new Invalid("minus zero count", "*-0\r\n", "invalid multibulk length"),
            new Invalid("empty count", "*\r\n", "invalid multibulk length"),
            new Invalid("space in count", "*1 \r\n", "invalid multibulk length"),
            new Invalid("count overflows long", "*99999999999999999999\r\n", "invalid multibulk length"),
            new Invalid("count above maxArguments", "*1048577\r\n", "invalid multibulk length"),
            new Invalid("CR without LF after count", "*1\rX$4\r\nPING\r\n", "expected LF after CR"),
            new Invalid("not a bulk", "*1\r\nfoo\r\n", "expected '$', got 'f'"),
            new Invalid("empty line instead of bulk", "*1\r\n\r\n", "expected '$', got '\\x0d'"),
            new Invalid("control byte instead of bulk", "*1\r\n\u0001\r\n", "expected '$', got '\\x01'"),
            new Invalid("inline after count", "*2\r\n$4\r\nECHO\r\nhello\r\n", "expected '$', got 'h'"),
            new Invalid("letters in bulk length", "*1\r\n$abc\r\n", "invalid bulk length"),
            new Invalid("negative bulk length", "*1\r\n$-1\r\n", "invalid bulk length"),
            new Invalid("leading zero in bulk length", "*1\r\n$04\r\nPING\r\n", "invalid bulk length"),
            new Invalid("space in bulk length", "*1\r\n$3 \r\n", "invalid bulk length"),
            new Invalid("empty bulk length", "*1\r\n$\r\n", "invalid bulk length"),
            new Invalid("bulk above 512 MB", "*1\r\n$536870913\r\n", "invalid bulk length"),
            new Invalid("CR without LF after bulk length", "*1\r\n$4\rXPING\r\n", "expected LF after CR"),
            new Invalid("payload longer than announced", "*1\r\n$4\r\nPINGXX\r\n", "expected CRLF after bulk data"),
            new Invalid("payload shorter than announced", "*1\r\n$4\r\nPIN\r\n\r\n", "expected CRLF after bulk data"),
            new Invalid("payload ends in LF LF", "*1\r\n$3\r\nabc\n\n", "expected CRLF after bulk data"),
            new Invalid("payload ends in CR without LF", "*1\r\n$3\r\nabc\rX", "expected CRLF after bulk data"),
            new Invalid("unterminated double quote", "echo \"a\r\n", "unbalanced quotes in request"),
            new Invalid("unterminated single quote", "echo 'a\r\n", "unbalanced quotes in request"),
            new Invalid("text after closing quote", "echo \"a\"b\r\n", "unbalanced quotes in request"),
            new Invalid("count line too long", "*" + "1".repeat(70_000), "too big mbulk count string"),
            new Invalid("bulk length line too long", "*1\r\n$" + "1".repeat(70_000), "too big bulk count string"),
            new Invalid("inline line too long", "P".repeat(70_000), "too big inline request"),
            new Invalid("inline line too long with newline", "P".repeat(65_537) + "\r\n", "too big inline request"));

    private static String manyArgs(int n) {
        StringBuilder s = new StringBuilder("*" + n + "\r\n");
        for (int i = 0; i < n; i++) {
            s.append('$').append(String.valueOf(i).length()).append("\r\n").append(i).append("\r\n");
        }
        return s.toString();
    }

    private static List<String> argList(int n) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            args.add(String.valueOf(i));
        }
        return args;
    }

    @TestFactory
    Stream<DynamicTest> validFrames() {
        return VALID.stream().flatMap(c -> Feeds.all().stream().map(feed ->
                DynamicTest.dynamicTest(c.name() + " / " + feed, () -> assertValid(c, feed))));
    }

    private static void assertValid(Valid c, Feeds.Feed feed) throws IOException {
        RespReader reader = new RespReader(feed.open(bytes(c.input())), RespLimits.DEFAULT);
        for (List<String> expected : c.commands()) {
            RespCommand command = reader.readCommand();
            assertEquals(expected, args(command));
            assertFrameIsConsistent(command, c.input());
        }
        assertNull(reader.readCommand(), "clean EOF after the last command");
        assertFalse(reader.hasBufferedInput());
    }

    /**
     * The frame is the canonical multibulk encoding of the arguments (what was sent, for a multibulk request;
     * the re-encoding, for an inline one), and every offset and length points at its argument's payload.
     */
    private static void assertFrameIsConsistent(RespCommand command, String input) {
        String frame = string(command.frame());
        assertArrayEquals(RespCommand.of(argBytes(command)).frame(), command.frame(), "canonical frame");
        if (!input.contains(frame)) {
            assertFalse(input.startsWith("*"), "a multibulk frame must be passed on as sent");
        }
        for (int i = 0; i < command.argCount(); i++) {
            int offset = command.argOffset(i);
            String header = "$" + command.argLength(i) + "\r\n";
            assertEquals(header, frame.substring(offset - header.length(), offset));
            assertEquals("\r\n", frame.substring(offset + command.argLength(i), offset + command.argLength(i) + 2));
        }
    }

    static List<String> args(RespCommand command) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < command.argCount(); i++) {
            args.add(string(command.arg(i)));
        }
        return args;
    }

    private static List<byte[]> argBytes(RespCommand command) {
        List<byte[]> args = new ArrayList<>();
        for (int i = 0; i < command.argCount(); i++) {
            args.add(command.arg(i));
        }
        return args;
    }

    @TestFactory
    Stream<DynamicTest> invalidFrames() {
        return INVALID.stream().flatMap(c -> Feeds.all().stream().map(feed ->
                DynamicTest.dynamicTest(c.name() + " / " + feed, () -> {
                    RespReader reader = new RespReader(feed.open(bytes(c.input())), RespLimits.DEFAULT);
                    ProtocolException e = assertThrows(ProtocolException.class, reader::readCommand);
                    assertEquals(c.message(), e.getMessage());
                })));
    }

    @TestFactory
    Stream<DynamicTest> endOfStreamInsideAFrame() {
        List<String> truncated = List.of("*", "*1", "*1\r", "*1\r\n", "*1\r\n$", "*1\r\n$4\r\n", "*1\r\n$4\r\nPI",
                "*1\r\n$4\r\nPING", "*1\r\n$4\r\nPING\r", "*2\r\n$4\r\nPING\r\n", "PING", "set a b\r",
                "*1\r\n$4\r\nPING\r\n*1\r\n");
        return truncated.stream().flatMap(input -> Feeds.all().stream().map(feed ->
                DynamicTest.dynamicTest(input.replace("\r", "\\r").replace("\n", "\\n") + " / " + feed, () -> {
                    RespReader reader = new RespReader(feed.open(bytes(input)), RespLimits.DEFAULT);
                    assertThrows(EOFException.class, () -> {
                        while (reader.readCommand() != null) {
                            // Complete commands before the truncated one are fine; the EOF must surface.
                        }
                    });
                })));
    }

    @Test
    void hugeAnnouncedCountWithoutDataIsOnlyAnEof() {
        // 1M arguments announced, one sent: the reader must not have sized anything by the announced count.
        RespReader reader = new RespReader(new ByteArrayInputStream(bytes("*1048576\r\n$1\r\nx\r\n")),
                RespLimits.DEFAULT);
        assertThrows(EOFException.class, reader::readCommand);
    }

    @Test
    void hugeAnnouncedBulkWithoutDataIsOnlyAnEof() {
        RespReader reader = new RespReader(new ByteArrayInputStream(bytes("*1\r\n$536870912\r\nabc")),
                RespLimits.DEFAULT);
        assertThrows(EOFException.class, reader::readCommand);
        assertTrue(reader.bufferCapacity() <= RespReader.INITIAL_BUFFER, "grown for data never sent");
    }

    @Test
    void pipelinedFramesLeaveBufferedInput() throws IOException {
        byte[] input = bytes("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        RespReader reader = new RespReader(new ByteArrayInputStream(input), RespLimits.DEFAULT);
        assertFalse(reader.hasBufferedInput());
        assertEquals("ping", reader.readCommand().name());
        assertTrue(reader.hasBufferedInput());
        assertEquals("get", reader.readCommand().name());
        assertFalse(reader.hasBufferedInput());
        assertNull(reader.readCommand());
    }

    /** The session times a command only when reading it took a read of the client (ClientSession.serve). */
    @Test
    void readsCountTheReadsThatReturnedBytesNotTheFramesParsed() throws IOException {
        byte[] pipeline = bytes("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        byte[] split = bytes("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        RespReader reader = new RespReader(new Feeds.ChunkedInputStream(List.of(pipeline,
                Arrays.copyOfRange(split, 0, 9), Arrays.copyOfRange(split, 9, split.length))), RespLimits.DEFAULT);
        assertEquals(0, reader.reads());
        reader.readCommand();
        assertEquals(1, reader.reads(), "the pipeline's first command took the one read");
        reader.readCommand();
        assertEquals(1, reader.reads(), "its second was already in the buffer");
        reader.readCommand();
        assertEquals(3, reader.reads(), "a command in two pieces takes two");
        assertNull(reader.readCommand());
        assertEquals(3, reader.reads(), "the end of the stream returns no bytes");
    }

    @TestFactory
    Stream<DynamicTest> oneMegabyteBulkCrossesBufferBoundaries() {
        byte[] value = new byte[1024 * 1024];
        new Random(42).nextBytes(value);
        byte[] set = RespCommand.of(List.of(bytes("SET"), bytes("key"), value)).frame();
        byte[] input = concat(set, bytes("*1\r\n$4\r\nPING\r\n"), set);
        List<Feeds.Feed> feeds = new ArrayList<>(Feeds.all());
        feeds.add(new Feeds.Feed("fragments of up to 5000", data -> new Feeds.FragmentedInputStream(data, 3, 5000)));
        return feeds.stream().map(feed -> DynamicTest.dynamicTest(feed.toString(), () -> {
            RespReader reader = new RespReader(feed.open(input), RespLimits.DEFAULT);
            for (int round = 0; round < 2; round++) {
                RespCommand command = reader.readCommand();
                assertArrayEquals(set, command.frame());
                assertArrayEquals(value, command.arg(2));
                assertEquals(value.length, command.argLength(2));
                if (round == 0) {
                    assertEquals("ping", reader.readCommand().name());
                }
            }
            assertNull(reader.readCommand());
        }));
    }

    @Test
    void aSmallBufferGrowsForAPeerThatKeepsItFull() throws IOException {
        byte[] set = bytes("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000012345\r\n$3\r\nxxx\r\n");
        byte[] pipeline = new byte[0];
        for (int i = 0; i < 64; i++) {
            pipeline = concat(pipeline, set);
        }
        RespReader reader = new RespReader(new ByteArrayInputStream(pipeline), RespLimits.DEFAULT, 256);
        for (int i = 0; i < 64; i++) {
            assertArrayEquals(set, reader.readCommand().frame());
        }
        assertNull(reader.readCommand());
        assertEquals(2048, reader.bufferCapacity(), "doubled while each read filled it: 256, 512, 1024, 2048");

        RespReader idle = new RespReader(new Feeds.ChunkedInputStream(List.of(set, set)), RespLimits.DEFAULT, 256);
        idle.readCommand();
        idle.readCommand();
        assertEquals(256, idle.bufferCapacity(), "one frame per read: no growth");
    }

    @Test
    void framesOfMoreThanHalfTheBufferNeverShrinkIt() throws IOException {
        // 140-byte SETs through a 256-byte buffer: moving a frame that straddles the end must not replace the
        // buffer by one that fits just that frame, or every later read would return one frame and a pipelining
        // client would wait a round trip per request.
        byte[] set = RespCommand.of(List.of(bytes("SET"), bytes("key:000000012345"), new byte[100])).frame();
        byte[] pipeline = new byte[0];
        for (int i = 0; i < 100; i++) {
            pipeline = concat(pipeline, set);
        }
        RespReader reader = new RespReader(new ByteArrayInputStream(pipeline), RespLimits.DEFAULT, 256);
        int buffered = 0;
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(set, reader.readCommand().frame());
            assertTrue(reader.bufferCapacity() >= 256, "shrunk to " + reader.bufferCapacity());
            buffered += reader.hasBufferedInput() ? 1 : 0;
        }
        assertTrue(buffered > 50, "most frames leave the next one buffered: " + buffered);
    }

    @Test
    void bufferShrinksBackAfterABigFrameOnceDrained() throws IOException {
        byte[] value = new byte[200_000];
        byte[] set = RespCommand.of(List.of(bytes("SET"), bytes("key"), value)).frame();
        RespReader reader = new RespReader(new Feeds.ChunkedInputStream(List.of(set, bytes("PING\r\n"))),
                RespLimits.DEFAULT);
        reader.readCommand();
        assertEquals(set.length, reader.bufferCapacity(), "a value that ends the frame is an exact fit");
        assertEquals("ping", reader.readCommand().name());
        assertEquals(RespReader.INITIAL_BUFFER, reader.bufferCapacity());
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
