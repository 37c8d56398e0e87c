package io.rproxy.backend;

import io.rproxy.config.ServerSpec;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One question to one server on a connection of its own (connect, AUTH, the command, close), bounded by the
 * connect timeout throughout: how a cluster pool reads a node's slot map, and a Sentinel pool asks its sentinels,
 * without touching the pipelined connections that carry traffic. Runs on the caller's thread.
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
        return askAll(server, settings, List.of(command)).getFirst();
    }

    /**
     * The server's replies to {@code commands}, sent in one write (one round trip), in order.
     *
     * @throws BackendException naming the server when it cannot be reached or does not answer in time
     */
    public static List<Reply> askAll(ServerSpec server, BackendSettings settings, List<RespCommand> commands) {
        ServerSocketOpener.Opened opened = ServerSocketOpener.open(server, settings);
        try {
            opened.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
            for (RespCommand command : commands) {
                opened.out().write(command.frame());
            }
            opened.out().flush();
            List<Reply> replies = new ArrayList<>(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                replies.add(opened.in().readReply());
            }
            return replies;
        } catch (IOException | ProtocolException e) {
            throw new BackendException("cannot ask " + server.describe() + ": " + ServerSocketOpener.describe(e), e);
        } finally {
            ServerSocketOpener.closeQuietly(opened.socket());
        }
    }
}
