package io.rproxy.admin;

import io.rproxy.Version;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code VERSION}: the running rproxy's version, as a bulk string. */
final class ShowVersion implements AdminCommand {
    @Override
    public String name() {
        return "VERSION";
    }

    @Override
    public String summary() {
        return "the version of the running rproxy";
    }

    @Override
    public Reply run(List<String> args, ProxyControl proxy) {
        return Reply.bulk(Version.current().getBytes(StandardCharsets.UTF_8));
    }
}
