package io.rproxy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rproxy status}: asks a running rproxy's admin port for STATUS and prints it as tables, or as JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a running rproxy's pools, servers, states and counters, and its configurations.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed", "1:the proxy refused (e.g. wrong password), or the config file is bad",
                AdminOptions.EXIT_UNREACHABLE})
final class StatusCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private AdminOptions admin;

    @Option(names = "--json", description = "Print the STATUS document as it comes, JSON.")
    private boolean json;

    @Override
    public Integer call() {
        return admin.run(spec.commandLine().getErr(), client -> {
            String document = client.callForText("STATUS");
            if (json) {
                spec.commandLine().getOut().println(document);
            } else {
                spec.commandLine().getOut().print(StatusTable.render(JsonReader.parseObject(document)));
            }
            spec.commandLine().getOut().flush();
            return 0;
        });
    }
}
