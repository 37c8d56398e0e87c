package io.rproxy.cli;

import io.rproxy.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code rproxy version}: prints the version of this build. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print rproxy's version.")
final class VersionCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("rproxy " + Version.current());
        return 0;
    }
}
