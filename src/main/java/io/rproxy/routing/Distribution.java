package io.rproxy.routing;

import java.util.Locale;
import java.util.Optional;

/** twemproxy's key distributions. */
public enum Distribution {
    KETAMA, MODULA, RANDOM;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Distribution> byConfigName(String name) {
        for (Distribution d : values()) {
            if (d.configName().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
