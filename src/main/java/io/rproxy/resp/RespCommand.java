package io.rproxy.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One client request: its raw RESP frame exactly as it will be written to a backend, plus the offset and
 * length of every argument inside that frame. Forwarded requests are written as they came (never re-encoded);
 * inline requests ({@code PING\r\n}) are encoded as a multibulk frame once, when read.
 *
 * <p>Immutable after construction; safe to hand from a client thread to a backend writer.
 */
public final class RespCommand {
    private final byte[] frame;
    /** Argument {@code i} starts at {@code spans[2 * i]} and is {@code spans[2 * i + 1]} bytes long. */
    private final int[] spans;
    private final int argCount;
    /**
     * Lazily computed; a benign race like String's own hash cache: every thread computes the same immutable
     * String, so a lock (which could pin a carrier) buys nothing.
     */
    private String name;

    /**
     * Wraps a frame the caller has already validated. {@code spans} may be longer than needed; only the
     * first {@code 2 * argCount} entries are used, and neither array is copied.
     */
    RespCommand(byte[] frame, int[] spans, int argCount) {
        this.frame = frame;
        this.spans = spans;
        this.argCount = argCount;
    }

    /** Builds a multibulk frame from arguments: used for split commands and for the proxy's own requests. */
    public static RespCommand of(List<byte[]> args) {
        int count = args.size();
        long size = RespBytes.headerLength(count);
        for (byte[] arg : args) {
            size += RespBytes.headerLength(arg.length) + arg.length + 2L;
        }
        if (size > RespBytes.MAX_ARRAY) {
            throw new IllegalArgumentException("command too large: " + size + " bytes");
        }
        byte[] frame = new byte[(int) size];
        int[] spans = new int[2 * count];
        int p = RespBytes.writeHeader(frame, 0, (byte) '*', count);
        for (int i = 0; i < count; i++) {
            byte[] arg = args.get(i);
            p = RespBytes.writeHeader(frame, p, (byte) '$', arg.length);
            System.arraycopy(arg, 0, frame, p, arg.length);
            spans[2 * i] = p;
            spans[2 * i + 1] = arg.length;
            p += arg.length;
            frame[p++] = RespBytes.CR;
            frame[p++] = RespBytes.LF;
        }
        return new RespCommand(frame, spans, count);
    }

    /**
     * A new multibulk frame of some of this command's arguments, {@code args[0..count)} by index, in that order:
     * a split command's part (its name, then the keys, and values, that go to one server) built straight from
     * the client's frame, with no copy of each argument on the way.
     */
    public byte[] frameOf(int[] args, int count) {
        long size = RespBytes.headerLength(count);
        for (int i = 0; i < count; i++) {
            int length = argLength(args[i]);
            size += RespBytes.headerLength(length) + length + 2L;
        }
        if (size > RespBytes.MAX_ARRAY) {
            throw new IllegalArgumentException("command too large: " + size + " bytes");
        }
        byte[] out = new byte[(int) size];
        int p = RespBytes.writeHeader(out, 0, (byte) '*', count);
        for (int i = 0; i < count; i++) {
            int offset = spans[2 * args[i]];
            int length = spans[2 * args[i] + 1];
            p = RespBytes.writeHeader(out, p, (byte) '$', length);
            System.arraycopy(frame, offset, out, p, length);
            p += length;
            out[p++] = RespBytes.CR;
            out[p++] = RespBytes.LF;
        }
        return out;
    }

    /** Convenience for ASCII arguments, e.g. {@code RespCommand.of("AUTH", password)}; encodes as UTF-8. */
    public static RespCommand of(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return of(Arrays.asList(bytes));
    }

    /** The whole frame; callers must not modify it. */
    public byte[] frame() {
        return frame;
    }

    public int argCount() {
        return argCount;
    }

    /** Offset of argument {@code i}'s payload inside {@link #frame()}. */
    public int argOffset(int i) {
        return spans[2 * Objects.checkIndex(i, argCount)];
    }

    public int argLength(int i) {
        return spans[2 * Objects.checkIndex(i, argCount) + 1];
    }

    /** A copy of argument {@code i}. */
    public byte[] arg(int i) {
        int offset = argOffset(i);
        return Arrays.copyOfRange(frame, offset, offset + spans[2 * i + 1]);
    }

    /** Argument {@code i} decoded as UTF-8 (for names, messages and passwords; never for routing). */
    public String argString(int i) {
        return new String(frame, argOffset(i), spans[2 * i + 1], StandardCharsets.UTF_8);
    }

    /** True when argument {@code i} equals {@code ascii} ignoring ASCII case, without allocating. */
    public boolean argEqualsIgnoreCase(int i, String ascii) {
        int offset = argOffset(i);
        int length = spans[2 * i + 1];
        if (length != ascii.length()) {
            return false;
        }
        for (int j = 0; j < length; j++) {
            char c = ascii.charAt(j);
            if (c > 0x7f || RespBytes.toLowerAscii(frame[offset + j] & 0xff) != RespBytes.toLowerAscii(c)) {
                return false;
            }
        }
        return true;
    }

    /** The command name (argument 0) in lower case; the empty string for an empty request. */
    public String name() {
        String n = name;
        if (n == null) {
            n = argCount == 0 ? "" : lowerCaseName();
            name = n;
        }
        return n;
    }

    private String lowerCaseName() {
        int offset = spans[0];
        byte[] lower = new byte[spans[1]];
        for (int j = 0; j < lower.length; j++) {
            lower[j] = (byte) RespBytes.toLowerAscii(frame[offset + j] & 0xff);
        }
        return new String(lower, StandardCharsets.UTF_8);
    }

    /**
     * Name and argument count only: arguments may hold passwords or user data, and names are cut short and
     * escaped, so the result is safe to log.
     */
    @Override
    public String toString() {
        String shown = argCount == 0 ? "" : RespBytes.printable(frame, spans[0], spans[0] + spans[1], 32);
        return "RespCommand[" + shown.toLowerCase(Locale.ROOT) + ", " + argCount + " args]";
    }
}
