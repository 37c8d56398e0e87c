package io.rproxy.command;

import io.rproxy.resp.RespCommand;

/**
 * Read access to a request's arguments in place, without copying them. Implementations are stateless
 * singletons (one per source type), so the key finder and table lookup allocate nothing to read arguments.
 */
interface CommandArgs<T> {
    int count(T src);

    byte[] buffer(T src, int i);

    int offset(T src, int i);

    int length(T src, int i);

    /** A parsed request: arguments are slices of its raw frame. */
    CommandArgs<RespCommand> RESP = new CommandArgs<>() {
        @Override public int count(RespCommand c) {
            return c.argCount();
        }

        @Override public byte[] buffer(RespCommand c, int i) {
            return c.frame();
        }

        @Override public int offset(RespCommand c, int i) {
            return c.argOffset(i);
        }

        @Override public int length(RespCommand c, int i) {
            return c.argLength(i);
        }
    };

    /** One array per argument: tests, and requests the proxy builds itself. */
    CommandArgs<byte[][]> ARRAYS = new CommandArgs<>() {
        @Override public int count(byte[][] a) {
            return a.length;
        }

        @Override public byte[] buffer(byte[][] a, int i) {
            return a[i];
        }

        @Override public int offset(byte[][] a, int i) {
            return 0;
        }

        @Override public int length(byte[][] a, int i) {
            return a[i].length;
        }
    };

    /** Value returned by {@link #parseLong} for anything Redis's {@code string2ll} rejects. */
    long NOT_AN_INTEGER = Long.MIN_VALUE;

    /** True when argument {@code i} equals {@code lowerAscii} (lower-case ASCII), ignoring ASCII case. */
    default boolean equalsIgnoreCase(T src, int i, String lowerAscii) {
        int len = length(src, i);
        if (len != lowerAscii.length()) {
            return false;
        }
        byte[] b = buffer(src, i);
        int off = offset(src, i);
        for (int k = 0; k < len; k++) {
            if (toLower(b[off + k]) != lowerAscii.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Argument {@code i} as Redis's {@code string2ll} reads it: optional '-', no '+', no leading zeros, no spaces,
     * no overflow. Every valid negative value comes back as -1 so that {@link #NOT_AN_INTEGER} stays unambiguous.
     */
    default long parseLong(T src, int i) {
        byte[] b = buffer(src, i);
        int p = offset(src, i);
        int end = p + length(src, i);
        if (p == end) {
            return NOT_AN_INTEGER;
        }
        if (end - p == 1 && b[p] == '0') {
            return 0;
        }
        boolean negative = b[p] == '-';
        if (negative && ++p == end) {
            return NOT_AN_INTEGER;
        }
        if (b[p] < '1' || b[p] > '9') {
            return NOT_AN_INTEGER;
        }
        long v = 0;
        for (; p < end; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) {
                return NOT_AN_INTEGER;
            }
            if (v > (Long.MAX_VALUE - d) / 10) {
                // string2ll accepts exactly Long.MIN_VALUE; any other overflow is not an integer.
                boolean minValue = negative && p == end - 1 && v == Long.MAX_VALUE / 10 && d == 8;
                return minValue ? -1 : NOT_AN_INTEGER;
            }
            v = v * 10 + d;
        }
        return negative ? -1 : v;
    }

    static int toLower(byte c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c & 0xff;
    }
}
