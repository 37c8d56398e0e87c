package io.rproxy.cli;

import io.rproxy.config.ConfigFormat;
import java.util.Locale;
import picocli.CommandLine;

/** {@code --format toml|yaml} (yml too), for picocli. */
final class FormatConverter implements CommandLine.ITypeConverter<ConfigFormat> {
    @Override
    public ConfigFormat convert(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "toml" -> ConfigFormat.TOML;
            case "yaml", "yml", "nutcracker" -> ConfigFormat.YAML;
            default -> throw new CommandLine.TypeConversionException("'" + value + "' is not toml or yaml");
        };
    }
}
