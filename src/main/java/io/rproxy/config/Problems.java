package io.rproxy.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every {@link ConfigProblem} of one load, so that a user fixes a file in one round instead of one
 * error per attempt. Lives for one call of {@link ConfigLoader}, on the thread that makes it.
 */
final class Problems {
    private final String file;
    private final List<ConfigProblem> found = new ArrayList<>();
    /** What is not wrong enough to refuse the file but should be fixed (an expired certificate). */
    private final List<ConfigProblem> warnings = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    void add(int line, String key, String message) {
        found.add(new ConfigProblem(file, Math.max(line, 0), key, message));
    }

    /** Records something the file may keep but its operator should know (the load goes on). */
    void warn(int line, String key, String message) {
        warnings.add(new ConfigProblem(file, Math.max(line, 0), key, message));
    }

    /** The warnings so far, in the order found. */
    List<ConfigProblem> warnings() {
        return List.copyOf(warnings);
    }

    /** How many so far: compare two counts to learn whether a step found anything wrong. */
    int count() {
        return found.size();
    }

    /** Throws every problem found, in file order (a stable sort keeps same-line problems as found). */
    void throwIfAny() {
        if (!found.isEmpty()) {
            List<ConfigProblem> sorted = new ArrayList<>(found);
            sorted.sort(Comparator.comparingInt(ConfigProblem::line));
            throw new ConfigException(sorted);
        }
    }
}
