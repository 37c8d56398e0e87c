package io.rproxy.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandTableTest {
    private static final CommandTable TABLE = CommandTable.load();

    private static byte[][] args(String... words) {
        byte[][] a = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            a[i] = words[i].getBytes(StandardCharsets.UTF_8);
        }
        return a;
    }

    @Test
    void tableCoversRedis70() {
        long subcommands = TABLE.all().stream().filter(CommandSpec::isSubcommand).count();
        assertEquals("7.0.15", TABLE.redisVersion());
        assertEquals(240, TABLE.size() - subcommands);
        assertEquals(126, subcommands);
        assertTrue(TABLE.byName("client").hasSubcommands());
        assertFalse(TABLE.byName("get").hasSubcommands());
    }

    @ParameterizedTest
    @CsvSource({
        "get,           get",
        "GET,           get",
        "gEt,           get",
        "'CLIENT SETNAME x', client|setname",
        "'client SetName x', client|setname",
        "'CONFIG GET maxmemory', config|get",
        "'object encoding k', object|encoding",
        "'XINFO STREAM s', xinfo|stream",
        "'XGROUP CREATE s g $', xgroup|create",
        "'COMMAND', command",
        "'command count', command|count",
    })
    void findsCommandsAndSubcommandsIgnoringCase(String request, String expected) {
        CommandSpec spec = TABLE.lookup(args(request.split(" ")));
        assertNotNull(spec, request);
        assertEquals(expected, spec.name());
        assertSame(TABLE.byName(expected), spec);
    }

    @Test
    void unknownCommandIsNull() {
        assertNull(TABLE.lookup(args("nosuchcommand", "a")));
        assertNull(TABLE.lookup(args("ge")));
        assertNull(TABLE.lookup(args("gett")));
        assertNull(TABLE.lookup(args("x".repeat(10_000))));
        assertNull(TABLE.lookup(new byte[0][]));
        assertNull(TABLE.lookup(args("client|setname", "x")), "the table's internal name is not a command");
        assertEquals("ERR unknown command 'nosuchcommand', with args beginning with: 'a' 'b' ",
                CommandErrors.unknownCommand(args("nosuchcommand", "a", "b")));
        assertEquals("ERR unknown command 'foo', with args beginning with: ",
                CommandErrors.unknownCommand(args("foo")));
    }

    @Test
    void unknownSubcommandReturnsTheContainer() {
        byte[][] request = args("Client", "bogus", "x");
        CommandSpec spec = TABLE.lookup(request);
        assertEquals("client", spec.name());
        assertTrue(spec.hasSubcommands() && request.length >= 2);
        assertEquals("ERR unknown subcommand 'bogus'. Try CLIENT HELP.", CommandErrors.unknownSubcommand(request));
    }

    @Test
    void containerWithoutSubcommandFailsArityLikeRedis() {
        CommandSpec client = TABLE.lookup(args("CLIENT"));
        assertEquals("client", client.name());
        assertFalse(client.arityAllows(1));
        assertEquals("ERR wrong number of arguments for 'client' command", CommandErrors.wrongArity(client));
        assertTrue(TABLE.lookup(args("COMMAND")).arityAllows(1), "COMMAND alone is a command");
    }

    @ParameterizedTest
    @CsvSource({
        "get, 1, false", "get, 2, true", "get, 3, false",
        "set, 2, false", "set, 3, true", "set, 7, true",
        "mset, 3, true", "mset, 2, false",
        "client|setname, 3, true", "client|setname, 2, false",
        "ping, 1, true", "ping, 2, true", "ping, 3, true", "ping, 0, false",
    })
    void arity(String name, int argCount, boolean allowed) {
        assertEquals(allowed, TABLE.byName(name).arityAllows(argCount));
        assertEquals("ERR wrong number of arguments for '" + name + "' command",
                CommandErrors.wrongArity(TABLE.byName(name)));
    }

    @Test
    void flagsAndLegacyRange() {
        CommandSpec get = TABLE.byName("get");
        assertTrue(get.has(CommandFlag.READONLY) && get.has(CommandFlag.FAST));
        assertFalse(get.has(CommandFlag.WRITE));
        assertEquals("string", get.group());
        CommandSpec mset = TABLE.byName("mset");
        assertEquals(List.of(1, -1, 2), List.of(mset.legacyFirstKey(), mset.legacyLastKey(), mset.legacyKeyStep()));
        assertThrows(UnsupportedOperationException.class, () -> get.flags().add(CommandFlag.WRITE));
    }

    @Test
    void everyKeySpecRoundTripsThroughItsTextForm() {
        int specs = 0;
        for (CommandSpec spec : TABLE) {
            for (KeyFinderSpec ks : spec.keys().specs()) {
                assertEquals(ks, KeyFinderSpec.parse(ks.format()), spec.name());
                specs++;
            }
        }
        assertTrue(specs > 200, "only " + specs + " key specs");
    }

    @Test
    void malformedLinesNameTheirLine() {
        var e = assertThrows(IllegalArgumentException.class, () -> new CommandTable(List.of(
                "# comment", "get\t2\treadonly\tstring\t1\t1\t1\tindex(1) range(lastkey=0,step=1,limit=0) RO",
                "set\t-3\tnot_a_flag\tstring\t1\t1\t1")));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("not_a_flag"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CommandTable(List.of("get\t2\t-\tstring\t1\t1")));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CommandTable(List.of(
                "get\t2\t-\tstring\t1\t1\t1\tindex(1) range(lastkey=0) RO")));
        assertTrue(e.getMessage().contains("range(lastkey=0)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CommandTable(List.of(
                "get\t2\t-\tstring\t1\t1\t1", "get\t2\t-\tstring\t1\t1\t1")));
        assertTrue(e.getMessage().contains("duplicate"), e.getMessage());
    }

    @Test
    void smallHandWrittenTable() {
        CommandTable t = new CommandTable(List.of(
                CommandTable.VERSION_PREFIX + "0.0.1",
                "get\t2\treadonly,fast\tstring\t1\t1\t1\tindex(1) range(lastkey=0,step=1,limit=0) RO,access",
                "object\t-2\t-\tgeneric\t0\t0\t0",
                "object|encoding\t3\treadonly\tgeneric\t2\t2\t1\tindex(2) range(lastkey=0,step=1,limit=0) RO"));
        assertEquals("0.0.1", t.redisVersion());
        assertEquals(3, t.size());
        assertEquals("object|encoding", t.lookup(args("OBJECT", "ENCODING", "k")).name());
        assertTrue(t.byName("object").hasSubcommands());
        assertEquals(2, t.lookup(args("OBJECT", "ENCODING", "k")).keys().keyIndexes(args("OBJECT", "ENCODING", "k"))[0]);
    }
}
