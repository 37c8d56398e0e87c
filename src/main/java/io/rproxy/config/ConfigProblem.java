package io.rproxy.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file.
 *
 * @param line 1-based; 0 when the problem is about the file as a whole (missing, unreadable)
 * @param key  dotted key path, e.g. "pools.alpha.hash"; empty when not about one key
 */
public record ConfigProblem(String file, int line, String key, String message) {
    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        if (line < 0) {
            throw new IllegalArgumentException("line must be >= 0, got " + line);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(file);
        if (line > 0) {
            s.append(':').append(line);
        }
        s.append(": ");
        if (!key.isEmpty()) {
            s.append(key).append(": ");
        }
        return s.append(message).toString();
    }
}
