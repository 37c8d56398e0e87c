package io.rproxy.admin;

import io.rproxy.resp.Reply;
import java.util.List;

/** {@code PING [message]}: PONG, or the message, as redis-server answers. */
final class Ping implements AdminCommand {
    @Override
    public String name() {
        return "PING";
    }

    @Override
    public String arguments() {
        return "[message]";
    }

    @Override
    public String summary() {
        return "PONG, or the message back";
    }

    @Override
    public boolean accepts(int argCount) {
        return argCount <= 1;
    }

    @Override
    public Reply run(List<String> args, ProxyControl proxy) {
        return args.isEmpty() ? Reply.PONG
                : Reply.bulk(args.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
