package io.rproxy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rproxy commit}: makes the staged configuration active (COMMIT). */
@Command(name = "commit", mixinStandardHelpOptions = true,
        description = "Make the staged configuration of the running rproxy the active one.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {AdminOptions.EXIT_DONE, AdminOptions.EXIT_REFUSED, AdminOptions.EXIT_UNREACHABLE})
final class CommitCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private AdminOptions admin;

    @Override
    public Integer call() {
        return admin.callAndPrint(spec.commandLine(), "COMMIT");
    }
}
