package io.rproxy.backend;

import io.rproxy.resp.Reply;

/**
 * The error replies rproxy makes in place of a server's reply (a server down, a connection lost, a redirection
 * loop): {@code -ERR rproxy: <what, naming the server or slot>}. One prefix, so that the layers above can tell
 * them from errors a server sent: a split command names the failed server only in the latter, and a cluster pool
 * retries after a lost connection only on the former.
 */
public final class ProxyError {
    private static final String PREFIX = "ERR rproxy: ";

    private ProxyError() {
    }

    /** {@code -ERR rproxy: <text>}; the text names the server, slot or pool concerned. */
    public static Reply of(String text) {
        return Reply.error(PREFIX + text);
    }

    /** Whether rproxy made this reply itself, rather than a server. */
    public static boolean isProxyMade(Reply reply) {
        return reply.isError() && reply.errorMessage().startsWith(PREFIX);
    }
}
