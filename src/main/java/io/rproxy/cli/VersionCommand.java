package io.rproxy.cli;

import io.rproxy.Version;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code rproxy version}: prints the version of this build; with {@code --admin} or {@code --config}, also the
 * version of the rproxy running there.
 */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Print rproxy's version; with --admin or --config also the running proxy's.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed", "1:the proxy refused (e.g. wrong password), or the config file is bad",
                AdminOptions.EXIT_UNREACHABLE})
final class VersionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private AdminOptions admin;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("rproxy " + Version.current());
        out.flush();
        if (!admin.given()) {
            return 0;
        }
        return admin.run(spec.commandLine().getErr(), client -> {
            out.println("running: rproxy " + client.callForText("VERSION"));
            out.flush();
            return 0;
        });
    }
}
