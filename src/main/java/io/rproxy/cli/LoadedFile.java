package io.rproxy.cli;

import io.rproxy.config.ConfigException;
import io.rproxy.config.ConfigFormat;
import io.rproxy.config.ConfigLoader;
import io.rproxy.config.ProxyConfig;
import java.nio.file.Path;
import java.util.Optional;

/** How the commands that take a configuration file read it: every problem on stderr, one per line. Main thread. */
final class LoadedFile {
    private LoadedFile() {
    }

    /**
     * @param format the file's language, or null to tell by its name, else by its content
     * @return the configuration; empty when the file has problems, which are printed then
     */
    static Optional<ProxyConfig> orProblems(Path file, ConfigFormat format) {
        try {
            return Optional.of(ConfigLoader.load(file, format));
        } catch (ConfigException e) {
            e.problems().forEach(System.err::println);
            return Optional.empty();
        }
    }
}
