package io.rproxy.cli;

import io.rproxy.config.ConfigFormat;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.ProxyConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rproxy check CONFIG}: validates a configuration file without starting anything. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a configuration file; print every problem with file, line and key.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the configuration is valid", "1:the configuration has problems"})
final class CheckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CONFIG", description = "The configuration file: TOML, or a nutcracker.yml as it is.")
    private Path config;

    @Option(names = "--format", paramLabel = "toml|yaml", converter = FormatConverter.class,
            description = "The file's language (default: by its extension, .yml/.yaml or .toml, else by its content).")
    private ConfigFormat format;

    @Override
    public Integer call() {
        Optional<ProxyConfig> loaded = LoadedFile.orProblems(config, format);
        if (loaded.isEmpty()) {
            return 1;
        }
        System.out.println(config + ": ok");
        for (PoolConfig pool : loaded.get().pools().values()) {
            String placement = pool.cluster() ? "Redis Cluster (slots)"
                    : pool.hash().configName() + "/" + pool.distribution().configName();
            String servers = pool.sentinel().map(s -> s.masters().size() + " masters of " + s.sentinels().size()
                    + " sentinels").orElse(pool.servers().size() + (pool.cluster() ? " seeds" : " servers"));
            System.out.printf("  pool %s: listen %s, %s, %s%n", pool.name(), pool.listen(), servers, placement);
        }
        return 0;
    }
}
