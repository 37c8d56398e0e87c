package io.rproxy.cli;

import io.rproxy.RproxyException;
import io.rproxy.config.AdminConfig;
import io.rproxy.config.ConfigException;
import io.rproxy.config.ConfigLoader;
import io.rproxy.config.HostPort;
import io.rproxy.config.ProxyConfig;
import io.rproxy.config.TlsConfig;
import io.rproxy.tls.KeyAndChain;
import io.rproxy.tls.PemFiles;
import io.rproxy.tls.ServerTls;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
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

    @Option(names = "--tls", description = "Connect over TLS (implied by --cacert, and by an [admin.tls] table in"
            + " --config).")
    private boolean tls;

    @Option(names = "--cacert", paramLabel = "FILE", description = "The CA certificates (PEM) the admin port's"
            + " certificate must chain to (default: with --config, exactly the certificate in [admin.tls] cert_file;"
            + " else the JDK's trusted CAs).")
    private Path caCert;

    @Option(names = "--cert", paramLabel = "FILE", description = "A client certificate (PEM) to present, for an"
            + " admin port with ca_cert_file (default: with --config, the admin port's own certificate).")
    private Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "The private key (PEM) of --cert.")
    private Path key;

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
        Optional<ServerTls> connectTls;
        try {
            Target target = target();
            address = target.address();
            secret = target.password();
            connectTls = target.tls();
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            err.flush();
            return 1;
        } catch (TlsOptionException e) {
            err.println("rproxy: " + e.getMessage());
            err.flush();
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("rproxy: --admin: " + e.getMessage());
            err.flush();
            return 1;
        }
        try (AdminClient client = AdminClient.connect(address, secret, Duration.ofMillis(timeoutMs), connectTls)) {
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

    private record Target(HostPort address, Optional<String> password, Optional<ServerTls> tls) {
    }

    private Target target() {
        if (admin != null && config != null) {
            throw new IllegalArgumentException("give --admin or --config, not both");
        }
        if ((cert == null) != (key == null)) {
            throw new TlsOptionException("--cert and --key go together: a client certificate needs its key");
        }
        Optional<String> given = Optional.ofNullable(password);
        if (config != null) {
            ProxyConfig loaded = ConfigLoader.load(config);
            Optional<TlsConfig> adminTls = loaded.admin().tls();
            return new Target(reachable(loaded.admin().listen()), given.or(() -> loaded.admin().password()),
                    adminTls.isPresent() || tls || caCert != null ? Optional.of(tls(adminTls)) : Optional.empty());
        }
        return new Target(admin == null ? AdminConfig.DEFAULT_LISTEN : HostPort.parse(admin), given,
                tls || caCert != null || cert != null ? Optional.of(tls(Optional.empty())) : Optional.empty());
    }

    /**
     * The CLI's TLS: --cacert, --cert and --key as given. With the admin port's own TLS (read from --config), the
     * CLI trusts exactly its certificate and, when the port asks for a client certificate, presents the port's own
     * (a host that can read the configuration can read those files).
     */
    private ServerTls tls(Optional<TlsConfig> adminTls) {
        Optional<KeyAndChain> identity = cert != null
                ? Optional.of(new KeyAndChain(certificates("--cert", cert), privateKey("--key", key)))
                : adminTls.filter(t -> t.context().requiresClientCertificates()).map(t -> t.context().identity());
        try {
            if (caCert != null) {
                return ServerTls.of(Optional.of(certificates("--cacert", caCert)), identity, Optional.empty());
            }
            if (adminTls.isPresent()) {
                return ServerTls.pinned(List.of(adminTls.get().context().certificate()), identity);
            }
            return ServerTls.of(Optional.empty(), identity, Optional.empty());
        } catch (TlsOptionException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new TlsOptionException(e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(String option, Path file) {
        return fromPem(option, file, PemFiles::certificates);
    }

    private static PrivateKey privateKey(String option, Path file) {
        return fromPem(option, file, PemFiles::privateKey);
    }

    /** The file's PEM contents as {@code parse} reads them; a file it refuses names the option and the file. */
    private static <T> T fromPem(String option, Path file, Function<byte[], T> parse) {
        byte[] pem = read(option, file);
        try {
            return parse.apply(pem);
        } catch (IllegalArgumentException e) {
            throw new TlsOptionException(option + ": " + file + ": " + e.getMessage());
        }
    }

    private static byte[] read(String option, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TlsOptionException(option + ": cannot read " + file + ": " + e);
        }
    }

    /** A TLS option names a file that cannot be read or used; the message names the option. Exit code 1. */
    private static final class TlsOptionException extends IllegalArgumentException {
        TlsOptionException(String message) {
            super(message);
        }
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
