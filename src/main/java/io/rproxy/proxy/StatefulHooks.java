package io.rproxy.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A session's side of the stateful commands ({@link ClientState.SessionHooks}): settling what the client is owed
 * before a dedicated connection runs something, and watching the client's input while a blocking command waits.
 * Runs on the session's thread.
 */
final class StatefulHooks implements ClientState.SessionHooks {
    private final ClientSession session;
    private final ClientInput input;
    private final ReplyWriter out;

    StatefulHooks(ClientSession session, ClientInput input, ReplyWriter out) {
        this.session = session;
        this.input = input;
        this.out = out;
    }

    @Override
    public void settle() {
        try {
            session.settle(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void watchForLeave(Runnable onLeave) {
        input.watchForLeave(onLeave, "client-" + session.id() + "-watch");
    }
}
