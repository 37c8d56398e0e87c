package io.rproxy.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The class table against the command table it classifies, and the loader's refusals of a bad one. */
class CommandClassesTest {
    private static final CommandTable TABLE = CommandTable.load();
    private static final CommandClasses CLASSES = CommandClasses.load(TABLE);

    @Test
    void everyRunnableEntryOfTheTableHasOneClass() {
        long runnable = TABLE.all().stream().filter(CommandClasses::runnable).count();
        assertEquals(runnable, CLASSES.counts().values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(Map.of(CommandClass.FORWARD, 170, CommandClass.SPLIT, 6, CommandClass.LOCAL, 16,
                CommandClass.ANY, 20, CommandClass.ALL, 24, CommandClass.REFUSE, 91, CommandClass.STATEFUL, 21,
                CommandClass.CHANNEL, 4),
                CLASSES.counts(),
                "a class changed: update README's Commands section too");
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "get, FORWARD", "eval, FORWARD", "zunionstore, FORWARD", "object|encoding, FORWARD", "sort, FORWARD",
        "mget, SPLIT", "exists, SPLIT", "ping, LOCAL", "info, ALL", "command|count, LOCAL",
        "command, ANY", "command|docs, ANY", "keys, ALL", "scan, ALL", "script|load, ALL", "flushall, ALL",
        "swapdb, REFUSE", "function|load, ALL", "function|list, ANY", "script|debug, REFUSE", "blpop, STATEFUL",
        "xread, STATEFUL", "multi, STATEFUL",
        "watch, STATEFUL", "subscribe, STATEFUL", "psubscribe, STATEFUL", "ssubscribe, STATEFUL",
        "publish, CHANNEL", "pubsub|numsub, CHANNEL", "pubsub|numpat, ALL", "pubsub|channels, ALL",
        "spublish, CHANNEL", "client|kill, LOCAL", "client|pause, REFUSE", "config|get, ALL", "config|set, REFUSE",
    })
    void classesOfWellKnownCommands(String name, CommandClass expected) {
        assertEquals(expected, CLASSES.classOf(TABLE.byName(name)));
    }

    @Test
    void noKeyedCommandIsRefusedWithoutAReasonAProxyHas() {
        for (CommandSpec spec : TABLE) {
            if (CommandClasses.runnable(spec) && spec.keys().findsKeys()
                    && CLASSES.classOf(spec) == CommandClass.REFUSE) {
                assertTrue(List.of("admin", "cluster")
                        .contains(CLASSES.of(spec).detail()), spec.name());
            }
        }
    }

    @Test
    void anEntryLeftUnclassifiedFailsTheLoad() {
        List<String> lines = classLines();
        lines.removeIf(l -> l.startsWith("hget\t"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CommandClasses(lines, TABLE));
        assertEquals("command-classes.tsv: 'hget' of commands.tsv has no class", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "get\tforward\t-            | 'get' is listed twice",
        "nosuch\tforward\t-          | 'nosuch' is not in commands.tsv",
        "client\trefuse\tadmin       | 'client' is a container that needs a subcommand",
        "hget\tsplit\tsum            | 'hget' is listed twice",
        "ping\tforward\t-            | 'ping' has no key to route by",
        "keys\trefuse\tbecause       | 'keys': detail 'because' does not fit class refuse",
        "mget\tsplit\tconcat         | 'mget': detail 'concat' does not fit class split",
        "dbsize\tall\tin-order       | 'dbsize': detail 'in-order' does not fit class all",
        "get\tsometimes\t-           | unknown class 'sometimes'",
        "get\tforward                | expected 3 tab-separated columns, got 2",
    })
    void badLinesAreReportedWithTheirLineNumber(String line, String message) {
        List<String> lines = classLines();
        if (line.startsWith("ping") || line.startsWith("keys") || line.startsWith("mget")
                || line.startsWith("dbsize")) {
            lines.removeIf(l -> l.startsWith(line.substring(0, line.indexOf('\t') + 1)));
        }
        lines.add(line.strip().replace("\\t", "\t"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CommandClasses(lines, TABLE));
        assertTrue(e.getMessage().startsWith("command-classes.tsv line " + lines.size() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static List<String> classLines() {
        List<String> lines = new ArrayList<>();
        try (var in = CommandClasses.class.getResourceAsStream(CommandClasses.RESOURCE)) {
            new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().forEach(lines::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return lines;
    }
}
