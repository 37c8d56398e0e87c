package io.rproxy.config;

import io.rproxy.RproxyException;
import java.util.List;
import java.util.stream.Collectors;

/** A configuration was rejected; carries every problem found, each with file, line and key. */
public final class ConfigException extends RproxyException {
    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
