package io.rproxy.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Table-driven KeyFinder cases without a server; CommandKeysVsServerTest checks the same ground against Redis. */
class CommandKeyFinderTest {
    private static final CommandTable TABLE = CommandTable.load();

    private static byte[][] args(String request) {
        String[] words = request.split(" ");
        byte[][] a = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            a[i] = (words[i].equals("\"\"") ? "" : words[i]).getBytes(StandardCharsets.UTF_8);
        }
        return a;
    }

    private static int[] keys(String request) {
        byte[][] a = args(request);
        CommandSpec spec = TABLE.lookup(a);
        assertNotNull(spec, request);
        return spec.keys().keyIndexes(a);
    }

    @ParameterizedTest(name = "{0} -> [{1}]")
    @CsvSource(delimiter = '|', value = {
        "GET k                                           | 1",
        "SET k v EX 10                                   | 1",
        "HSET h f v f2 v2                                | 1",
        "MSET a 1 b 2 c 3                                | 1 3 5",
        "MGET a b c                                      | 1 2 3",
        "DEL a b                                         | 1 2",
        "BLPOP a b 0                                     | 1 2",
        "EVAL s 0                                        | ",
        "EVAL s 0 x y                                    | ",
        "EVAL s 2 a b x                                  | 3 4",
        "EVALSHA sha 1 a                                 | 3",
        "FCALL f 2 a b x                                 | 3 4",
        "FCALL_RO f 1 a                                  | 3",
        "ZUNIONSTORE d 2 a b WEIGHTS 1 2                 | 1 3 4",
        "ZINTER 2 a b                                    | 2 3",
        "ZDIFF 1 a                                       | 2",
        "SINTERCARD 2 a b LIMIT 1                        | 2 3",
        "LMPOP 2 a b LEFT                                | 2 3",
        "ZMPOP 1 a MIN                                   | 2",
        "BLMPOP 0 2 a b LEFT COUNT 2                     | 3 4",
        "BZMPOP 0 1 a MAX                                | 3",
        "XREAD COUNT 2 STREAMS a b 0 0                   | 4 5",
        "XREAD streams streams 0                         | 2",
        "XREADGROUP GROUP g c NOACK STREAMS a b > >      | 6 7",
        "LMOVE a b LEFT RIGHT                            | 1 2",
        "SMOVE a b m                                     | 1 2",
        "RENAME a b                                      | 1 2",
        "SORT a                                          | 1",
        "SORT a BY w GET g LIMIT 0 1 STORE d             | 1 10",
        "SORT a STORE d1 STORE d2                        | 1 5",
        "SORT a GET store                                | 1",
        "SORT_RO a BY w                                  | 1",
        "GEORADIUS g 0 0 1 km                            | 1",
        "GEORADIUS g 0 0 1 km STORE d                    | 1 7",
        "GEORADIUS g 0 0 1 km STORE d STOREDIST e        | 1 7 9",
        "GEORADIUSBYMEMBER g m 1 km STOREDIST d          | 1 6",
        "MIGRATE h 1 k 0 10                              | 3",
        "MIGRATE h 1 \"\" 0 10 KEYS a b                  | 7 8",
        "MIGRATE h 1 \"\" 0 10 AUTH keys KEYS a          | 9",
        "MIGRATE h 1 \"\" 0 10 AUTH2 u p KEYS a          | 10",
        "OBJECT ENCODING k                               | 2",
        "MEMORY USAGE k SAMPLES 5                        | 2",
        "BITOP AND d a b                                 | 2 3 4",
        "PFMERGE d a b                                   | 1 2 3",
        "XGROUP CREATE s g $ MKSTREAM                    | 2",
        "XINFO STREAM s FULL                             | 2",
        "SPUBLISH channel message                        | ",
        "PING                                            | ",
        "CLIENT SETNAME n                                | ",
    })
    void keyIndexes(String request, String expected) {
        int[] want = expected == null ? new int[0] : Arrays.stream(expected.trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(want, keys(request.trim()), request);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "EVAL s x a            | ERR value is not an integer or out of range",
        "EVAL s -1 a           | ERR Number of keys can't be negative",
        "EVAL s 2 a            | ERR Number of keys can't be greater than number of args",
        "EVAL s 99999999999 a  | ERR Number of keys can't be greater than number of args",
        "EVAL s 1.0 a          | ERR value is not an integer or out of range",
        "EVAL s +1 a           | ERR value is not an integer or out of range",
        "FCALL f x a           | ERR Bad number of keys provided",
        "ZUNIONSTORE d 0 a     | ERR at least 1 input key is needed for 'zunionstore' command",
        "zinter -1 a           | ERR at least 1 input key is needed for 'zinter' command",
        "ZDIFF 3 a b           | ERR syntax error",
        "SINTERCARD 0 a        | ERR numkeys should be greater than 0",
        "SINTERCARD x a        | ERR numkeys should be greater than 0",
        "SINTERCARD 3 a b      | ERR Number of keys can't be greater than number of args",
        "LMPOP x a LEFT        | ERR numkeys should be greater than 0",
        "LMPOP 4 a LEFT        | ERR syntax error",
        "BZMPOP 0 0 a MIN      | ERR numkeys should be greater than 0",
        "XREAD STREAMS a b 0   | ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
        "XREAD COUNT 1 STREAMS | ERR syntax error",
        "MIGRATE h 1 k 0 10 KEYS a | ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
    })
    void malformedKeyArgumentsCarryRedisWording(String request, String error) {
        KeyFinderException e = assertThrows(KeyFinderException.class, () -> keys(request.trim()));
        assertEquals(error.trim(), e.getMessage());
    }

    @Test
    void fixedPositionsAreSharedConstants() {
        int[] get = keys("GET a");
        assertSame(get, keys("SET b v"), "single key at 1 is one shared array");
        assertSame(get, keys("HSET h f v"));
        assertSame(keys("LMOVE a b LEFT LEFT"), keys("LMOVE c d RIGHT RIGHT"));
        assertSame(keys("PING"), keys("ECHO x"));
        assertTrue(TABLE.byName("get").keys().isFixed());
        assertTrue(!TABLE.byName("mset").keys().isFixed());
    }

    @Test
    void tooFewArgumentsNeverThrowOutOfBounds() {
        for (CommandSpec spec : TABLE) {
            for (int argc = 1; argc <= 3; argc++) {
                byte[][] a = new byte[argc][];
                a[0] = spec.name().getBytes(StandardCharsets.US_ASCII);
                for (int i = 1; i < argc; i++) {
                    a[i] = "1".getBytes(StandardCharsets.US_ASCII);
                }
                try {
                    for (int i : spec.keys().keyIndexes(a)) {
                        assertTrue(i > 0 && i < argc, spec.name() + " index " + i + " of " + argc);
                    }
                } catch (KeyFinderException expected) {
                    // a Redis error reply is fine; an IndexOutOfBoundsException is not
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 1", "-1, -1", "-5, -1", "123, 123", "9223372036854775807, 9223372036854775807",
        "-9223372036854775808, -1"})
    void parsesIntegersLikeString2ll(String text, long expected) {
        assertEquals(expected, CommandArgs.ARRAYS.parseLong(new byte[][] {text.getBytes(StandardCharsets.US_ASCII)}, 0));
    }

    @ParameterizedTest
    @CsvSource({"''", "-", "-0", "01", "+1", "' 1'", "'1 '", "1.5", "9223372036854775808", "-9223372036854775809", "abc"})
    void rejectsWhatString2llRejects(String text) {
        assertEquals(CommandArgs.NOT_AN_INTEGER,
                CommandArgs.ARRAYS.parseLong(new byte[][] {text.getBytes(StandardCharsets.US_ASCII)}, 0));
    }
}
