package io.rproxy.admin;

import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** {@code HELP}: one line per admin command, as an array of bulk strings (redis-cli prints one per line). */
final class Help implements AdminCommand {
    private final AdminCommands commands;

    Help(AdminCommands commands) {
        this.commands = commands;
    }

    @Override
    public String name() {
        return "HELP";
    }

    @Override
    public String summary() {
        return "this list";
    }

    @Override
    public Reply run(List<String> args, ProxyControl proxy) {
        List<Reply> lines = new ArrayList<>();
        lines.add(line("AUTH [default] <password> - required first when [admin] password is set"));
        lines.add(line("QUIT - close the connection"));
        for (AdminCommand command : commands.all()) {
            lines.add(line(AdminCommands.usage(command) + " - " + command.summary()));
        }
        return Reply.array(lines);
    }

    private static Reply line(String text) {
        return Reply.bulk(text.getBytes(StandardCharsets.UTF_8));
    }
}
