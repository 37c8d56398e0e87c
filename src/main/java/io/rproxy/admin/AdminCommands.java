package io.rproxy.admin;

import io.rproxy.RproxyException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin port's command table: finds the command a request names (two words first, for subcommands such as
 * {@code CONFIG ACTIVE}, then one), checks its argument count and runs it. Immutable; shared by every admin
 * connection.
 */
final class AdminCommands {
    private final Map<String, AdminCommand> byName = new LinkedHashMap<>();

    AdminCommands(List<AdminCommand> commands) {
        for (AdminCommand command : commands) {
            if (byName.put(command.name(), command) != null) {
                throw new IllegalArgumentException("two admin commands named " + command.name());
            }
        }
        AdminCommand help = new Help(this);
        byName.put(help.name(), help);
    }

    /** The commands of this version. */
    static AdminCommands standard() {
        return new AdminCommands(List.of(
                new Ping(), new ShowVersion(), new ShowStatus(), new ShowStats(), new ConfigActive(),
                new ConfigStaged(), ConfigFileCommand.load(), new CommitConfig(), new CancelConfig(),
                ConfigFileCommand.reload()));
    }

    /**
     * Runs a change to the configuration: {@code +OK <what it did>}, or the reason it was refused (a bad
     * configuration lists every problem) on one {@code -ERR} line.
     */
    static Reply outcome(Supplier<String> change) {
        try {
            return Reply.simple("OK " + change.get());
        } catch (RproxyException e) {
            return Reply.error("ERR " + e.getMessage().replaceAll("\\s*[\\r\\n]+\\s*", "; "));
        }
    }

    List<AdminCommand> all() {
        return List.copyOf(byName.values());
    }

    Reply execute(RespCommand request, ProxyControl proxy) {
        int words = 2;
        AdminCommand command = request.argCount() >= 2 ? byName.get(words(request, 2)) : null;
        if (command == null) {
            words = 1;
            command = byName.get(words(request, 1));
        }
        if (command == null) {
            String typed = words(request, Math.min(request.argCount(), 2));
            return Reply.error("ERR unknown admin command '" + typed + "'; HELP lists the commands");
        }
        List<String> args = new ArrayList<>();
        for (int i = words; i < request.argCount(); i++) {
            args.add(request.argString(i));
        }
        if (!command.accepts(args.size())) {
            return Reply.error("ERR wrong number of arguments for '" + command.name() + "'; usage: "
                    + usage(command));
        }
        return command.run(args, proxy);
    }

    static String usage(AdminCommand command) {
        return command.arguments().isEmpty() ? command.name() : command.name() + " " + command.arguments();
    }

    private static String words(RespCommand request, int count) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                name.append(' ');
            }
            name.append(request.argString(i).toUpperCase(Locale.ROOT));
        }
        return name.toString();
    }
}
