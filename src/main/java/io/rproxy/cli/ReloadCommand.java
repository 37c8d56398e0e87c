package io.rproxy.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rproxy reload}: loads and commits a configuration file in one step (RELOAD). */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Load a configuration into the running rproxy and commit it at once (load, then commit).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {AdminOptions.EXIT_DONE, AdminOptions.EXIT_REFUSED, AdminOptions.EXIT_UNREACHABLE})
final class ReloadCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private AdminOptions admin;

    @Parameters(paramLabel = "CONFIG", description = "The configuration file, TOML or a nutcracker.yml (sent as an absolute path: the "
            + "proxy reads it, so it must be on the proxy's host).")
    private Path file;

    @Override
    public Integer call() {
        return admin.callAndPrint(spec.commandLine(), "RELOAD", file.toAbsolutePath().toString());
    }
}
