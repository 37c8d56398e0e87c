package io.rproxy.admin;

import io.rproxy.RproxyException;
import io.rproxy.resp.Reply;
import java.nio.file.Path;
import java.util.List;

/** {@code RELOAD <path>}: LOAD and COMMIT in one step; a file that cannot be staged changes nothing. */
final class ReloadConfig implements AdminCommand {
    @Override
    public String name() {
        return "RELOAD";
    }

    @Override
    public String arguments() {
        return "<path>";
    }

    @Override
    public String summary() {
        return "load a configuration file and commit it at once";
    }

    @Override
    public boolean accepts(int argCount) {
        return argCount == 1;
    }

    @Override
    public Reply run(List<String> args, Rproxy rproxy) {
        try {
            return Reply.simple("OK " + rproxy.reload(Path.of(args.get(0))));
        } catch (RproxyException e) {
            return AdminCommands.refusal(e);
        }
    }
}
