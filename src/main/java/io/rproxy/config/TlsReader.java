package io.rproxy.config;

import io.rproxy.tls.KeyAndChain;
import io.rproxy.tls.ListenerTls;
import io.rproxy.tls.PemFiles;
import io.rproxy.tls.ServerTls;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@code tls} table ({@code [pools.NAME.tls]}, {@code [admin.tls]}) into a {@link TlsConfig} and a
 * {@code server_tls} table into a {@link ServerTlsConfig}, reading the PEM files they name at once, so that a file
 * that cannot be read, a key that does not belong to its certificate or a CA file that does not parse is a problem
 * at load, with the line of its key, not a failed handshake later. A certificate that has expired (or is not valid
 * yet) is a warning: peers will refuse it, but the operator may be about to replace it. A relative path is taken
 * from the configuration file's folder. Used by one thread, for one load.
 */
final class TlsReader {
    static final List<String> LISTENER_KEYS = List.of("cert_file", "key_file", "ca_cert_file");
    static final List<String> SERVER_KEYS = List.of("ca_cert_file", "cert_file", "key_file", "server_name");
    /** Certificate bundles are tens of KB (Debian's whole CA bundle is 200 KB); more is not a PEM file. */
    static final int MAX_PEM_BYTES = 1024 * 1024;

    private final TableReader table;
    private final Path base;
    private final Problems problems;
    private final Clock clock;

    /** @param base the folder relative paths are taken from: the configuration file's */
    TlsReader(TableReader table, Path base, Problems problems, Clock clock) {
        this.table = table;
        this.base = base;
        this.problems = problems;
        this.clock = clock;
    }

    /** A listener's table: cert_file and key_file required, ca_cert_file to ask clients for certificates. */
    Optional<TlsConfig> listener() {
        int before = problems.count();
        table.rejectUnknownKeys(LISTENER_KEYS);
        Optional<Path> certFile = path("cert_file");
        Optional<Path> keyFile = path("key_file");
        if (!table.has("cert_file")) {
            table.missing("cert_file",
                    "a TLS listener needs its certificate, e.g. cert_file = \"/etc/rproxy/proxy.crt\"");
        }
        if (!table.has("key_file")) {
            table.missing("key_file",
                    "a TLS listener needs its private key, e.g. key_file = \"/etc/rproxy/proxy.key\"");
        }
        Optional<KeyAndChain> identity = identity(certFile, keyFile);
        Optional<Path> caCertFile = path("ca_cert_file");
        Optional<List<X509Certificate>> clientCas = caCertFile.flatMap(file -> certificates("ca_cert_file", file));
        if (problems.count() > before || identity.isEmpty()) {
            return Optional.empty();
        }
        try {
            ListenerTls context = ListenerTls.of(identity.get(), clientCas.orElse(List.of()));
            return Optional.of(new TlsConfig(certFile.get(), keyFile.get(), caCertFile, context));
        } catch (IllegalArgumentException e) {
            table.problem("cert_file", e.getMessage());
            return Optional.empty();
        }
    }

    /** A pool's server_tls table: every key optional; cert_file and key_file go together. */
    Optional<ServerTlsConfig> servers() {
        int before = problems.count();
        table.rejectUnknownKeys(SERVER_KEYS);
        Optional<Path> caCertFile = path("ca_cert_file");
        Optional<List<X509Certificate>> trusted = caCertFile.flatMap(file -> certificates("ca_cert_file", file));
        Optional<Path> certFile = path("cert_file");
        Optional<Path> keyFile = path("key_file");
        if (table.has("cert_file") && !table.has("key_file")) {
            table.problem("cert_file", "a client certificate needs its private key: set key_file too");
        } else if (table.has("key_file") && !table.has("cert_file")) {
            table.problem("key_file", "a private key needs its client certificate: set cert_file too");
        }
        Optional<KeyAndChain> identity = identity(certFile, keyFile);
        Optional<String> serverName = table.string("server_name");
        if (serverName.isPresent() && serverName.get().isBlank()) {
            table.problem("server_name", "must not be empty; leave the key out to check each server's own host");
            serverName = Optional.empty();
        }
        if (problems.count() > before) {
            return Optional.empty();
        }
        try {
            ServerTls context = ServerTls.of(trusted, identity, serverName);
            return Optional.of(new ServerTlsConfig(caCertFile, identity.map(i -> certFile.get()),
                    identity.map(i -> keyFile.get()), serverName, context));
        } catch (IllegalArgumentException e) {
            table.problem(serverName.isPresent() ? "server_name" : "ca_cert_file", e.getMessage());
            return Optional.empty();
        }
    }

