package io.rproxy.admin;

import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code CONFIG STAGED}: the TOML text of the staged configuration, as it was read; nil when none is. */
final class ConfigStaged implements AdminCommand {
    @Override
    public String name() {
        return "CONFIG STAGED";
    }

    @Override
    public String summary() {
        return "the TOML text of the staged configuration (nil when none is staged)";
    }

    @Override
    public Reply run(List<String> args, ProxyControl proxy) {
        return proxy.stagedConfig()
                .map(config -> Reply.bulk(config.text().getBytes(StandardCharsets.UTF_8)))
                .orElse(Reply.NULL_BULK);
    }
}
