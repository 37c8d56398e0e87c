package io.rproxy.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rproxy.harness.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * KeyFinder against the real thing. For every sample invocation: when KeyFinder returns keys, they must be
 * exactly {@code COMMAND GETKEYS}'s; when it throws, running the command on the server must fail with the same
 * error text. GETKEYS failing while KeyFinder returns keys is a failure too.
 */
class CommandKeysVsServerTest {
    /** One invocation per line, split on spaces; {@code ""} is an empty argument, $SHA a loaded script's SHA1. */
    private static final String CORPUS = """
            GET k1
            SET k1 v
            SET k1 v EX 10 GET
            INCR k1
            HSET h1 f v f2 v2
            MSET k1 v1 k2 v2 k3 v3
            MSET k1 v1 k2
            MSETNX k1 v1 k2 v2
            MGET k1 k2 k3
            DEL k1 k2 k3
            EXISTS k1 k2
            UNLINK k1
            TOUCH k1 k2
            EXPIRE k1 10
            RENAME k1 k2
            RENAMENX k1 k2
            COPY k1 k2 REPLACE
            LMOVE l1 l2 LEFT RIGHT
            BLMOVE l1 l2 LEFT RIGHT 0.01
            RPOPLPUSH l1 l2
            SMOVE s1 s2 m
            BLPOP l1 l2 l3 0
            BRPOP l1 0
            BZPOPMIN z1 z2 0
            SINTER s1 s2 s3
            SINTERSTORE d s1 s2
            SUNIONSTORE d s1
            SDIFFSTORE d s1 s2 s3
            PFCOUNT p1 p2
            PFMERGE d p1 p2
            BITOP AND d k1 k2
            BITOP NOT d k1
            BITCOUNT k1
            BITFIELD k1 GET u8 0
            BITFIELD_RO k1 GET u8 0
            GETEX k1 PERSIST
            LCS k1 k2
            DUMP k1
            TYPE k1
            EVAL return 0
            EVAL return 0 a1 a2
            EVAL return 2 k1 k2 a1
            EVAL return 2 k1 k2
            EVAL_RO return 1 k1
            EVALSHA $SHA 1 k1 a1
            EVALSHA_RO $SHA 2 k1 k2
            FCALL f 0
            FCALL f 2 k1 k2 a1
            FCALL_RO fro 1 k1
            ZUNIONSTORE d 2 z1 z2
            ZUNIONSTORE d 2 z1 z2 WEIGHTS 1 2 AGGREGATE MAX
            ZINTERSTORE d 1 z1
            ZDIFFSTORE d 3 z1 z2 z3
            ZINTER 2 z1 z2 WITHSCORES
            ZUNION 1 z1
            ZDIFF 2 z1 z2
            ZINTERCARD 2 z1 z2 LIMIT 1
            SINTERCARD 3 s1 s2 s3
            SINTERCARD 1 s1 LIMIT 5
            LMPOP 2 l1 l2 LEFT
            LMPOP 1 l1 RIGHT COUNT 2
            LMPOP 3 l1 l2 LEFT
            BLMPOP 0.01 2 l1 l2 LEFT
            ZMPOP 2 z1 z2 MIN
            BZMPOP 0.01 1 z1 MAX COUNT 3
            XREAD STREAMS x1 x2 0 0
            XREAD COUNT 5 BLOCK 10 STREAMS x1 $
            XREAD streams streams 0
            XREADGROUP GROUP g c STREAMS x1 x2 > >
            XREADGROUP GROUP g c COUNT 1 NOACK STREAMS x1 >
            XADD x1 * f v
            XGROUP CREATE x1 g $ MKSTREAM
            XGROUP DESTROY x1 g
            XINFO STREAM x1
            XINFO GROUPS x1
            OBJECT ENCODING k1
            OBJECT FREQ k1
            MEMORY USAGE k1
            MEMORY USAGE k1 SAMPLES 5
            SORT k1
            SORT k1 BY w* GET o* LIMIT 0 10 STORE d
            SORT k1 STORE d1 STORE d2
            SORT k1 LIMIT 0 1 ALPHA
            SORT k1 store
            SORT_RO k1 BY w* GET #
            GEORADIUS g1 0 0 10 km
            GEORADIUS g1 0 0 10 km STORE d
            GEORADIUS g1 0 0 10 km STOREDIST d2
            GEORADIUS g1 0 0 10 km STORE
            GEORADIUSBYMEMBER g1 m 10 km STORE d
            GEOSEARCHSTORE d g1 FROMMEMBER m BYRADIUS 10 km
            MIGRATE h 6379 k1 0 100
            MIGRATE h 6379 "" 0 100 KEYS k1 k2
            MIGRATE h 6379 "" 0 100 COPY REPLACE AUTH pw KEYS k1 k2
            MIGRATE h 6379 "" 0 100 AUTH keys KEYS k1
            MIGRATE h 6379 "" 0 100 AUTH2 u p KEYS k1
            WATCH k1 k2
            RESTORE k1 0 payload
            EVAL return abc k1
            EVAL return -1 k1
            EVAL return 3 k1
            EVAL return 01 k1
            EVALSHA $SHA 5 k1
            FCALL f abc k1
            FCALL f -1 k1
            FCALL f 3 k1 k2
            ZUNIONSTORE d 0 z1
            ZUNIONSTORE d 3 z1 z2
            ZUNIONSTORE d x z1
            ZINTER -1 z1
            ZDIFF 5 z1 z2
            ZINTERCARD 0 z1
            SINTERCARD 0 s1
            SINTERCARD 3 s1 s2
            SINTERCARD x s1
            LMPOP 0 l1 LEFT
            LMPOP 5 l1 LEFT
            BLMPOP 0.01 x l1 LEFT
            ZMPOP 3 z1 MIN
            BZMPOP 0.01 -2 z1 MIN
            XREAD STREAMS x1 x2 0
            XREAD COUNT 1 STREAMS x1
            XREAD COUNT 1 STREAMS
            XREADGROUP GROUP g c STREAMS x1 x2 >
            MIGRATE h 6379 k1 0 100 KEYS k2
            """;

