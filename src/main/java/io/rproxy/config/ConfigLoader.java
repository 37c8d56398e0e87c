package io.rproxy.config;

import java.nio.file.Path;

/** Reads and validates a TOML configuration. STUB: the config helper fills this in. */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Loads and validates a file; ConfigException listing every problem (a missing file is one). */
    public static ProxyConfig load(Path file) {
        throw new UnsupportedOperationException("stub");
    }

    /** Validates TOML text; {@code source} names it in messages and in {@link ProxyConfig#source()}. */
    public static ProxyConfig parse(String text, Path source) {
        throw new UnsupportedOperationException("stub");
    }
}
