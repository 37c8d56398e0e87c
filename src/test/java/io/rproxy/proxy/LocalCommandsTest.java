package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rproxy.backend.BackendRuntime;
import io.rproxy.command.CommandClass;
import io.rproxy.command.CommandClasses;
import io.rproxy.command.CommandSpec;
import io.rproxy.command.CommandTable;
import io.rproxy.config.ConfigLoader;
import io.rproxy.config.ProxyConfig;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every command the class table calls local is answered by the proxy itself. */
class LocalCommandsTest {
    private static final CommandTable TABLE = CommandTable.load();
    private static final CommandClasses CLASSES = CommandClasses.load(TABLE);

    @Test
    void everyLocalCommandIsAnsweredByLocalCommands() {
        Pool pool = pool();
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000, 123_456_789), ZoneOffset.UTC);
        LocalCommands local = new LocalCommands(pool, TABLE, clock);
        for (CommandSpec spec : TABLE) {
            if (CommandClasses.runnable(spec) && CLASSES.classOf(spec) == CommandClass.LOCAL) {
                List<String> args = new ArrayList<>(List.of(spec.name().split("\\|")));
                while (!spec.arityAllows(args.size())) {
                    args.add(spec.name().equals("select") ? "0" : "x");
                }
                Reply reply = local.answer(spec.name(), RespCommand.of(args.toArray(String[]::new)),
                        new ClientState(1, true));
                assertFalse(reply == null, spec.name());
            }
        }
        assertEquals(Reply.array(List.of(Reply.bulk("1700000000".getBytes()), Reply.bulk("123456".getBytes()))),
                local.answer("time", RespCommand.of("TIME"), new ClientState(1, true)));
        assertEquals(Reply.integer(TABLE.all().stream().filter(s -> !s.isSubcommand()).count()),
                local.answer("command|count", RespCommand.of("COMMAND", "COUNT"), new ClientState(1, true)));
        assertThrows(IllegalArgumentException.class,
                () -> local.answer("get", RespCommand.of("GET", "k"), new ClientState(1, true)));
    }

    private static Pool pool() {
        ProxyConfig config = ConfigLoader.parse("[admin]\nlisten = \"127.0.0.1:1\"\n[pools.p]\n"
                + "listen = \"127.0.0.1:2\"\nservers = [\"127.0.0.1:1:1\"]\n", Path.of("test.toml"));
        return new Pool(config.pools().get("p"), config.limits(), new BackendRuntime(Clock.systemUTC()), null);
    }
}
