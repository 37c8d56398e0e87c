package io.rproxy.cli;

import io.rproxy.RproxyException;
import io.rproxy.Version;
import io.rproxy.config.ConfigException;
import io.rproxy.config.ConfigLoader;
import io.rproxy.config.ProxyConfig;
import io.rproxy.admin.Rproxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rproxy run CONFIG}: runs the proxy (and its admin port) in the foreground until SIGINT or SIGTERM, then
 * stops without losing a reply: listeners close, connected clients get what they are owed, backends close.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the proxy in the foreground with the given configuration.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Parameters(paramLabel = "CONFIG", description = "The TOML configuration file.")
    private Path config;

    @Option(names = "--shutdown-grace", paramLabel = "MS", defaultValue = "5000",
            description = "On SIGINT/SIGTERM, how long connected clients get to receive their replies "
                    + "(default: ${DEFAULT-VALUE} ms).")
    private long shutdownGraceMs;

    @Override
    public Integer call() throws InterruptedException {
        ProxyConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            e.problems().forEach(System.err::println);
            return 1;
        }
        Rproxy rproxy;
        try {
            rproxy = Rproxy.start(loaded);
        } catch (RproxyException e) {
            System.err.println("rproxy: " + e.getMessage());
            return 1;
        }
        log.info("rproxy {} running with {}; admin port {}", Version.current(), config, loaded.admin().listen());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(
                () -> rproxy.stop(Duration.ofMillis(shutdownGraceMs))));
        rproxy.awaitStop();
        return 0;
    }
}
