package io.rproxy.admin;

import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code CONFIG ACTIVE}: the TOML text of the configuration running now, as it was read. */
final class ConfigActive implements AdminCommand {
    @Override
    public String name() {
        return "CONFIG ACTIVE";
    }

    @Override
    public String summary() {
        return "the TOML text of the running configuration";
    }

    @Override
    public Reply run(List<String> args, ProxyControl proxy) {
        return Reply.bulk(proxy.activeConfig().text().getBytes(StandardCharsets.UTF_8));
    }
}
