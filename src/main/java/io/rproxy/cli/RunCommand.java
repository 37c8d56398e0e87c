package io.rproxy.cli;

import io.rproxy.RproxyException;
import io.rproxy.Version;
import io.rproxy.config.ConfigFormat;
import io.rproxy.config.ProxyConfig;
import io.rproxy.admin.OpenFiles;
import io.rproxy.Rproxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rproxy run CONFIG}: runs the proxy (and its admin port) in the foreground until SIGINT or SIGTERM, then
 * stops without losing a reply: listeners close, connected clients get what they are owed, backends close.
 * SIGHUP reloads CONFIG (load and commit); a file that cannot be loaded leaves the active configuration as it is.
 * Either outcome is logged. SIGTTIN / SIGTTOU move the log level; what every other signal does is in {@link Signals}.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the proxy in the foreground with the given configuration.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Parameters(paramLabel = "CONFIG", description = "The configuration file: TOML, or a nutcracker.yml as it is.")
    private Path config;

    @Option(names = "--format", paramLabel = "toml|yaml", converter = FormatConverter.class,
            description = "The file's language (default: by its extension, .yml/.yaml or .toml, else by its content;"
                    + " a reload decides the same way).")
    private ConfigFormat format;

    @Option(names = "--shutdown-grace", paramLabel = "MS", defaultValue = "5000",
            description = "On SIGINT/SIGTERM, how long connected clients get to receive their replies "
                    + "(default: ${DEFAULT-VALUE} ms).")
    private long shutdownGraceMs;

    @Option(names = "--carrier-threads", paramLabel = "N", defaultValue = "0",
            description = "OS threads that run the proxy's virtual threads (default: half the cores, at least 1).")
    private int carrierThreads;

    @Override
    public Integer call() throws InterruptedException {
        int carriers;
        try {
            carriers = CarrierThreads.configure(carrierThreads, Runtime.getRuntime().availableProcessors(),
                    System.getProperties());
        } catch (IllegalArgumentException e) {
            System.err.println("rproxy: " + e.getMessage());
            return 2;
        }
        Optional<ProxyConfig> loaded = LoadedFile.orProblems(config, format);
        if (loaded.isEmpty()) {
            return 1;
        }
        return serve(loaded.get(), carriers, Duration.ofMillis(shutdownGraceMs), () -> { });
    }

    /**
     * Starts {@code loaded} and blocks until SIGINT/SIGTERM has stopped it; what {@code run} and {@code nutcracker}
     * share.
     *
     * @param onHangup what SIGHUP does before it reloads the file (nutcracker mode reopens its log file)
     * @return the exit code
     */
    static int serve(ProxyConfig loaded, int carriers, Duration grace, Runnable onHangup)
            throws InterruptedException {
        Path config = loaded.source();
        // Before anything serves: until then a SIGHUP (or SIGTTIN, SIGUSR1, ...) would stop or end the JVM (their
        // default actions), and a SIGTERM would skip the graceful stop, while clients may already be connected.
        AtomicReference<Rproxy> running = new AtomicReference<>();
        Signals.install(() -> {
            onHangup.run();
            reloadOnHangup(running.get(), config);
        });
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
            Rproxy started = running.get();
            if (started != null) {
                started.stop(grace);
            }
        }));
        Rproxy rproxy;
        try {
            rproxy = Rproxy.start(loaded);
        } catch (RproxyException e) {
            System.err.println("rproxy: " + e.getMessage());
            return 1;
        }
        running.set(rproxy);
        OpenFiles files = OpenFiles.now();
        log.info("rproxy {} running with {}; admin port {}{}; {} carrier thread(s); open-files limit {}",
                Version.current(), config, loaded.admin().listen(),
                loaded.admin().statsListen().map(s -> "; stats port " + s).orElse(""), carriers,
                files.limit() < 0 ? "unknown" : files.limit());
        files.warning(loaded).ifPresent(log::warn);
        rproxy.awaitStop();
        return 0;
    }

    private static void reloadOnHangup(Rproxy rproxy, Path config) {
        if (rproxy == null) {
            log.warn("SIGHUP during start-up: ignored; rproxy is starting with {} as it reads now", config);
            return;
        }
        log.info("SIGHUP: reloading {}", config);
        try {
            log.info("SIGHUP: {}", rproxy.reload(config));
        } catch (RproxyException e) {
            log.error("SIGHUP: the reload of {} failed; the active configuration is unchanged: {}", config,
                    e.getMessage().replace('\n', ' '));
        } catch (RuntimeException e) {
            log.error("SIGHUP: the reload of {} failed; the active configuration is unchanged", config, e);
        }
    }
}
