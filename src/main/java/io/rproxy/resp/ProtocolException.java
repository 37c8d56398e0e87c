package io.rproxy.resp;

import io.rproxy.RproxyException;

/**
 * A peer sent bytes that are not valid RESP, or a frame beyond the configured limits. The message is written
 * to a client as {@code -ERR Protocol error: <message>}, so it names what was wrong in Redis's own words
 * where Redis has them.
 */
public final class ProtocolException extends RproxyException {
    public ProtocolException(String message) {
        super(message);
    }
}