    /** The chain and key of cert_file and key_file, when both were read and the key belongs to the leaf. */
    private Optional<KeyAndChain> identity(Optional<Path> certFile, Optional<Path> keyFile) {
        Optional<List<X509Certificate>> chain = certFile.flatMap(file -> certificates("cert_file", file));
        Optional<PrivateKey> key = keyFile.flatMap(this::privateKey);
        if (chain.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        KeyAndChain identity = new KeyAndChain(chain.get(), key.get());
        if (!identity.matches()) {
            table.problem("key_file", "the private key in " + keyFile.get() + " does not belong to the certificate in "
                    + certFile.get() + " (" + describe(identity.leaf()) + "); give the key the certificate was"
                    + " made for");
            return Optional.empty();
        }
        return Optional.of(identity);
    }

    private Optional<List<X509Certificate>> certificates(String key, Path file) {
        return read(key, file).flatMap(bytes -> {
            try {
                List<X509Certificate> certificates = PemFiles.certificates(bytes);
                certificates.forEach(certificate -> checkValidity(key, file, certificate));
                return Optional.of(certificates);
            } catch (IllegalArgumentException e) {
                table.problem(key, file + ": " + e.getMessage());
                return Optional.empty();
            }
        });
    }

    private Optional<PrivateKey> privateKey(Path file) {
        return read("key_file", file).flatMap(bytes -> {
            try {
                return Optional.of(PemFiles.privateKey(bytes));
            } catch (IllegalArgumentException e) {
                table.problem("key_file", file + ": " + e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** Expired or not yet valid: a warning, since the operator may be replacing it; peers will refuse it. */
    private void checkValidity(String key, Path file, X509Certificate certificate) {
        Instant now = clock.instant();
        if (now.isAfter(certificate.getNotAfter().toInstant())) {
            problems.warn(table.line(key), table.dotted(key), file + ": the certificate " + describe(certificate)
                    + " expired on " + certificate.getNotAfter().toInstant() + "; peers will refuse it");
        } else if (now.isBefore(certificate.getNotBefore().toInstant())) {
            problems.warn(table.line(key), table.dotted(key), file + ": the certificate " + describe(certificate)
                    + " is not valid before " + certificate.getNotBefore().toInstant() + "; peers will refuse it"
                    + " until then");
        }
    }

    private Optional<byte[]> read(String key, Path file) {
        try {
            return Optional.of(ConfigFile.readBytes(file, MAX_PEM_BYTES, "a PEM file is text"));
        } catch (ConfigException e) {
            table.problem(key, "cannot read " + file + ": " + e.problems().getFirst().message());
            return Optional.empty();
        }
    }

    private Optional<Path> path(String key) {
        Optional<String> text = table.string(key);
        if (text.isPresent() && text.get().isBlank()) {
            table.problem(key, "must not be empty; give the path of a PEM file, or leave the key out");
            return Optional.empty();
        }
        return text.map(t -> base.resolve(t).normalize());
    }

    /** "subject 'CN=proxy', serial 1f2e": what tells two certificates apart in a message. */
    static String describe(X509Certificate certificate) {
        return "subject '" + certificate.getSubjectX500Principal().getName() + "', serial "
                + certificate.getSerialNumber().toString(16);
    }
}
