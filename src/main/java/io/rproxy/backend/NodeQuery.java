package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.io.IOException;

/**
 * One question to one server on a connection of its own (connect, AUTH, the command, close), bounded by the
 * connect timeout throughout: how a cluster pool reads a node's slot map without touching the pipelined
 * connections that carry traffic. Runs on the caller's thread.
 */
public final class NodeQuery {
    private NodeQuery() {
    }

    /**
     * The server's reply to {@code command} (an error reply is returned, not thrown).
     *
     * @throws BackendException naming the server when it cannot be reached or does not answer in time
     */
    public static Reply ask(ServerSpec server, BackendSettings settings, RespCommand command) {
        ServerSocketOpener.Opened opened = ServerSocketOpener.open(server, settings);
        try {
            opened.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
            opened.out().write(command.frame());
            opened.out().flush();
            return opened.in().readReply();
        } catch (IOException | ProtocolException e) {
            throw new BackendException("cannot ask " + server.describe() + ": " + ServerSocketOpener.describe(e), e);
        } finally {
            ServerSocketOpener.closeQuietly(opened.socket());
        }
    }
}
