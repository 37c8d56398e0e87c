package io.rproxy.cli;

import io.rproxy.RproxyException;
import io.rproxy.config.AdminConfig;
import io.rproxy.config.ConfigException;
import io.rproxy.config.ConfigLoader;
import io.rproxy.config.HostPort;
import io.rproxy.config.ProxyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options of every CLI command that talks to a running rproxy's admin port (a picocli mixin): where it is,
 * its password, how long to wait; and the one way such a command reports failure: a one-line message, exit code
 * 2 when the proxy does not answer, 1 when it refuses or the configuration file is bad.
 */
final class AdminOptions {
    static final int UNREACHABLE = 2;
    /** picocli exit-code lines shared by the commands that talk to a running proxy. */
    static final String EXIT_DONE = "0:done";
    static final String EXIT_REFUSED =
            "1:the proxy refused (the reason follows on one line), or the --config file is bad";
    static final String EXIT_UNREACHABLE = UNREACHABLE + ":no rproxy answers at the admin address";

    @Option(names = "--admin", paramLabel = "HOST:PORT",
            description = "The admin port of the running rproxy (default: 127.0.0.1:22222).")
    private String admin;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Take the admin address and password from this configuration file instead.")
    private Path config;

    @Option(names = "--password", paramLabel = "PASSWORD",
            description = "The admin password ([admin] password); overrides the one in --config.")
    private String password;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "5000",
            description = "How long to wait for the proxy to answer (default: ${DEFAULT-VALUE} ms).")
    private long timeoutMs;

    /** A command's work once connected; returns the exit code. */
    @FunctionalInterface
    interface Session {
        int run(AdminClient client);
    }

    /** True when --admin or --config was given (version asks the proxy only then). */
    boolean given() {
        return admin != null || config != null;
    }

    /**
     * Sends one admin command and prints its one-line answer: what load, commit, cancel and reload do. Exit code
     * as {@link #run}.
     */
    int callAndPrint(CommandLine commandLine, String... command) {
        return run(commandLine.getErr(), client -> {
            commandLine.getOut().println(client.callForLine(command));
            commandLine.getOut().flush();
            return 0;
        });
    }

    /** Connects, runs {@code session}, and turns every failure into one line on {@code err} and an exit code. */
    int run(PrintWriter err, Session session) {
        HostPort address;
        Optional<String> secret;
        try {
            Target target = target();
            address = target.address();
            secret = target.password();
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            err.flush();
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("rproxy: --admin: " + e.getMessage());
            err.flush();
            return 1;
        }
        try (AdminClient client = AdminClient.connect(address, secret, Duration.ofMillis(timeoutMs))) {
            return session.run(client);
        } catch (AdminClient.Unreachable e) {
            err.println("rproxy: " + e.getMessage());
            return UNREACHABLE;
        } catch (RproxyException e) {
            err.println("rproxy: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("rproxy: the proxy at " + address + " sent a document this CLI cannot read: "
                    + e.getMessage());
            return 1;
        } finally {
            err.flush();
        }
    }

    private record Target(HostPort address, Optional<String> password) {
    }

    private Target target() {
        if (admin != null && config != null) {
            throw new IllegalArgumentException("give --admin or --config, not both");
        }
        Optional<String> given = Optional.ofNullable(password);
        if (config != null) {
            ProxyConfig loaded = ConfigLoader.load(config);
            return new Target(reachable(loaded.admin().listen()), given.or(() -> loaded.admin().password()));
        }
        return new Target(admin == null ? AdminConfig.DEFAULT_LISTEN : HostPort.parse(admin), given);
    }

    /** A wildcard listen address is reached on loopback. */
    private static HostPort reachable(HostPort listen) {
        return switch (listen.host()) {
            case "0.0.0.0", "*" -> new HostPort("127.0.0.1", listen.port());
            case "::" -> new HostPort("::1", listen.port());
            default -> listen;
        };
    }
}
