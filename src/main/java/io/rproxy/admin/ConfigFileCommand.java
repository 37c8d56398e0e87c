package io.rproxy.admin;

import io.rproxy.resp.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A command that takes a configuration file on the proxy's host (relative paths are resolved against the proxy's
 * working directory): {@code LOAD <path>} stages it beside the running one, and COMMIT or CANCEL decides;
 * {@code RELOAD <path>} is LOAD and COMMIT in one step, and a file that cannot be staged changes nothing.
 */
final class ConfigFileCommand implements AdminCommand {
    private final String name;
    private final String summary;
    private final BiFunction<ProxyControl, Path, String> change;

    private ConfigFileCommand(String name, String summary, BiFunction<ProxyControl, Path, String> change) {
        this.name = name;
        this.summary = summary;
        this.change = change;
    }

    static ConfigFileCommand load() {
        return new ConfigFileCommand("LOAD",
                "stage a configuration file: validate it, bind its new ports, connect its preconnect pools",
                ProxyControl::load);
    }

    static ConfigFileCommand reload() {
        return new ConfigFileCommand("RELOAD", "load a configuration file and commit it at once", ProxyControl::reload);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String arguments() {
        return "<path>";
    }

    @Override
    public String summary() {
        return summary;
    }

    @Override
    public boolean accepts(int argCount) {
        return argCount == 1;
    }

    @Override
    public Reply run(List<String> args, ProxyControl proxy) {
        return AdminCommands.outcome(() -> change.apply(proxy, Path.of(args.get(0))));
    }
}
