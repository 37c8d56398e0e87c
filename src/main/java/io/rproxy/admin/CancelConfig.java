package io.rproxy.admin;

import io.rproxy.resp.Reply;
import java.util.List;

/** {@code CANCEL}: discards the staged configuration and releases every port and connection it took. */
final class CancelConfig implements AdminCommand {
    @Override
    public String name() {
        return "CANCEL";
    }

    @Override
    public String summary() {
        return "discard the staged configuration, releasing its ports and connections";
    }

    @Override
    public Reply run(List<String> args, ProxyControl proxy) {
        return AdminCommands.outcome(proxy::cancel);
    }
}
