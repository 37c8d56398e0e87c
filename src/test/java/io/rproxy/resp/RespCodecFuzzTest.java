package io.rproxy.resp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rproxy.resp.RespReference.End;
import io.rproxy.resp.RespReference.Reading;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the codec with Jazzer: {@link RespReader} reading commands and replies from
 * arbitrary bytes handed out in arbitrary fragments, and {@link InlineSplitter}. Each input must read as
 * {@link RespReference} reads it (the same frames, then the same kind of end: clean, truncated or invalid),
 * and fail, if it fails, only with {@link ProtocolException} or an end of stream; never another exception, a hang
 * (a zero-byte read, which spins on a socket, more reads than bytes, or the timeout) or an allocation that the
 * bytes sent do not pay for.
 *
 * <p>A plain {@code mvn verify} runs only the kept inputs in {@code src/test/resources/io/rproxy/resp/
 * RespCodecFuzzTestInputs/codec/} (Jazzer's regression mode); {@code mvn -Pfuzz test} fuzzes for
 * {@code fuzz.duration} (test-harness/README.md, "Fuzzing the codec"). Input layout, so that kept inputs can be
 * written by hand: byte 0 picks the target, {@code C} commands, {@code R} replies, {@code I} the splitter (any
 * other byte: its value modulo 3, in that order). Then for commands and replies four header bytes and the bytes
 * read:
 * <pre>
 *   byte 1: bits 0-5 the largest fragment minus one (1..64 bytes a read), bits 6-7 the initial buffer (64 << n)
 *   byte 2: seed of the fragment sizes
 *   byte 3: bits 6-7 the limits: 0-1 small (below), 2 RespLimits.DEFAULT, 3 DEFAULT with the largest bulk length;
 *           small: bits 0-5 maxInlineLength - 16
 *   byte 4: small: bits 0-2 maxArguments - 1, bits 3-7 maxBulkLength - 1, and replies are kept up to
 *           1 + 8 * byte 4 bytes (RespReader.MAX_REPLY_BYTES otherwise; a longer one is read past)
 * </pre>
 * and for the splitter three: bytes skipped at the start of the line, at its end, and maxArguments - 1; then the
 * line.
 *
 * <p>Run by the test thread (Jazzer's fuzzing loop, in fuzzing mode).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RespCodecFuzzTest {
    /** Allowance for what any reading allocates whatever its length: exceptions, their stack traces, lists. */
    private static final long ALLOCATION_BASE = 64 * 1024;
    /**
     * Allocation a byte of input may cost: a two-byte inline request {@code a\n} becomes a command of five objects
     * (about 150 bytes), a three-byte reply {@code +\r\n} a Reply and its array (about 40).
     */
    private static final long ALLOCATION_PER_BYTE = 128;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * One target for the three, so that a bounded run pays Jazzer's start-up (seconds) once: Jazzer fuzzes one
     * {@code @FuzzTest} per JVM.
     */
    @FuzzTest(maxDuration = "10s")
    @DictionaryFile(resourcePath = "RespCodecFuzzTest.dict")
    void codec(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        switch (input[0]) {
            case 'C' -> commands(rest);
            case 'R' -> replies(rest);
            case 'I' -> inlineSplitter(rest);
            default -> {
                switch ((input[0] & 0xff) % 3) {
                    case 0 -> commands(rest);
                    case 1 -> replies(rest);
                    default -> inlineSplitter(rest);
                }
            }
        }
    }

    private static void commands(byte[] input) throws IOException {
        Setup setup = Setup.of(input);
        Reading expected = RespReference.commands(setup.data(), setup.limits());
        Read first = readCommands(setup);
        assertSameReading(expected, first, setup);
        // Again, once any first-time costs (class loading, string concatenation bootstraps) are paid.
        Read again = readCommands(setup);
        assertAllocationPaidFor(again, setup);
    }

    private static void replies(byte[] input) throws IOException {
        Setup setup = Setup.of(input);
        Reading expected = RespReference.replies(setup.data(), setup.maxReplyBytes());
        Read first = readReplies(setup);
        assertSameReading(expected, first, setup);
        Read again = readReplies(setup);
        assertAllocationPaidFor(again, setup);
    }

    private static void inlineSplitter(byte[] input) {
        byte[] line = input.length > 3 ? Arrays.copyOfRange(input, 3, input.length) : new byte[0];
        int from = Math.min(at(input, 0), line.length);
        int to = line.length - Math.min(at(input, 1), line.length - from);
        int maxArguments = 1 + (at(input, 2) & 0x1f);
        List<byte[]> expected = RespReference.splitArgs(Arrays.copyOfRange(line, from, to));
        String context = "line " + printable(Arrays.copyOfRange(line, from, to)) + ", maxArguments " + maxArguments;
        RespCommand command;
        try {
            command = InlineSplitter.split(line, from, to, maxArguments);
        } catch (ProtocolException e) {
            assertTrue(expected == null || expected.size() > maxArguments, context + ": refused, but Redis splits it");
            return;
        }
        assertNotNull(expected, context + ": unbalanced for Redis, accepted here");
        assertTrue(expected.size() <= maxArguments, context + ": more arguments than allowed, accepted");
        if (expected.isEmpty()) {
            assertNull(command, context + ": a blank line is no command");
        } else {
            assertNotNull(command, context);
            assertCommand(expected, command, context);
        }
    }

    // ---- the readings ------------------------------------------------------------------------------

    /** What RespReader gave: its frames (and the commands, when it read commands), how it ended, what it allocated. */
    private record Read(List<List<byte[]>> frames, End end, long allocated, List<RespCommand> commands) {
    }

    private static Read readCommands(Setup setup) throws IOException {
        Feeds.FragmentedInputStream feed = setup.feed();
        List<RespCommand> commands = new ArrayList<>();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        RespReader reader = new RespReader(feed, setup.limits(), setup.initialBuffer());
        End end;
        try {
            for (RespCommand command; (command = reader.readCommand()) != null; ) {
                commands.add(command);
                assertBufferPaidFor(reader, feed, setup);
            }
            end = End.CLEAN;
        } catch (EOFException e) {
            end = End.TRUNCATED;
        } catch (ProtocolException e) {
            end = End.INVALID;
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertBufferPaidFor(reader, feed, setup);
        assertTrue(feed.reads() <= setup.data().length + 1, feed.reads() + " reads for " + setup.data().length
                + " bytes handed out at least one at a time");
        List<List<byte[]>> frames = new ArrayList<>();
        for (RespCommand command : commands) {
            frames.add(args(command));
        }
        return new Read(frames, end, allocated, commands);
    }

    private static Read readReplies(Setup setup) throws IOException {
        Feeds.FragmentedInputStream feed = setup.feed();
        List<List<byte[]>> frames = new ArrayList<>();
        long consumed = 0;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        RespReader reader = new RespReader(feed, setup.limits(), setup.initialBuffer(), setup.maxReplyBytes());
        End end;
        try {
            while (true) {
                byte[] reply = reader.readReply().bytes();
                frames.add(List.of(reply));
                consumed += reader.lastReplyLength();
                // A message built only on failure: this loop's allocation is measured.
                assertEquals(reader.lastReplyLength() > setup.maxReplyBytes(), reader.lastReplyDiscarded(),
                        () -> setup + ": discarded or not, a reply of " + reader.lastReplyLength() + " bytes");
                assertBufferPaidFor(reader, feed, setup);
            }
        } catch (EOFException e) {
            // The replies' lengths as sent add up to the input when the end of stream came between two.
            end = consumed == setup.data().length ? End.CLEAN : End.TRUNCATED;
        } catch (ProtocolException e) {
            end = End.INVALID;
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertBufferPaidFor(reader, feed, setup);
        assertTrue(feed.reads() <= setup.data().length + 1, feed.reads() + " reads for " + setup.data().length
                + " bytes handed out at least one at a time");
        return new Read(frames, end, allocated, List.of());
    }

    // ---- the checks --------------------------------------------------------------------------------

    private static void assertSameReading(Reading expected, Read actual, Setup setup) {
        String context = setup.toString();
        int common = Math.min(expected.frames().size(), actual.frames().size());
        for (int i = 0; i < common; i++) {
            List<byte[]> want = expected.frames().get(i);
            List<byte[]> got = actual.frames().get(i);
            assertEquals(printable(want), printable(got), context + ": frame " + i);
            if (!actual.commands().isEmpty()) {
                assertCommand(want, actual.commands().get(i), context + ": frame " + i);
            }
        }
        assertEquals(expected.frames().size(), actual.frames().size(), context + ": number of frames");
        assertEquals(expected.end(), actual.end(), context + ": how the reading ends");
    }

    /** The command has exactly these arguments, its frame is their canonical encoding and its spans point at them. */
    private static void assertCommand(List<byte[]> args, RespCommand command, String context) {
        assertEquals(printable(args), printable(args(command)), context);
        assertArrayEquals(RespReference.encode(args), command.frame(), context + ": frame");
        for (int i = 0; i < command.argCount(); i++) {
            byte[] arg = Arrays.copyOfRange(command.frame(), command.argOffset(i),
                    command.argOffset(i) + command.argLength(i));
            assertArrayEquals(args.get(i), arg, context + ": span of argument " + i);
        }
    }

    /**
     * The reader grows its buffer by doubling a full one and never to an announced length, so it never holds more
     * than twice what it has been sent (or its initial buffer).
     */
    private static void assertBufferPaidFor(RespReader reader, Feeds.FragmentedInputStream feed, Setup setup) {
        long bound = Math.max(setup.initialBuffer(), 2L * feed.handedOut());
        if (reader.bufferCapacity() > bound) {
            fail(setup + ": a buffer of " + reader.bufferCapacity() + " bytes after " + feed.handedOut()
                    + " bytes sent");
        }
    }

    private static void assertAllocationPaidFor(Read read, Setup setup) {
        long bound = ALLOCATION_BASE + 2L * setup.initialBuffer() + ALLOCATION_PER_BYTE * setup.data().length;
        if (read.allocated() > bound) {
            fail(setup + ": allocated " + read.allocated() + " bytes reading " + setup.data().length + " bytes");
        }
    }

    private static List<byte[]> args(RespCommand command) {
        List<byte[]> args = new ArrayList<>();
        for (int i = 0; i < command.argCount(); i++) {
            args.add(command.arg(i));
        }
        return args;
    }

    private static String printable(List<byte[]> frame) {
        StringBuilder out = new StringBuilder("[");
        for (byte[] part : frame) {
            out.append(out.length() > 1 ? ", " : "").append(printable(part));
        }
        return out.append(']').toString();
    }

    static String printable(byte[] bytes) {
        return RespBytes.printable(bytes, 0, bytes.length, 400);
    }

    private static int at(byte[] input, int index) {
        return index < input.length ? input[index] & 0xff : 0;
    }

    // ---- the input ---------------------------------------------------------------------------------

    /** An input decoded: the reader's limits and buffer, how the bytes are cut into reads, and the bytes. */
    private record Setup(RespLimits limits, long maxReplyBytes, int initialBuffer, int maxFragment, long seed,
            byte[] data) {
        static Setup of(byte[] input) {
            int b0 = at(input, 0);
            int b2 = at(input, 2);
            int b3 = at(input, 3);
            RespLimits limits = switch (b2 >>> 6) {
                case 2 -> RespLimits.DEFAULT;
                case 3 -> new RespLimits(Integer.MAX_VALUE - 16, RespLimits.DEFAULT.maxArguments(),
                        RespLimits.DEFAULT.maxInlineLength());
                default -> new RespLimits(1 + (b3 >>> 3), 1 + (b3 & 7), 16 + (b2 & 0x3f));
            };
            long maxReplyBytes = b2 >>> 6 >= 2 ? RespReader.MAX_REPLY_BYTES : 1 + (b3 << 3);
            byte[] data = input.length > 4 ? Arrays.copyOfRange(input, 4, input.length) : new byte[0];
            return new Setup(limits, maxReplyBytes, 64 << (b0 >>> 6), 1 + (b0 & 0x3f), at(input, 1), data);
        }

        Feeds.FragmentedInputStream feed() {
            return new Feeds.FragmentedInputStream(data, seed, maxFragment);
        }

        @Override
        public String toString() {
            return "input " + printable(data) + " (" + data.length + " bytes, " + limits + ", replies up to "
                    + maxReplyBytes + " bytes, buffer " + initialBuffer + ", reads of 1.." + maxFragment
                    + " bytes, seed " + seed + ")";
        }
    }
}
