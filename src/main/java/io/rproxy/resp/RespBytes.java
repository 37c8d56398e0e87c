package io.rproxy.resp;

/**
 * Byte-level helpers shared by the reader and the encoders: strict decimal parsing, decimal writing and a
 * printable rendering of bytes for error messages. Stateless; used by whichever thread encodes or decodes.
 */
final class RespBytes {
    static final byte CR = '\r';
    static final byte LF = '\n';

    /** Largest array the JVM reliably allocates; a frame must fit in one. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * Deepest array nesting {@link Reply#elements} decodes (an array inside 63 others is the deepest): only the
     * merges of split commands and cluster topology decode replies, and theirs are shallow. The reader that takes
     * replies off the wire walks them without recursion and has no such cap: Redis nests EVAL results thousands
     * deep, and those pass through undecoded.
     */
    static final int MAX_DEPTH = 64;

    private RespBytes() {
    }

    /**
     * Parses {@code b[from, to)} as a decimal long with redis-server's string2ll rules: an optional '-', then
     * either a lone "0" or a digit 1-9 followed by digits; no '+', no spaces, no leading zeros, no "-0", no
     * overflow. Being as strict as Redis means we never forward a frame Redis itself would reject.
     *
     * @throws ProtocolException with {@code error} as its message when the text is not such a number
     */
    static long parseLong(byte[] b, int from, int to, String error) {
        int p = from;
        boolean negative = p < to && b[p] == '-';
        if (negative) {
            p++;
        }
        if (p == to || b[p] < '0' || b[p] > '9' || (b[p] == '0' && (negative || p + 1 != to))) {
            throw new ProtocolException(error);
        }
        // Accumulate negatively, as Long.parseLong does, so that Long.MIN_VALUE is representable.
        long floor = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multiplyFloor = floor / 10;
        long result = 0;
        for (; p < to; p++) {
            int digit = b[p] - '0';
            if (digit < 0 || digit > 9 || result < multiplyFloor) {
                throw new ProtocolException(error);
            }
            result *= 10;
            if (result < floor + digit) {
                throw new ProtocolException(error);
            }
            result -= digit;
        }
        return negative ? result : -result;
    }

    /** Number of bytes {@link #writeLong} writes for {@code value}. */
    static int decimalLength(long value) {
        if (value == Long.MIN_VALUE) {
            return 20;
        }
        int length = value < 0 ? 2 : 1;
        long v = Math.abs(value);
        while (v >= 10) {
            v /= 10;
            length++;
        }
        return length;
    }

    /** Writes {@code value} in decimal at {@code b[at]}; returns the index after the last digit. */
    static int writeLong(byte[] b, int at, long value) {
        int end = at + decimalLength(value);
        int p = end;
        // Negative accumulation again, so Long.MIN_VALUE needs no special case.
        long v = value < 0 ? value : -value;
        do {
            b[--p] = (byte) ('0' - (v % 10));
            v /= 10;
        } while (v != 0);
        if (value < 0) {
            b[--p] = '-';
        }
        return end;
    }

    /** Writes a header line such as {@code *3\r\n} or {@code $5\r\n}; returns the index after it. */
    static int writeHeader(byte[] b, int at, byte type, long value) {
        b[at] = type;
        int p = writeLong(b, at + 1, value);
        b[p] = CR;
        b[p + 1] = LF;
        return p + 2;
    }

    /** Size of a header line written by {@link #writeHeader}. */
    static int headerLength(long value) {
        return 1 + decimalLength(value) + 2;
    }

    /**
     * Renders one byte for an error message: printable ASCII as itself, anything else as {@code \xHH}, so a
     * message never carries CR or LF into an error reply or a log line.
     */
    static String describe(int b) {
        int v = b & 0xff;
        if (v >= 0x20 && v < 0x7f) {
            return String.valueOf((char) v);
        }
        return String.format("\\x%02x", v);
    }

    /** Renders up to {@code max} bytes for logs and toString, escaping what is not printable ASCII. */
    static String printable(byte[] b, int from, int to, int max) {
        StringBuilder out = new StringBuilder(Math.min(to - from, max) + 8);
        int end = Math.min(to, from + max);
        for (int i = from; i < end; i++) {
            int v = b[i] & 0xff;
            switch (v) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\\' -> out.append("\\\\");
                default -> out.append(describe(v));
            }
        }
        if (end < to) {
            out.append("...(").append(to - from).append(" bytes)");
        }
        return out.toString();
    }

    /** ASCII lower case of one byte; other bytes unchanged. */
    static int toLowerAscii(int b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    /**
     * Returns the index just past the one reply that starts at {@code b[start]} and lies within {@code end}.
     * Used to split an already received array reply into its elements, so the input is trusted to be
     * complete, but a malformed one still fails with ProtocolException rather than an index error.
     */
    static int replyEnd(byte[] b, int start, int end) {
        return replyEnd(b, start, end, 0);
    }

    private static int replyEnd(byte[] b, int start, int end, int depth) {
        if (start >= end) {
            throw new ProtocolException("truncated reply");
        }
        int cr = crlfIndex(b, start + 1, end);
        switch (b[start]) {
            case '+', '-' -> {
                return cr + 2;
            }
            case ':' -> {
                parseLong(b, start + 1, cr, "invalid integer reply");
                return cr + 2;
            }
            case '$' -> {
                return bulkEnd(b, cr, parseLong(b, start + 1, cr, "invalid bulk length"), end);
            }
            case '*' -> {
                return arrayEnd(b, cr, parseLong(b, start + 1, cr, "invalid multibulk length"), end, depth);
            }
            default -> throw new ProtocolException("unexpected reply type byte '" + describe(b[start]) + "'");
        }
    }

    private static int bulkEnd(byte[] b, int cr, long length, int end) {
        if (length == -1) {
            return cr + 2;
        }
        long stop = cr + 2 + length + 2;
        if (length < 0 || stop > end) {
            throw new ProtocolException("invalid bulk length");
        }
        int p = (int) stop;
        if (b[p - 2] != CR || b[p - 1] != LF) {
            throw new ProtocolException("expected CRLF after bulk data");
        }
        return p;
    }

    private static int arrayEnd(byte[] b, int cr, long count, int end, int depth) {
        if (count < -1) {
            throw new ProtocolException("invalid multibulk length");
        }
        if (depth >= MAX_DEPTH) {
            throw new ProtocolException("reply nested deeper than " + MAX_DEPTH + " arrays");
        }
        int p = cr + 2;
        for (long i = 0; i < count; i++) {
            p = replyEnd(b, p, end, depth + 1);
        }
        return p;
    }

    /** Index of the CR of the first CRLF at or after {@code from}; ProtocolException when there is none. */
    private static int crlfIndex(byte[] b, int from, int end) {
        for (int i = from; i < end - 1; i++) {
            if (b[i] == CR) {
                if (b[i + 1] != LF) {
                    throw new ProtocolException("expected LF after CR");
                }
                return i;
            }
        }
        throw new ProtocolException("truncated reply");
    }
}
