package io.rproxy.cli;

import io.rproxy.config.AdminConfig;
import io.rproxy.config.ConfigException;
import io.rproxy.config.ConfigFormat;
import io.rproxy.config.ConfigLoader;
import io.rproxy.config.HostPort;
import io.rproxy.config.ProxyConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rproxy nutcracker [nutcracker's options]}: nutcracker's command line, so that an init script or a systemd
 * unit written for nutcracker runs rproxy with one line changed. {@code -c} is the nutcracker.yml, {@code -s} and
 * {@code -a} the twemproxy stats port, {@code -t} checks the file, {@code -v} sets the log level, {@code -o} sends
 * the log to a file (reopened on SIGHUP, as nutcracker reopens it, before the reload), {@code -p} writes a pid
 * file. {@code -i} and {@code -m} are accepted and have no effect: rproxy's stats are live and its buffers grow as
 * needed. {@code -d} is refused: a JVM cannot fork; let systemd or start-stop-daemon --background run it.
 */
@Command(name = "nutcracker", mixinStandardHelpOptions = true, versionProvider = NutcrackerCommand.Version.class,
        description = {"Run rproxy with nutcracker's (twemproxy's) command-line options and its YAML file.",
                "The admin port listens on --admin-listen, since nutcracker's stats port takes 22222."})
final class NutcrackerCommand implements Callable<Integer> {
    @Option(names = {"-c", "--conf-file"}, paramLabel = "S", defaultValue = "conf/nutcracker.yml",
            description = "set configuration file (default: ${DEFAULT-VALUE})")
    private Path conf;

    @Option(names = {"-t", "--test-conf"}, description = "test configuration for syntax errors and exit")
    private boolean test;

    @Option(names = {"-s", "--stats-port"}, paramLabel = "N", defaultValue = "22222",
            description = "set stats monitoring port (default: ${DEFAULT-VALUE})")
    private int statsPort;

    @Option(names = {"-a", "--stats-addr"}, paramLabel = "S", defaultValue = "0.0.0.0",
            description = "set stats monitoring ip (default: ${DEFAULT-VALUE})")
    private String statsAddr;

    @Option(names = {"-v", "--verbose"}, paramLabel = "N", defaultValue = "5",
            description = "set logging level (default: 5, min: 0, max: 11): 0-3 errors, 4 warnings, 5-6 info, "
                    + "7 debug, 8-11 trace")
    private int verbosity;

    @Option(names = {"-o", "--output"}, paramLabel = "S", description = "set logging file (default: stderr)")
    private Path output;

    @Option(names = {"-p", "--pid-file"}, paramLabel = "S", description = "set pid file (default: none)")
    private Path pidFile;

    @Option(names = {"-i", "--stats-interval"}, paramLabel = "N",
            description = "accepted; no effect (rproxy's stats are live, not aggregated per interval)")
    private Integer statsInterval;

    @Option(names = {"-m", "--mbuf-size"}, paramLabel = "N",
            description = "accepted; no effect (rproxy's buffers grow as a request needs)")
    private Integer mbufSize;

    @Option(names = {"-d", "--daemonize"}, description = "refused: run rproxy under systemd (Type=simple) or "
            + "start-stop-daemon --background --make-pidfile")
    private boolean daemonize;

    @Option(names = {"-D", "--describe-stats"}, description = "refused: the stats fields are described in README")
    private boolean describeStats;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:22223",
            description = "rproxy's admin port (default: ${DEFAULT-VALUE})")
    private String adminListen;

    @Option(names = "--shutdown-grace", paramLabel = "MS", defaultValue = "5000",
            description = "On SIGINT/SIGTERM, how long clients get to receive their replies (default: ${DEFAULT-VALUE} ms)")
    private long shutdownGraceMs;

    @Option(names = "--carrier-threads", paramLabel = "N", defaultValue = "0",
            description = "OS threads that run the proxy's virtual threads (default: half the cores, at least 1)")
    private int carrierThreads;

    /** Guards {@link #logFile}: two SIGHUPs may be handled at once, each on a thread of its own. */
    private final ReentrantLock logLock = new ReentrantLock();
    /** The log file -o opened last (null before); closed when the next one is open. */
    private PrintStream logFile;

    @Override
    public Integer call() throws InterruptedException {
        if (describeStats) {
            System.err.println("rproxy: -D is not supported; the stats fields are described in README (twemproxy's"
                    + " stats)");
            return 1;
        }
        ProxyConfig loaded;
        try {
            // Read once (with the loader's bounds), then the pools checked against these admin and stats addresses.
            loaded = ConfigLoader.parseYaml(ConfigLoader.load(conf, ConfigFormat.YAML).text(), conf, admin());
        } catch (ConfigException e) {
            e.problems().forEach(System.err::println);
            if (test) {
                System.err.println("rproxy: configuration file '" + conf + "' syntax is invalid");
            }
            return 1;
        } catch (IllegalArgumentException e) {
            System.err.println("rproxy: " + e.getMessage());
            return 1;
        }
        if (test) {
            System.err.println("rproxy: configuration file '" + conf + "' syntax is ok");
            return 0;
        }
        if (daemonize) {
            System.err.println("rproxy: -d is not supported (a JVM cannot fork); run rproxy in the foreground under"
                    + " systemd (Type=simple) or start-stop-daemon --background --make-pidfile");
            return 1;
        }
        return start(loaded);
    }

    private int start(ProxyConfig loaded) throws InterruptedException {
        int carriers;
        try {
            carriers = CarrierThreads.configure(carrierThreads, Runtime.getRuntime().availableProcessors(),
                    System.getProperties());
            if (output != null) {
                reopenLog();
            }
            if (pidFile != null) {
                Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
                pidFile.toFile().deleteOnExit();
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("rproxy: " + e.getMessage());
            return 2;
        }
        LogLevel.set(LogLevel.ofNutcracker(verbosity));
        return RunCommand.serve(loaded, carriers, Duration.ofMillis(shutdownGraceMs),
                output == null ? () -> { } : this::reopenLogOnHangup);
    }

    private AdminConfig admin() {
        HostPort stats = new HostPort(statsAddr, statsPort);
        return new AdminConfig(HostPort.parse(adminListen), Optional.empty(), Optional.of(stats));
    }

    /**
     * The log goes wherever System.err points (slf4j-simple looks it up on every event): the file, opened anew, so
     * that logrotate's move and SIGHUP give a fresh file as with nutcracker.
     */
    private void reopenLog() throws IOException {
        logLock.lock();
        try {
            PrintStream previous = logFile;
            logFile = new PrintStream(new FileOutputStream(output.toFile(), true), true, StandardCharsets.UTF_8);
            System.setErr(logFile);
            if (previous != null) {
                previous.close();
            }
        } finally {
            logLock.unlock();
        }
    }

    private void reopenLogOnHangup() {
        try {
            reopenLog();
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(NutcrackerCommand.class).error("SIGHUP: cannot reopen {}: {}", output,
                    e.getMessage());
        }
    }

    /** -V: what nutcracker prints, for rproxy. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"This is rproxy-" + io.rproxy.Version.current() + " (nutcracker-compatible)"};
        }
    }
}
