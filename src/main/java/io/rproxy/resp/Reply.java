package io.rproxy.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One complete RESP2 reply as bytes, ready to be written to a client unchanged. Backend replies are kept as
 * the bytes the server sent; the accessors that decode ({@link #integer()}, {@link #elements()}, ...) exist for
 * the few places that merge replies (split commands) and are not used on the forwarding path.
 *
 * <p>Immutable; shared freely between threads.
 */
public final class Reply {
    public static final Reply OK = ascii("+OK\r\n");
    public static final Reply PONG = ascii("+PONG\r\n");
    public static final Reply NULL_BULK = ascii("$-1\r\n");
    public static final Reply NULL_ARRAY = ascii("*-1\r\n");
    /**
     * No bytes at all: the reply of a command whose answer went to the client another way (SUBSCRIBE, whose
     * acknowledgements the subscriber connection's reader writes, in order with the messages that follow them).
     */
    public static final Reply NONE = new Reply(new byte[0]);

    /** Longest rendering of the bytes in {@link #toString()}; replies can be megabytes. */
    private static final int TO_STRING_MAX = 200;

    private final byte[] bytes;

    private Reply(byte[] bytes) {
        this.bytes = bytes;
    }

    private static Reply ascii(String encoded) {
        return new Reply(encoded.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Wraps bytes that already form exactly one complete reply (no copy). Only the type byte and the final
     * CRLF are checked: this is the reader's path, and it has validated the rest.
     */
    public static Reply ofBytes(byte[] encoded) {
        int n = encoded.length;
        if (n < 3 || encoded[n - 2] != RespBytes.CR || encoded[n - 1] != RespBytes.LF || !isType(encoded[0])) {
            throw new IllegalArgumentException("not a RESP2 reply: " + RespBytes.printable(encoded, 0, n, 40));
        }
        return new Reply(encoded);
    }

    private static boolean isType(byte b) {
        return b == '+' || b == '-' || b == ':' || b == '$' || b == '*';
    }

    /** {@code -<message>\r\n}; the message must not contain CR or LF (they are replaced by spaces). */
    public static Reply error(String message) {
        return line('-', message);
    }

    /** {@code +<text>\r\n}; CR and LF in the text are replaced by spaces, as for {@link #error}. */
    public static Reply simple(String text) {
        return line('+', text);
    }

    private static Reply line(char type, String text) {
        byte[] body = text.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[body.length + 3];
        out[0] = (byte) type;
        System.arraycopy(body, 0, out, 1, body.length);
        out[out.length - 2] = RespBytes.CR;
        out[out.length - 1] = RespBytes.LF;
        return new Reply(out);
    }

    public static Reply integer(long value) {
        byte[] out = new byte[RespBytes.headerLength(value)];
        RespBytes.writeHeader(out, 0, (byte) ':', value);
        return new Reply(out);
    }

    /** A bulk string holding a copy of {@code value}; {@code null} gives {@link #NULL_BULK}. */
    public static Reply bulk(byte[] value) {
        if (value == null) {
            return NULL_BULK;
        }
        byte[] out = new byte[RespBytes.headerLength(value.length) + value.length + 2];
        int p = RespBytes.writeHeader(out, 0, (byte) '$', value.length);
        System.arraycopy(value, 0, out, p, value.length);
        out[out.length - 2] = RespBytes.CR;
        out[out.length - 1] = RespBytes.LF;
        return new Reply(out);
    }

    /** An array of the given replies; {@code null} gives {@link #NULL_ARRAY}. */
    public static Reply array(List<Reply> elements) {
        if (elements == null) {
            return NULL_ARRAY;
        }
        long size = RespBytes.headerLength(elements.size());
        for (Reply element : elements) {
            size += element.bytes.length;
        }
        if (size > RespBytes.MAX_ARRAY) {
            throw new IllegalArgumentException("reply too large: " + size + " bytes");
        }
        byte[] out = new byte[(int) size];
        int p = RespBytes.writeHeader(out, 0, (byte) '*', elements.size());
        for (Reply element : elements) {
            System.arraycopy(element.bytes, 0, out, p, element.bytes.length);
            p += element.bytes.length;
        }
        return new Reply(out);
    }

    /** The encoded reply; callers must not modify it. */
    public byte[] bytes() {
        return bytes;
    }

    /** The RESP type byte: '+', '-', ':', '$' or '*'. */
    public byte type() {
        return bytes[0];
    }

    public boolean isError() {
        return bytes[0] == '-';
    }

    /** True for the null bulk string {@code $-1} and the null array {@code *-1}. */
    public boolean isNull() {
        return (bytes[0] == '$' || bytes[0] == '*') && bytes[1] == '-';
    }

    /** For an error reply, its text without the leading '-' and trailing CRLF. */
    public String errorMessage() {
        expectType('-');
        return new String(bytes, 1, bytes.length - 3, StandardCharsets.UTF_8);
    }

    /** For an integer reply, its value; ProtocolException otherwise. */
    public long integer() {
        expectType(':');
        return RespBytes.parseLong(bytes, 1, bytes.length - 2, "invalid integer reply");
    }

    /** For a bulk string reply, a copy of its payload, or null for {@code $-1}; ProtocolException otherwise. */
    public byte[] bulkValue() {
        expectType('$');
        if (isNull()) {
            return null;
        }
        int headerEnd = indexOfCr(bytes, 1) + 2;
        return Arrays.copyOfRange(bytes, headerEnd, bytes.length - 2);
    }

    /**
     * For an array reply, its elements (decoded on each call), or null for {@code *-1}; ProtocolException
     * otherwise. Each element wraps a copy of exactly its own bytes.
     */
    public List<Reply> elements() {
        expectType('*');
        int headerEnd = indexOfCr(bytes, 1);
        long count = RespBytes.parseLong(bytes, 1, headerEnd, "invalid multibulk length");
        if (count == -1) {
            return null;
        }
        List<Reply> out = new ArrayList<>((int) Math.min(count, 1024));
        int p = headerEnd + 2;
        for (long i = 0; i < count; i++) {
            int end = RespBytes.replyEnd(bytes, p, bytes.length);
            out.add(new Reply(Arrays.copyOfRange(bytes, p, end)));
            p = end;
        }
        if (p != bytes.length) {
            throw new ProtocolException("trailing bytes after array elements");
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * For an array reply, its element count from the header alone (-1 for {@code *-1}), without decoding the
     * elements; ProtocolException otherwise. Enough to check a reply the reader has already walked whole.
     */
    public long arrayLength() {
        expectType('*');
        return RespBytes.parseLong(bytes, 1, indexOfCr(bytes, 1), "invalid multibulk length");
    }

    /**
     * One array made of the elements of several arrays, copied byte for byte without decoding them: its i-th
     * element is the next one not yet taken of {@code arrays[sourceOf[i]]}. This is MGET's merge: the parts'
     * values put back in the order of the client's keys. Every array must hold exactly as many elements as
     * {@code sourceOf} takes from it; ProtocolException otherwise.
     */
    public static Reply interleave(Reply[] arrays, int[] sourceOf) {
        int[][] bounds = new int[arrays.length][];
        long size = RespBytes.headerLength(sourceOf.length);
        for (int a = 0; a < arrays.length; a++) {
            bounds[a] = arrays[a].elementBounds();
            size += arrays[a].bytes.length - bounds[a][0];
        }
        if (size > RespBytes.MAX_ARRAY) {
            throw new IllegalArgumentException("reply too large: " + size + " bytes");
        }
        byte[] out = new byte[(int) size];
        int p = RespBytes.writeHeader(out, 0, (byte) '*', sourceOf.length);
        int[] taken = new int[arrays.length];
        for (int source : sourceOf) {
            int[] b = bounds[source];
            int i = taken[source]++;
            if (i + 1 >= b.length) {
                throw new ProtocolException("array " + source + " has only " + (b.length - 1) + " elements");
            }
            System.arraycopy(arrays[source].bytes, b[i], out, p, b[i + 1] - b[i]);
            p += b[i + 1] - b[i];
        }
        if (p != out.length) {
            throw new ProtocolException("arrays have more elements than were taken");
        }
        return new Reply(out);
    }

    /** Where each element of this array reply starts, then where the last one ends: count + 1 offsets. */
    private int[] elementBounds() {
        expectType('*');
        int headerEnd = indexOfCr(bytes, 1);
        long count = RespBytes.parseLong(bytes, 1, headerEnd, "invalid multibulk length");
        if (count < 0 || count > bytes.length) {
            throw new ProtocolException("expected an array of elements, got " + this);
        }
        int[] bounds = new int[(int) count + 1];
        int p = headerEnd + 2;
        for (int i = 0; i < count; i++) {
            bounds[i] = p;
            p = RespBytes.replyEnd(bytes, p, bytes.length);
        }
        if (p != bytes.length) {
            throw new ProtocolException("trailing bytes after array elements");
        }
        bounds[(int) count] = p;
        return bounds;
    }

    private void expectType(char type) {
        if (bytes[0] != type) {
            throw new ProtocolException("expected reply type '" + type + "', got " + this);
        }
    }

    private static int indexOfCr(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == RespBytes.CR) {
                return i;
            }
        }
        throw new ProtocolException("missing CRLF in reply");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reply other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The bytes with CR, LF and non-printables escaped, cut at 200 bytes: {@code Reply[+OK\r\n]}. */
    @Override
    public String toString() {
        return "Reply[" + RespBytes.printable(bytes, 0, bytes.length, TO_STRING_MAX) + "]";
    }
}
