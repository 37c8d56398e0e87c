package io.rproxy.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rproxy load}: asks a running rproxy to stage a configuration file (LOAD); commit or cancel decides. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Stage a configuration in the running rproxy: validate it, bind its new ports, connect its",
                "preconnect pools. Traffic is not affected until commit; cancel releases it all."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {AdminOptions.EXIT_DONE, AdminOptions.EXIT_REFUSED, AdminOptions.EXIT_UNREACHABLE})
final class LoadCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private AdminOptions admin;

    @Parameters(paramLabel = "CONFIG", description = "The configuration file, TOML or a nutcracker.yml (sent as an absolute path: the "
            + "proxy reads it, so it must be on the proxy's host).")
    private Path file;

    @Override
    public Integer call() {
        return admin.callAndPrint(spec.commandLine(), "LOAD", file.toAbsolutePath().toString());
    }
}
