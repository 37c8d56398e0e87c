package io.rproxy.resp;

import java.util.List;

/**
 * One client request: its raw RESP frame exactly as it will be written to a backend, plus the offset and
 * length of every argument inside that frame. Forwarded requests are written as they came (never re-encoded);
 * inline requests ({@code PING\r\n}) are encoded as a multibulk frame once, when read.
 *
 * <p>Immutable after construction; safe to hand from a client thread to a backend writer.
 */
public final class RespCommand {
    // STUB: the resp helper fills this in.
    private RespCommand() {
        throw new UnsupportedOperationException("stub");
    }

    /** Builds a multibulk frame from arguments: used for split commands and for the proxy's own requests. */
    public static RespCommand of(List<byte[]> args) {
        throw new UnsupportedOperationException("stub");
    }

    /** Convenience for ASCII arguments, e.g. {@code RespCommand.of("AUTH", password)}. */
    public static RespCommand of(String... args) {
        throw new UnsupportedOperationException("stub");
    }

    /** The whole frame; callers must not modify it. */
    public byte[] frame() {
        throw new UnsupportedOperationException("stub");
    }

    public int argCount() {
        throw new UnsupportedOperationException("stub");
    }

    /** Offset of argument {@code i}'s payload inside {@link #frame()}. */
    public int argOffset(int i) {
        throw new UnsupportedOperationException("stub");
    }

    public int argLength(int i) {
        throw new UnsupportedOperationException("stub");
    }

    /** A copy of argument {@code i}. */
    public byte[] arg(int i) {
        throw new UnsupportedOperationException("stub");
    }

    /** Argument {@code i} decoded as UTF-8 (for names, messages and passwords; never for routing). */
    public String argString(int i) {
        throw new UnsupportedOperationException("stub");
    }

    /** True when argument {@code i} equals {@code ascii} ignoring ASCII case, without allocating. */
    public boolean argEqualsIgnoreCase(int i, String ascii) {
        throw new UnsupportedOperationException("stub");
    }

    /** The command name (argument 0) in lower case; the empty string for an empty request. */
    public String name() {
        throw new UnsupportedOperationException("stub");
    }
}
