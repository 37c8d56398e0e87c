package io.rproxy.resp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Blocking, strict, bounded RESP2 reader over an InputStream, with its own byte[] buffer. A client session
 * uses {@link #readCommand()}; a backend reader thread uses {@link #readReply()}. The parse state lives on the
 * call stack: a call returns one whole frame or throws.
 *
 * <p>A frame is parsed in place: when it is already buffered (the common case) nothing is read and the
 * parser only walks the array; otherwise the buffer is refilled, compacted or grown, and the frame always
 * stays contiguous from {@code frameStart}, so the result is one copy of that slice.
 *
 * <p>Errors use redis-server's wording ({@code invalid multibulk length}, {@code expected '$', got 'x'}, ...)
 * because the message is shown to clients as {@code -ERR Protocol error: <message>}. After any exception the
 * reader is in an undefined state and the connection must be closed.
 *
 * <p>Replies are bounded by {@link #MAX_REPLY_BYTES}, not by the client {@link RespLimits}.
 *
 * <p>Not thread-safe: one reader per connection, used by that connection's reading thread only.
 */
public final class RespReader {
    /** Enough for the vast majority of frames; grown only while a bigger frame is being read. */
    static final int INITIAL_BUFFER = 16 * 1024;
    /** A buffer grown beyond this is given back when the peer goes quiet. */
    private static final int KEEP_WHEN_IDLE = 16 * 1024;

    /** Longest numeric reply line worth scanning: type byte, "-9223372036854775808", slack. */
    private static final int NUMBER_LINE_MAX = 24;

    /** Five-byte replies shared rather than copied (see {@link #commonReply}). */
    private static final Reply[] COMMON_REPLIES = {Reply.OK, Reply.NULL_BULK, Reply.NULL_ARRAY};

    /** Arguments of a request we make room for before seeing them; grown as they actually arrive. */
    private static final int INITIAL_ARGS = 16;

    /**
     * The largest reply passed on whole, in bytes: twice Redis's default proto-max-bulk-len (512 MB), so a value
     * as big as Redis stores by default always passes. A larger reply is read past without being buffered
     * (see {@link #lastReplyDiscarded}). The {@link RespLimits} bound what clients send, not what servers answer.
     */
    public static final long MAX_REPLY_BYTES = 1L << 30;

    private final InputStream in;
    private final RespLimits limits;

    private final int initialBuffer;
    private byte[] buf;
    /** Next byte to parse. */
    private int pos;
    /** End of the bytes read from the stream. */
    private int limit;
    /** First byte of the frame being parsed; compaction moves it to 0 and never drops it. */
    private int frameStart;
    /** Whether the last read took all the room there was: the peer is pipelining faster than we read. */
    private boolean lastReadFilledBuffer;
    /** Reads of the stream that returned bytes; see {@link #reads()}. */
    private long reads;

    /** See {@link #MAX_REPLY_BYTES}; smaller in tests. */
    private final long maxReplyBytes;
    /** Set while the reply being read is too large to keep: its bytes are dropped as they are parsed. */
    private boolean discarding;
    /** Bytes of the current reply dropped so far while discarding. */
    private long discardedBytes;
    /** Length of the last reply read, whole or discarded. */
    private long lastReplyLength;

    public RespReader(InputStream in, RespLimits limits) {
        this(in, limits, INITIAL_BUFFER);
    }

    /**
     * @param initialBuffer bytes to start with: small for the many mostly idle client connections (it grows with
     *                      the frames that need it), large for the few busy backend connections
     */
    public RespReader(InputStream in, RespLimits limits, int initialBuffer) {
        this(in, limits, initialBuffer, MAX_REPLY_BYTES);
    }

    /** @param maxReplyBytes see {@link #MAX_REPLY_BYTES}; for tests of what happens beyond it */
    RespReader(InputStream in, RespLimits limits, int initialBuffer, long maxReplyBytes) {
        this.maxReplyBytes = maxReplyBytes;
        this.in = Objects.requireNonNull(in, "in");
        this.limits = Objects.requireNonNull(limits, "limits");
        if (initialBuffer < 64) {
            throw new IllegalArgumentException("initialBuffer too small: " + initialBuffer);
        }
        this.initialBuffer = initialBuffer;
        this.buf = new byte[initialBuffer];
    }

    /**
     * Reads one request, multibulk or inline. Returns null on a clean EOF between requests; throws
     * {@link java.io.EOFException} on EOF inside a frame and {@link ProtocolException} on malformed input
     * (with redis-server's wording where it has one, e.g. "invalid multibulk length").
     * Empty inline lines are skipped, as redis-server does, and so are {@code *0} and {@code *-1}.
     */
    public RespCommand readCommand() throws IOException {
        while (true) {
            if (!startFrame()) {
                return null;
            }
            RespCommand command = buf[pos] == '*' ? readMultibulk() : readInline();
            if (command != null) {
                return command;
            }
        }
    }

    /**
     * Reads one complete reply (nested arrays included, to any depth); EOFException on EOF, ProtocolException on
     * garbage. The client limits do not apply: any reply Redis can send is legal. A reply larger than
     * {@link #MAX_REPLY_BYTES} is read to its end without being kept, and an error reply is returned in its place
     * with {@link #lastReplyDiscarded} true, so the stream stays aligned and only that request fails.
     */
    public Reply readReply() throws IOException {
        if (!startFrame()) {
            throw new EOFException("end of stream while waiting for a reply");
        }
        discarding = false;
        discardedBytes = 0;
        skipReply();
        lastReplyLength = discardedBytes + (pos - frameStart);
        if (discarding || lastReplyLength > maxReplyBytes) {
            discarding = true; // over the bound, even if its last line happened to fit in the buffer
            frameStart = pos;
            return Reply.error("ERR reply of " + lastReplyLength + " bytes is too large to pass on");
        }
        if (pos - frameStart == buf.length && frameStart == 0) {
            // One big reply filled the buffer exactly: hand the buffer over rather than copy it.
            byte[] whole = buf;
            buf = new byte[initialBuffer];
            pos = 0;
            limit = 0;
            return Reply.ofBytes(whole);
        }
        Reply common = commonReply();
        return common != null ? common : Reply.ofBytes(Arrays.copyOfRange(buf, frameStart, pos));
    }

    /** Whether the last reply was too large to keep and was read past (see {@link #readReply}). */
    public boolean lastReplyDiscarded() {
        return discarding;
    }

    /** The length in bytes of the last reply, as the server sent it (also when it was discarded). */
    public long lastReplyLength() {
        return lastReplyLength;
    }

    /**
     * The reply just read when it is one of the few that most commands answer (SET's +OK, a missing key's nil):
     * shared instances, so those replies cost no allocation. Null otherwise.
     */
    private Reply commonReply() {
        if (pos - frameStart != 5) {
            return null;
        }
        for (Reply common : COMMON_REPLIES) {
            if (Arrays.equals(buf, frameStart, pos, common.bytes(), 0, 5)) {
                return common;
            }
        }
        return null;
    }

    /**
     * How many reads of the stream have returned bytes. A caller that times its frames tells by it whether a frame
     * needed a read or was already in the buffer when the one before it was timed.
     */
    public long reads() {
        return reads;
    }

    /** True when bytes already read from the stream are waiting in the buffer (the peer is pipelining). */
    public boolean hasBufferedInput() {
        return pos < limit;
    }

    /** Current buffer size; for tests of growth and shrinking. */
    int bufferCapacity() {
        return buf.length;
    }

    /** Marks the start of a frame, reading if nothing is buffered; false on a clean end of stream. */
    private boolean startFrame() throws IOException {
        if (pos == limit) {
            // Nothing pipelined, so we are about to block: give back a buffer grown for one big frame rather
            // than hold it for an idle connection.
            if (buf.length > Math.max(initialBuffer, KEEP_WHEN_IDLE)) {
                buf = new byte[initialBuffer];
            }
            pos = 0;
            limit = 0;
            frameStart = 0;
            return fill(Long.MAX_VALUE);
        }
        frameStart = pos;
        return true;
    }

    // ---- requests ----------------------------------------------------------------------------------

    /** Reads {@code *N\r\n} and its N bulk strings; null for a count Redis skips (zero or negative). */
    private RespCommand readMultibulk() throws IOException {
        int cr = lineEnd(limits.maxInlineLength(), "too big mbulk count string");
        long count = RespBytes.parseLong(buf, pos + 1, cr, "invalid multibulk length");
        if (count > limits.maxArguments()) {
            throw new ProtocolException("invalid multibulk length");
        }
        endLine(cr);
        return count <= 0 ? null : readArguments((int) count);
    }

    private RespCommand readArguments(int count) throws IOException {
        // Sized by what has arrived, not by the count: a peer announcing a million arguments and sending
        // none costs us nothing.
        int[] spans = new int[2 * Math.min(count, INITIAL_ARGS)];
        for (int i = 0; i < count; i++) {
            if (2 * i == spans.length) {
                spans = Arrays.copyOf(spans, 2 * Math.min(count, 2 * i));
            }
            int length = readBulkLength();
            require(length + 2L, i == count - 1);
            spans[2 * i] = pos - frameStart;
            spans[2 * i + 1] = length;
            pos += length;
            expectCrlf();
        }
        return new RespCommand(Arrays.copyOfRange(buf, frameStart, pos), spans, count);
    }

    /** Reads {@code $len\r\n} of a request argument and returns len, checked against the limits. */
    private int readBulkLength() throws IOException {
        int cr = lineEnd(limits.maxInlineLength(), "too big bulk count string");
        if (buf[pos] != '$') {
            throw new ProtocolException("expected '$', got '" + RespBytes.describe(buf[pos]) + "'");
        }
        long length = RespBytes.parseLong(buf, pos + 1, cr, "invalid bulk length");
        if (length < 0 || length > limits.maxBulkLength()) {
            throw new ProtocolException("invalid bulk length");
        }
        endLine(cr);
        return (int) length;
    }

    /** Reads one inline line and re-encodes it; null for a blank line. */
    private RespCommand readInline() throws IOException {
        int max = limits.maxInlineLength();
        // max + 1 so that a line of exactly max bytes may still end in CRLF.
        int lf = find(RespBytes.LF, max + 1L, "too big inline request", true);
        int end = lf > pos && buf[lf - 1] == RespBytes.CR ? lf - 1 : lf;
        if (end - pos > max) {
            throw new ProtocolException("too big inline request");
        }
        int start = pos;
        pos = lf + 1;
        return InlineSplitter.split(buf, start, end, limits.maxArguments());
    }

    // ---- replies -----------------------------------------------------------------------------------

    /**
     * Walks one reply without recursion: a reply is a sequence of elements, and an array header only adds to the
     * count still to read, so any nesting depth Redis produces (thousands, from a Lua table) costs no stack.
     */
    private void skipReply() throws IOException {
        long pending = 1;
        while (pending > 0) {
            pending--;
            if (!discarding && pos - frameStart > maxReplyBytes) {
                startDiscarding();
            }
            if (discarding) {
                dropParsed();
            }
            require(1, false);
            byte type = buf[pos];
            switch (type) {
                case '+', '-' -> skipStatusLine();
                case ':' -> skipInteger();
                case '$' -> skipBulk(pending == 0);
                case '*' -> pending = addElements(pending, readArrayCount());
                default -> throw new ProtocolException("unexpected reply type byte '" + RespBytes.describe(type) + "'");
            }
        }
    }

    /**
     * A status or error line can be as long as a reply (a Lua script's status_reply), so it is scanned as it
     * arrives and, past the reply bound, dropped as it is scanned like any other part of a reply too large.
     */
    private void skipStatusLine() throws IOException {
        int offset = 1; // from pos: the type byte is checked
        while (true) {
            byte[] b = buf;
            for (int i = pos + offset; i < limit; i++) {
                if (b[i] == RespBytes.CR) {
                    int cr = i - pos; // relative: buffering the LF may compact the buffer and move the line
                    require(cr + 2L, false);
                    endLine(pos + cr);
                    return;
                }
                if (b[i] == RespBytes.LF) {
                    throw new ProtocolException("LF inside a status reply");
                }
            }
            offset = limit - pos;
            if (!discarding && limit - frameStart > maxReplyBytes) {
                startDiscarding();
            }
            if (discarding) {
                pos = limit; // the line's scanned bytes go with the rest of the reply
                offset = 0;
                dropParsed();
            }
            if (!fill(Long.MAX_VALUE)) {
                throw midFrameEof();
            }
        }
    }

    private void skipInteger() throws IOException {
        int cr = lineEnd(NUMBER_LINE_MAX, "invalid integer reply");
        RespBytes.parseLong(buf, pos + 1, cr, "invalid integer reply");
        endLine(cr);
    }

    /** @param endsReply whether this bulk is the reply's last element, so the buffer need not outgrow it */
    private void skipBulk(boolean endsReply) throws IOException {
        int cr = lineEnd(NUMBER_LINE_MAX, "invalid bulk length");
        long length = RespBytes.parseLong(buf, pos + 1, cr, "invalid bulk length");
        if (length < -1) {
            throw new ProtocolException("invalid bulk length");
        }
        endLine(cr);
        if (length < 0) {
            return;
        }
        if (!discarding && pos - frameStart + length + 2 > maxReplyBytes) {
            startDiscarding();
        }
        if (discarding) {
            dropBytes(length);
            require(2, false);
        } else {
            require(length + 2, endsReply);
            pos += (int) length;
        }
        expectCrlf();
    }

    private long readArrayCount() throws IOException {
        int cr = lineEnd(NUMBER_LINE_MAX, "invalid multibulk length");
        long count = RespBytes.parseLong(buf, pos + 1, cr, "invalid multibulk length");
        // Not capped by maxArguments: a backend's LRANGE or SMEMBERS may rightly return more elements than a
        // request may carry, and nothing is allocated from this count (elements are read as they arrive).
        if (count < -1 || count > Integer.MAX_VALUE) {
            throw new ProtocolException("invalid multibulk length");
        }
        endLine(cr);
        return Math.max(count, 0);
    }

    private static long addElements(long pending, long count) {
        // Each element takes at least 3 bytes, so this is only reached by a peer sending garbage for exabytes.
        if (pending > Long.MAX_VALUE - count) {
            throw new ProtocolException("invalid multibulk length");
        }
        return pending + count;
    }

    private void startDiscarding() {
        discarding = true;
    }

    /** While discarding: forgets the parsed part of the reply, so the buffer holds one element at most. */
    private void dropParsed() {
        discardedBytes += pos - frameStart;
        frameStart = pos;
    }

    /** While discarding: reads past {@code n} payload bytes without keeping them. */
    private void dropBytes(long n) throws IOException {
        long left = n;
        while (left > 0) {
            if (pos == limit) {
                dropParsed();
                if (!fill(Long.MAX_VALUE)) {
                    throw midFrameEof();
                }
            }
            int step = (int) Math.min(left, limit - pos);
            pos += step;
            left -= step;
        }
        dropParsed();
    }

    // ---- buffer ------------------------------------------------------------------------------------

    /**
     * Returns the index of the CR ending the line that starts at {@code pos}, with the byte after it
     * buffered too. At most {@code bound} bytes (type byte included) may precede the CR.
     */
    private int lineEnd(int bound, String tooLong) throws IOException {
        int offset = find(RespBytes.CR, bound, tooLong, false) - pos;
        // Relative, because buffering the LF may compact the buffer and move the line.
        require(offset + 2L, false);
        return pos + offset;
    }

    /** Consumes the CRLF at {@code cr}, which {@link #lineEnd} found and buffered. */
    private void endLine(int cr) {
        if (buf[cr + 1] != RespBytes.LF) {
            throw new ProtocolException("expected LF after CR");
        }
        pos = cr + 2;
    }

    /** Consumes the CRLF that must follow a bulk payload; both bytes are already buffered. */
    private void expectCrlf() {
        if (buf[pos] != RespBytes.CR || buf[pos + 1] != RespBytes.LF) {
            throw new ProtocolException("expected CRLF after bulk data");
        }
        pos += 2;
    }

    /**
     * Returns the index of the first {@code target} byte at or after {@code pos}, reading more as needed,
     * and fails with {@code tooLong} once {@code bound + 1} bytes have been searched in vain.
     *
     * @param endsFrame whether the frame ends with this byte, so that the buffer need not outgrow the bound
     */
    private int find(byte target, long bound, String tooLong, boolean endsFrame) throws IOException {
        long frameLimit = endsFrame ? pos - frameStart + bound + 1 : Long.MAX_VALUE;
        int searched = 0;
        while (true) {
            byte[] b = buf;
            int end = (int) Math.min(limit, pos + bound + 1);
            for (int i = pos + searched; i < end; i++) {
                if (b[i] == target) {
                    return i;
                }
            }
            searched = end - pos;
            if (searched > bound) {
                throw new ProtocolException(tooLong);
            }
            if (!fill(frameLimit)) {
                throw midFrameEof();
            }
        }
    }

    /**
     * Makes sure {@code n} bytes from {@code pos} are buffered.
     *
     * @param endsFrame whether the frame ends with these bytes, so that the buffer need not outgrow them
     */
    private void require(long n, boolean endsFrame) throws IOException {
        if (limit - pos >= n) {
            return;
        }
        long frameBytes = pos - frameStart + n;
        if (frameBytes > RespBytes.MAX_ARRAY) {
            throw new ProtocolException("frame too large");
        }
        long frameLimit = endsFrame ? frameBytes : Long.MAX_VALUE;
        while (limit - pos < n) {
            if (!fill(frameLimit)) {
                throw midFrameEof();
            }
        }
    }

    /**
     * Reads at least one byte into the buffer, first making room if it is full; false at end of stream.
     *
     * @param frameLimit the most bytes the current frame can have (Long.MAX_VALUE when unknown)
     */
    private boolean fill(long frameLimit) throws IOException {
        if (limit == buf.length) {
            makeRoom(frameLimit);
        }
        int n;
        do {
            n = in.read(buf, limit, buf.length - limit);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        lastReadFilledBuffer = limit + n == buf.length;
        limit += n;
        reads++;
        return true;
    }

    /**
     * Moves the current frame to the front of the buffer. The buffer never shrinks here (see {@link #startFrame}):
     * it doubles for a frame that fills half of it or more and will not fit once moved, and for a peer that keeps
     * it full with pipelined frames (then up to {@link #KEEP_WHEN_IDLE}, so a pipeline is read in few system calls
     * while an idle connection keeps its small buffer).
     */
    private void makeRoom(long frameLimit) {
        int used = limit - frameStart;
        int capacity = buf.length;
        if (used > buf.length / 2 && frameLimit > buf.length) {
            if (used >= RespBytes.MAX_ARRAY) {
                throw new ProtocolException("frame too large");
            }
            // Doubling as bytes arrive, not jumping to an announced length: a peer that announces a huge
            // bulk and then stalls holds only what it actually sent. Capped by the frame's end when that is
            // known, so a big value that ends the frame gets an exact fit rather than up to twice its size.
            capacity = (int) Math.max(Math.min(Math.min(2L * buf.length, frameLimit), RespBytes.MAX_ARRAY),
                    used + 1L);
        } else if (lastReadFilledBuffer && buf.length < KEEP_WHEN_IDLE) {
            capacity = Math.min(2 * buf.length, KEEP_WHEN_IDLE);
        }
        byte[] target = capacity == buf.length ? buf : new byte[capacity];
        System.arraycopy(buf, frameStart, target, 0, used);
        buf = target;
        pos -= frameStart;
        limit = used;
        frameStart = 0;
    }

    private static EOFException midFrameEof() {
        return new EOFException("end of stream inside a frame");
    }
}
