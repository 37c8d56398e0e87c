package io.rproxy.admin;

import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code STATUS}: one JSON document (see {@link StatusJson}) as a bulk string. */
final class ShowStatus implements AdminCommand {
    @Override
    public String name() {
        return "STATUS";
    }

    @Override
    public String summary() {
        return "JSON: version, uptime, active and staged configuration, pools, servers, states, counters";
    }

    @Override
    public Reply run(List<String> args, ProxyControl proxy) {
        return Reply.bulk(StatusJson.render(proxy.snapshot()).getBytes(StandardCharsets.UTF_8));
    }
}
