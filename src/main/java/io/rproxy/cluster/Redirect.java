package io.rproxy.cluster;

import io.rproxy.config.HostPort;
import io.rproxy.resp.Reply;

/**
 * What a cluster node's error reply asks of the proxy: {@code -MOVED slot host:port} (the slot lives there now),
 * {@code -ASK slot host:port} (try there once, after ASKING), or {@code -TRYAGAIN} (the keys are being migrated).
 *
 * @param to null for TRYAGAIN
 */
record Redirect(Kind kind, int slot, HostPort to) {
    enum Kind { MOVED, ASK, TRYAGAIN }

    /**
     * The redirection a reply asks for, or null when it is an answer.
     *
     * @param fromHost the host of the node that replied, for a redirection whose host is empty
     */
    static Redirect of(Reply reply, String fromHost) {
        if (!reply.isError()) {
            return null;
        }
        byte first = reply.bytes()[1];
        if (first != 'M' && first != 'A' && first != 'T') {
            return null;
        }
        String message = reply.errorMessage();
        if (message.startsWith("TRYAGAIN")) {
            return new Redirect(Kind.TRYAGAIN, -1, null);
        }
        Kind kind = message.startsWith("MOVED ") ? Kind.MOVED : message.startsWith("ASK ") ? Kind.ASK : null;
        if (kind == null) {
            return null;
        }
        String[] words = message.split(" ");
        if (words.length != 3) {
            return null;
        }
        try {
            String target = words[2].startsWith(":") ? fromHost + words[2] : words[2];
            return new Redirect(kind, Integer.parseInt(words[1]), HostPort.parse(target));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
