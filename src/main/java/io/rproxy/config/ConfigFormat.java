package io.rproxy.config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The two languages of a configuration file: rproxy's TOML, and nutcracker's YAML as it is (pools only; the
 * admin port, stats port, metrics and limits then come from the command line or stay as they are).
 */
public enum ConfigFormat {
    TOML, YAML;

    /**
     * By the file's extension ({@code .yml} / {@code .yaml}, {@code .toml}); otherwise by its first line that is
     * not blank or a comment: a TOML file starts with a {@code [table]} or a {@code key = value}, a nutcracker file
     * with {@code pool:}. A reload finds the format again this way, so it needs no option.
     */
    public static ConfigFormat of(Path file, String text) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yml") || name.endsWith(".yaml")) {
            return YAML;
        }
        if (name.endsWith(".toml")) {
            return TOML;
        }
        for (String line : text.split("\n", -1)) {
            String s = line.strip();
            if (s.startsWith("\uFEFF")) {
                s = s.substring(1).strip();
            }
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            int colon = s.indexOf(':');
            int equals = s.indexOf('=');
            return s.startsWith("---") || (colon >= 0 && (equals < 0 || colon < equals) && !s.startsWith("["))
                    ? YAML : TOML;
        }
        return TOML;
    }

    /** "toml" or "yaml", as {@code --format} takes it. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