    private static RedisServer server;
    private static Jedis jedis;
    private static String sha;
    private static final CommandTable TABLE = CommandTable.load();
    private static final AtomicInteger KEY_CASES = new AtomicInteger();
    private static final AtomicInteger ERROR_CASES = new AtomicInteger();

    @BeforeAll
    static void startServer() {
        server = RedisServer.start();
        jedis = server.jedis();
        sha = jedis.scriptLoad("return 1");
        jedis.functionLoad("#!lua name=kf\n"
                + "redis.register_function('f', function(keys, args) return #keys end)\n"
                + "redis.register_function{function_name='fro', callback=function(keys, args) return #keys end,"
                + " flags={'no-writes'}}");
    }

    @AfterAll
    static void stopServer() {
        if (jedis != null) {
            jedis.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static Stream<String> corpus() {
        return CORPUS.lines().filter(l -> !l.isBlank());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void keyFinderAgreesWithServer(String line) {
        byte[][] args = args(line);
        CommandSpec spec = TABLE.lookup(args);
        assertNotNull(spec, "not in the table: " + line);
        assertTrue(spec.arityAllows(args.length), "corpus line fails arity: " + line);

        String thrown = null;
        int[] indexes = null;
        try {
            indexes = spec.keys().keyIndexes(args);
        } catch (KeyFinderException e) {
            thrown = e.getMessage();
        }
        if (thrown != null) {
            assertEquals(execError(args), thrown, "KeyFinder's error differs from the server's reply to " + line);
            ERROR_CASES.incrementAndGet();
            return;
        }
        List<String> expected;
        try {
            expected = getKeys(args);
        } catch (JedisDataException e) {
            fail("GETKEYS failed (" + e.getMessage() + ") but KeyFinder found " + Arrays.toString(indexes) + ": " + line);
            return;
        }
        List<String> actual = new ArrayList<>();
        for (int i : indexes) {
            actual.add(new String(args[i], StandardCharsets.UTF_8));
        }
        assertEquals(expected, actual, "keys of " + line + " (indexes " + Arrays.toString(indexes) + ")");
        KEY_CASES.incrementAndGet();
    }

    /** Guards against a corpus or a comparison that silently stopped testing anything. */
    @AfterAll
    static void bothKindsOfCaseRan() {
        if (KEY_CASES.get() + ERROR_CASES.get() == corpus().count()) {
            assertTrue(KEY_CASES.get() >= 80, "key cases: " + KEY_CASES.get());
            assertTrue(ERROR_CASES.get() >= 20, "error cases: " + ERROR_CASES.get());
        }
    }

    @Test
    void corpusIsLargeEnough() {
        assertTrue(corpus().count() >= 100, "corpus has " + corpus().count() + " lines");
    }

    private static byte[][] args(String line) {
        String[] words = line.replace("$SHA", sha).split(" ");
        byte[][] args = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            args[i] = (words[i].equals("\"\"") ? "" : words[i]).getBytes(StandardCharsets.UTF_8);
        }
        return args;
    }

    private static List<String> getKeys(byte[][] args) {
        byte[][] withPrefix = new byte[args.length + 1][];
        withPrefix[0] = SafeEncoder.encode("GETKEYS");
        System.arraycopy(args, 0, withPrefix, 1, args.length);
        Object reply = jedis.sendCommand(() -> SafeEncoder.encode("COMMAND"), withPrefix);
        List<String> keys = new ArrayList<>();
        for (Object o : (List<?>) reply) {
            keys.add(new String((byte[]) o, StandardCharsets.UTF_8));
        }
        return keys;
    }

    /** Runs the command; only for invocations expected to fail before touching any data. */
    private static String execError(byte[][] args) {
        byte[] name = args[0];
        byte[][] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            Object reply = jedis.sendCommand(() -> name, rest);
            return "no error, replied " + reply;
        } catch (JedisDataException e) {
            return e.getMessage();
        }
    }
}
