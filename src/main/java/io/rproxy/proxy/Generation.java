package io.rproxy.proxy;

import io.rproxy.resp.Reply;

/**
 * What one listener's clients are served by: a pool (servers, router, timeouts, auth) and its dispatcher, or,
 * once a reload has removed the pool or moved it to another address, the error its remaining clients get. A
 * reload swaps a listener's generation; each request reads it once (see {@link ClientSession}).
 *
 * @param gone null while serving
 */
record Generation(Pool pool, CommandDispatcher dispatcher, Reply gone) {
    static Generation serving(Pool pool, CommandDispatcher dispatcher) {
        return new Generation(pool, dispatcher, null);
    }

    static Generation gone(String message) {
        return new Generation(null, null, Reply.error("ERR " + message));
    }

    boolean isGone() {
        return gone != null;
    }
}
