package io.rproxy.cli;

import io.rproxy.Version;
import io.rproxy.config.ConfigFormat;
import io.rproxy.config.ProxyConfig;
import io.rproxy.config.TomlWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rproxy convert nutcracker.yml}: prints the equivalent TOML, each key commented with its meaning. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Print the TOML equivalent of a nutcracker.yml (validated first), each key with a comment on",
                "what it means: rproxy >rproxy.toml nutcracker.yml; the result loads to the same pools."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:converted", "1:the file has problems (listed on stderr), or is TOML already"})
final class ConvertCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The nutcracker.yml to convert.")
    private Path file;

    @Option(names = "--format", paramLabel = "yaml", converter = FormatConverter.class,
            description = "Read the file as YAML whatever its name (default: by extension, else by content).")
    private ConfigFormat format;

    @Override
    public Integer call() {
        Optional<ProxyConfig> read = LoadedFile.orProblems(file, format);
        if (read.isEmpty()) {
            return 1;
        }
        ProxyConfig loaded = read.get();
        if (loaded.format() != ConfigFormat.YAML) {
            System.err.println("rproxy: " + file + " is TOML already; nothing to convert");
            return 1;
        }
        System.out.print(TomlWriter.fromYaml(loaded, "rproxy configuration converted from " + file
                + " by rproxy convert (rproxy " + Version.current() + ")."));
        return 0;
    }
}
