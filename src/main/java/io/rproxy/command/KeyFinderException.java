package io.rproxy.command;

import io.rproxy.RproxyException;

/**
 * The arguments that locate a command's keys are malformed (e.g. a {@code numkeys} that is not an integer or
 * exceeds the arguments), so the request cannot be routed. The message is the error line Redis itself replies
 * for that command, without the leading {@code -} (e.g. {@code ERR syntax error}): the client session writes
 * it back unchanged.
 */
public final class KeyFinderException extends RproxyException {
    public KeyFinderException(String redisError) {
        super(redisError);
    }
}
