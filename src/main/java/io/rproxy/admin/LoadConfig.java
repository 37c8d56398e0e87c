package io.rproxy.admin;

import io.rproxy.RproxyException;
import io.rproxy.resp.Reply;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code LOAD <path>}: stages the configuration in a file on the proxy's host (relative paths are resolved
 * against the proxy's working directory) beside the running one; COMMIT or CANCEL decides.
 */
final class LoadConfig implements AdminCommand {
    @Override
    public String name() {
        return "LOAD";
    }

    @Override
    public String arguments() {
        return "<path>";
    }

    @Override
    public String summary() {
        return "stage a configuration file: validate it, bind its new ports, connect its preconnect pools";
    }

    @Override
    public boolean accepts(int argCount) {
        return argCount == 1;
    }

    @Override
    public Reply run(List<String> args, Rproxy rproxy) {
        try {
            return Reply.simple("OK " + rproxy.load(Path.of(args.get(0))));
        } catch (RproxyException e) {
            return AdminCommands.refusal(e);
        }
    }
}
