package io.rproxy.admin;

import io.rproxy.resp.Reply;
import java.util.List;

/**
 * {@code COMMIT}: makes the staged configuration the active one. When it moves the admin port, this connection
 * ends after the reply.
 */
final class CommitConfig implements AdminCommand {
    @Override
    public String name() {
        return "COMMIT";
    }

    @Override
    public String summary() {
        return "make the staged configuration the active one";
    }

    @Override
    public Reply run(List<String> args, ProxyControl proxy) {
        return AdminCommands.outcome(proxy::commit);
    }
}
