package io.rproxy.admin;

import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code STATS}: twemproxy's stats JSON (see {@link TwemproxyStats}) as a bulk string. */
final class ShowStats implements AdminCommand {
    @Override
    public String name() {
        return "STATS";
    }

    @Override
    public String summary() {
        return "JSON in the format of nutcracker's stats port";
    }

    @Override
    public Reply run(List<String> args, ProxyControl proxy) {
        return Reply.bulk(TwemproxyStats.render(proxy.snapshot()).getBytes(StandardCharsets.UTF_8));
    }
}
