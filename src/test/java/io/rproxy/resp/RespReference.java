package io.rproxy.resp;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The reference reading that {@link RespCodecFuzzTest} holds RespReader and InlineSplitter to: a slow parser
 * over the whole input as one byte array, recursive where RESP is, with no buffer, no stream and no state
 * beyond an index. It spells out the reader's contract, check by check, in the order the reader makes its
 * checks (that order decides whether a truncated bad frame is an end of stream or a protocol error):
 *
 * <ul>
 *   <li>a header line is found first: its CR within {@code bound} bytes of the type byte, then the byte after the
 *       CR; more bytes than that without a CR is a protocol error, fewer is an end of stream;
 *   <li>then the line is checked: the number (redis-server's string2ll, here by regular expression and
 *       BigInteger), the limits, the LF after the CR;
 *   <li>then the payload must be there in full ({@link RespBytes#MAX_ARRAY} bounds a request), then its CRLF.
 * </ul>
 * Replies are not held to the client limits: a status line has any length, arrays any depth, and a reply longer
 * than the reader's bound is read past and stands as an error reply.
 *
 * <p>Used by the test thread only.
 */
final class RespReference {
    /** Longest numeric reply line RespReader scans (type byte and digits before the CR). */
    private static final int NUMBER_LINE = 24;

    private RespReference() {
    }

    /** How a reading of the whole input ends after its complete frames. */
    enum End {
        /** Every byte belongs to a complete frame. */
        CLEAN,
        /** The last frame needs bytes past the end of the input. */
        TRUNCATED,
        /** The bytes are not RESP, or exceed the limits. */
        INVALID
    }

    /**
     * What reading the input gives: the frames in order and how the reading ends. For commands a frame is the
     * argument list; for replies it is the reply's bytes (one element).
     */
    record Reading(List<List<byte[]>> frames, End end) {
    }

    /** The bytes cannot be a frame: thrown inside the reference and turned into {@link End#INVALID}. */
    private static final class Invalid extends RuntimeException {
        Invalid() {
            super(null, null, false, false);
        }
    }

    /** The frame goes on past the end of the input. */
    private static final class Truncated extends RuntimeException {
        Truncated() {
            super(null, null, false, false);
        }
    }

    // ---- commands ----------------------------------------------------------------------------------

    /** What {@code readCommand()} repeated until null or an exception gives for {@code in}. */
    static Reading commands(byte[] in, RespLimits limits) {
        List<List<byte[]>> frames = new ArrayList<>();
        int p = 0;
        try {
            while (p < in.length) {
                List<byte[]> args = new ArrayList<>();
                p = in[p] == '*' ? multibulk(in, p, limits, args) : inline(in, p, limits, args);
                if (!args.isEmpty()) {
                    frames.add(args);
                }
            }
            return new Reading(frames, End.CLEAN);
        } catch (Truncated e) {
            return new Reading(frames, End.TRUNCATED);
        } catch (Invalid e) {
            return new Reading(frames, End.INVALID);
        }
    }

    /** Reads {@code *N\r\n} and N bulk strings at {@code start} into {@code args}; returns the end. */
    private static int multibulk(byte[] in, int start, RespLimits limits, List<byte[]> args) {
        int cr = line(in, start, limits.maxInlineLength());
        long count = number(in, start + 1, cr);
        check(count <= limits.maxArguments());
        int p = lf(in, cr);
        for (long i = 0; i < count; i++) {
            cr = line(in, p, limits.maxInlineLength());
            check(in[p] == '$');
            long length = number(in, p + 1, cr);
            check(length >= 0 && length <= limits.maxBulkLength());
            p = lf(in, cr);
            p = payload(in, start, p, length);
            args.add(Arrays.copyOfRange(in, p - (int) length - 2, p - 2));
        }
        return p;
    }

    /** Reads one inline line at {@code start} into {@code args} (none for a blank line); returns the end. */
    private static int inline(byte[] in, int start, RespLimits limits, List<byte[]> args) {
        int max = limits.maxInlineLength();
        int lf = find(in, start, (byte) '\n', max + 1);
        int end = lf > start && in[lf - 1] == '\r' ? lf - 1 : lf;
        check(end - start <= max);
        List<byte[]> split = splitArgs(Arrays.copyOfRange(in, start, end));
        check(split != null && split.size() <= limits.maxArguments());
        args.addAll(split);
        return lf + 1;
    }

    // ---- replies -----------------------------------------------------------------------------------

    /**
     * What {@code readReply()} repeated until an exception gives for {@code in}: the client limits do not apply to
     * replies, nor does any nesting cap; a reply longer than {@code maxReplyBytes} is read past and stands as the
     * error reply {@code -ERR reply of N bytes is too large to pass on}.
     */
    static Reading replies(byte[] in, long maxReplyBytes) {
        List<List<byte[]>> frames = new ArrayList<>();
        int p = 0;
        try {
            while (p < in.length) {
                int end = reply(in, p);
                byte[] bytes = end - p > maxReplyBytes
                        ? ("-ERR reply of " + (end - p) + " bytes is too large to pass on\r\n")
                                .getBytes(StandardCharsets.US_ASCII)
                        : Arrays.copyOfRange(in, p, end);
                frames.add(List.of(bytes));
                p = end;
            }
            return new Reading(frames, End.CLEAN);
        } catch (Truncated e) {
            return new Reading(frames, End.TRUNCATED);
        } catch (Invalid e) {
            return new Reading(frames, End.INVALID);
        }
    }

    /** Returns the end of the reply at {@code p}. */
    private static int reply(byte[] in, int p) {
        need(in, p);
        switch (in[p]) {
            case '+', '-' -> {
                // Any length; the first CR or LF decides: an LF before the CR is not RESP.
                for (int i = p + 1; i < in.length; i++) {
                    check(in[i] != '\n');
                    if (in[i] == '\r') {
                        need(in, i + 1);
                        return lf(in, i);
                    }
                }
                throw new Truncated();
            }
            case ':' -> {
                int cr = line(in, p, NUMBER_LINE);
                number(in, p + 1, cr);
                return lf(in, cr);
            }
            case '$' -> {
                int cr = line(in, p, NUMBER_LINE);
                long length = number(in, p + 1, cr);
                check(length >= -1);
                int next = lf(in, cr);
                return length == -1 ? next : payload(in, -1, next, length);
            }
            case '*' -> {
                int cr = line(in, p, NUMBER_LINE);
                long count = number(in, p + 1, cr);
                check(count >= -1 && count <= Integer.MAX_VALUE);
                int next = lf(in, cr);
                for (long i = 0; i < count; i++) {
                    next = reply(in, next);
                }
                return next;
            }
            default -> throw new Invalid();
        }
    }

    // ---- inline arguments --------------------------------------------------------------------------

    /**
     * redis-server's sdssplitargs, transcribed from its C over a NUL-terminated copy of the line, so that
     * {@code *p} and {@code *(p+1)} read as they do in C: the arguments, or null for unbalanced quotes.
     */
    static List<byte[]> splitArgs(byte[] line) {
        byte[] s = Arrays.copyOf(line, line.length + 1);
        List<byte[]> args = new ArrayList<>();
        int p = 0;
        while (true) {
            while (s[p] != 0 && isSpace(s[p])) {
                p++;
            }
            if (s[p] == 0) {
                return args;
            }
            ByteList current = new ByteList();
            boolean inq = false;
            boolean insq = false;
            boolean done = false;
            while (!done) {
                if (inq) {
                    if (s[p] == '\\' && s[p + 1] == 'x' && isHex(s[p + 2]) && isHex(s[p + 3])) {
                        current.add(Integer.parseInt(new String(s, p + 2, 2, StandardCharsets.US_ASCII), 16));
                        p += 3;
                    } else if (s[p] == '\\' && s[p + 1] != 0) {
                        p++;
                        current.add(switch (s[p]) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> s[p];
                        });
                    } else if (s[p] == '"') {
                        if (s[p + 1] != 0 && !isSpace(s[p + 1])) {
                            return null;
                        }
                        done = true;
                    } else if (s[p] == 0) {
                        return null;
                    } else {
                        current.add(s[p]);
                    }
                } else if (insq) {
                    if (s[p] == '\\' && s[p + 1] == '\'') {
                        p++;
                        current.add('\'');
                    } else if (s[p] == '\'') {
                        if (s[p + 1] != 0 && !isSpace(s[p + 1])) {
                            return null;
                        }
                        done = true;
                    } else if (s[p] == 0) {
                        return null;
                    } else {
                        current.add(s[p]);
                    }
                } else {
                    switch (s[p]) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inq = true;
                        case '\'' -> insq = true;
                        default -> current.add(s[p]);
                    }
                }
                if (s[p] != 0) {
                    p++;
                }
            }
            args.add(current.toArray());
        }
    }

    /** C's isspace() in the C locale; bytes above 0x7f (negative here, as a signed char) are not spaces. */
    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    private static boolean isHex(byte c) {
        return Character.digit(c, 16) >= 0;
    }

    /** Just enough of a growable byte array for {@link #splitArgs}. */
    private static final class ByteList {
        private byte[] bytes = new byte[8];
        private int size;

        void add(int b) {
            if (size == bytes.length) {
                bytes = Arrays.copyOf(bytes, size * 2);
            }
            bytes[size++] = (byte) b;
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, size);
        }
    }

    /** The canonical multibulk encoding of {@code args}, as redis-cli would send them. */
    static byte[] encode(List<byte[]> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(arg);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    // ---- pieces ------------------------------------------------------------------------------------

    /** The index of the CR ending the line at {@code p} (at most {@code bound} bytes before it), with a byte after it. */
    private static int line(byte[] in, int p, int bound) {
        int cr = find(in, p, (byte) '\r', bound);
        need(in, cr + 1);
        return cr;
    }

    /**
     * The index of the first {@code target} at most {@code bound} bytes after {@code p}: more than that without
     * it is invalid, less is truncated.
     */
    private static int find(byte[] in, int p, byte target, int bound) {
        long stop = Math.min(in.length, p + (long) bound + 1);
        for (int i = p; i < stop; i++) {
            if (in[i] == target) {
                return i;
            }
        }
        if (in.length - p > bound) {
            throw new Invalid();
        }
        throw new Truncated();
    }

    /** Checks the LF after the CR at {@code cr}; returns the index after it. */
    private static int lf(byte[] in, int cr) {
        check(in[cr + 1] == '\n');
        return cr + 2;
    }

    /**
     * Checks the {@code length} bytes and CRLF of a bulk string whose data starts at {@code p} in the request
     * that starts at {@code start} (a request must fit in one array; -1 for a reply, which need not: one too large
     * is read past); returns the index after the CRLF.
     */
    private static int payload(byte[] in, int start, int p, long length) {
        long end = p + length + 2;
        if (end > in.length) {
            check(start < 0 || end - start <= RespBytes.MAX_ARRAY);
            throw new Truncated();
        }
        check(in[(int) end - 2] == '\r' && in[(int) end - 1] == '\n');
        return (int) end;
    }

    /** redis-server's string2ll: an optional '-', then "0" or a digit 1-9 and digits, no "-0", within a long. */
    private static long number(byte[] in, int from, int to) {
        String text = new String(in, from, to - from, StandardCharsets.ISO_8859_1);
        check(text.matches("-?(0|[1-9][0-9]*)") && !text.equals("-0"));
        BigInteger value = new BigInteger(text);
        check(value.bitLength() < 64);
        return value.longValue();
    }

    private static void need(byte[] in, int index) {
        if (index >= in.length) {
            throw new Truncated();
        }
    }

    private static void check(boolean valid) {
        if (!valid) {
            throw new Invalid();
        }
    }
}
