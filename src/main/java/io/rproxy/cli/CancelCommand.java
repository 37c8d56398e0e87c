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
        exitCodeList = {"0:done", "1:the proxy refused (the reason follows on one line), or the --config file is bad",
                "2:no rproxy answers at the admin address"})
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
