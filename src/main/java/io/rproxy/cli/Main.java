package io.rproxy.cli;

import io.rproxy.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/rproxy}: the command line of rproxy. Each subcommand is one class in this package. */
@Command(name = "rproxy",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "A twemproxy-compatible sharding Redis proxy.",
        subcommands = {RunCommand.class, CheckCommand.class, ConvertCommand.class, NutcrackerCommand.class, StatusCommand.class, VersionCommand.class,
                LoadCommand.class, CommitCommand.class, CancelCommand.class, ReloadCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static {
        // Before the first logger is made: loggers whose level SIGTTIN/SIGTTOU can move (see LogLevel). A -D given
        // to the JVM wins.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", SteppedLogProvider.class.getName());
            // slf4j reports a provider named this way on stderr at its INFO level, which a CLI command's output
            // (status, reload, ...) must not carry; its warnings and errors still show.
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN");
            }
        }
    }

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests to run subcommands in-process. */
    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** picocli's --version. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"rproxy " + Version.current()};
        }
    }
}
