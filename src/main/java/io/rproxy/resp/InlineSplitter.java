package io.rproxy.resp;

import java.util.Arrays;

/**
 * Splits an inline request line ({@code set a "b c"}) into arguments exactly as redis-server's sdssplitargs
 * does, and encodes them as a multibulk frame. A port rather than a simpler splitter so that a request typed
 * into telnet means the same through the proxy as it does against Redis: double quotes with {@code \" \\ \n
 * \r \t \b \a \xHH} escapes, single quotes with only {@code \'}, a closing quote that must be followed by a
 * blank, and a NUL byte that ends the line as it ends Redis's C string.
 *
 * <p>Stateless; runs on the client thread that read the line.
 */
final class InlineSplitter {
    static final String UNBALANCED = "unbalanced quotes in request";

    private InlineSplitter() {
    }

    /**
     * Splits {@code line[from, to)} (without its line ending) and returns the request as a multibulk frame,
     * or null for a blank line, which Redis ignores.
     */
    static RespCommand split(byte[] line, int from, int to, int maxArguments) {
        // Unescaping only shrinks, so the arguments fit in a scratch array as long as the line.
        byte[] out = new byte[to - from];
        int[] ends = new int[8];
        int count = 0;
        int o = 0;
        int p = from;
        while (true) {
            while (p < to && isSpace(line[p])) {
                p++;
            }
            if (at(line, p, to) == 0) {
                break;
            }
            if (count == maxArguments) {
                throw new ProtocolException("too many arguments in inline request");
            }
            long next = splitOne(line, p, to, out, o);
            p = (int) (next >>> 32);
            o = (int) next;
            if (count == ends.length) {
                ends = Arrays.copyOf(ends, count * 2);
            }
            ends[count++] = o;
        }
        return count == 0 ? null : encode(out, ends, count);
    }

    /**
     * Decodes one argument starting at {@code line[p]} into {@code out[o...]}. Returns the next input
     * position in the high 32 bits and the next output position in the low 32 bits, to keep both on the
     * stack without a holder object.
     */
    private static long splitOne(byte[] line, int p, int to, byte[] out, int o) {
        boolean inDouble = false;
        boolean inSingle = false;
        boolean done = false;
        while (!done) {
            int c = at(line, p, to);
            if (inDouble) {
                if (c == '\\' && at(line, p + 1, to) == 'x' && isHex(at(line, p + 2, to))
                        && isHex(at(line, p + 3, to))) {
                    out[o++] = (byte) (hex(at(line, p + 2, to)) * 16 + hex(at(line, p + 3, to)));
                    p += 3;
                } else if (c == '\\' && at(line, p + 1, to) != 0) {
                    p++;
                    out[o++] = unescape(at(line, p, to));
                } else if (c == '"') {
                    checkClosingQuote(line, p, to);
                    done = true;
                } else if (c == 0) {
                    throw new ProtocolException(UNBALANCED);
                } else {
                    out[o++] = (byte) c;
                }
            } else if (inSingle) {
                if (c == '\\' && at(line, p + 1, to) == '\'') {
                    p++;
                    out[o++] = '\'';
                } else if (c == '\'') {
                    checkClosingQuote(line, p, to);
                    done = true;
                } else if (c == 0) {
                    throw new ProtocolException(UNBALANCED);
                } else {
                    out[o++] = (byte) c;
                }
            } else {
                switch (c) {
                    case ' ', '\n', '\r', '\t', 0 -> done = true;
                    case '"' -> inDouble = true;
                    case '\'' -> inSingle = true;
                    default -> out[o++] = (byte) c;
                }
            }
            // As in sdssplitargs: step over the current byte unless it is the end of the string.
            if (at(line, p, to) != 0) {
                p++;
            }
        }
        return ((long) p << 32) | o;
    }

    /** A closing quote must be followed by a blank or the end of the line; {@code "a"b} is an error. */
    private static void checkClosingQuote(byte[] line, int p, int to) {
        int next = at(line, p + 1, to);
        if (next != 0 && !isSpace((byte) next)) {
            throw new ProtocolException(UNBALANCED);
        }
    }

    private static byte unescape(int c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> (byte) c;
        };
    }

    private static RespCommand encode(byte[] args, int[] ends, int count) {
        int size = RespBytes.headerLength(count);
        int start = 0;
        for (int i = 0; i < count; i++) {
            int length = ends[i] - start;
            size += RespBytes.headerLength(length) + length + 2;
            start = ends[i];
        }
        byte[] frame = new byte[size];
        int[] spans = new int[2 * count];
        int p = RespBytes.writeHeader(frame, 0, (byte) '*', count);
        start = 0;
        for (int i = 0; i < count; i++) {
            int length = ends[i] - start;
            p = RespBytes.writeHeader(frame, p, (byte) '$', length);
            System.arraycopy(args, start, frame, p, length);
            spans[2 * i] = p;
            spans[2 * i + 1] = length;
            p += length;
            frame[p++] = RespBytes.CR;
            frame[p++] = RespBytes.LF;
            start = ends[i];
        }
        return new RespCommand(frame, spans, count);
    }

    /** The byte at {@code p}, or 0 past the end: the C string's terminator, which the algorithm relies on. */
    private static int at(byte[] line, int p, int to) {
        return p < to ? line[p] & 0xff : 0;
    }

    /** C isspace() in the C locale. */
    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(int c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }
}
