package io.rproxy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rproxy cancel}: discards the staged configuration (CANCEL). */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Discard the running rproxy's staged configuration, releasing its ports and connections.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {AdminOptions.EXIT_DONE, AdminOptions.EXIT_REFUSED, AdminOptions.EXIT_UNREACHABLE})
final class CancelCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private AdminOptions admin;

    @Override
    public Integer call() {
        return admin.callAndPrint(spec.commandLine(), "CANCEL");
    }
}
