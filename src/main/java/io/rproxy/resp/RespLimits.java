package io.rproxy.resp;

/**
 * Bounds on what a peer may ask us to allocate. Defaults are redis-server's: proto-max-bulk-len 512 MB and
 * 1M arguments per multibulk request; inline requests are capped at 64 KB as in redis-server.
 *
 * @param maxBulkLength largest bulk string accepted, in bytes
 * @param maxArguments  largest argument count of a multibulk request
 * @param maxInlineLength longest inline request line, in bytes
 */
public record RespLimits(long maxBulkLength, int maxArguments, int maxInlineLength) {
    public static final RespLimits DEFAULT = new RespLimits(512L * 1024 * 1024, 1024 * 1024, 64 * 1024);

    public RespLimits {
        if (maxBulkLength < 1 || maxBulkLength > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxBulkLength out of range: " + maxBulkLength);
        }
        if (maxArguments < 1) {
            throw new IllegalArgumentException("maxArguments must be positive: " + maxArguments);
        }
        if (maxInlineLength < 16) {
            throw new IllegalArgumentException("maxInlineLength too small: " + maxInlineLength);
        }
    }
}
