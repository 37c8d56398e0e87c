package io.rproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each way a configuration is refused: the line, the key and the words a user reads. */
class ConfigRejectionTest {
    private static final Path SOURCE = Path.of("conf/test.toml");

    /** A file expected to have exactly one problem, at {@code line} on {@code key}, saying {@code message}. */
    record Case(String name, String text, int line, String key, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Line 1 "[pools.alpha]", 2 listen, 3 servers, then {@code extra} from line 4 on. */
    private static String alpha(String... extra) {
        return "[pools.alpha]\nlisten = \"127.0.0.1:22121\"\nservers = [\"127.0.0.1:6379:1\"]\n"
                + String.join("\n", extra) + "\n";
    }

    /** Line 1 "[pools.alpha]", 2 listen, 3 the servers given, one array on one line. */
    private static String servers(String... lines) {
        return "[pools.alpha]\nlisten = \"127.0.0.1:22121\"\nservers = [" + String.join(", ", lines) + "]\n";
    }

    static Stream<Case> cases() {
        return Stream.of(
                // unknown keys, at every level
                new Case("unknown top-level key", "verbose = true\n" + alpha(), 1, "verbose",
                        "unknown key; expected one of: admin, limits, metrics, pools"),
                new Case("unknown top-level table", alpha("[stats]", "listen = \"127.0.0.1:22222\""), 4, "stats",
                        "unknown key; expected one of: admin, limits, metrics, pools"),
                new Case("unknown admin key", "[admin]\nlisen = \"127.0.0.1:1\"\n" + alpha(), 2, "admin.lisen",
                        "unknown key (did you mean 'listen'?); expected one of: listen, password, stats_listen"),
                new Case("unknown limits key", "[limits]\nmax_bulk_ln = 5\n" + alpha(), 2, "limits.max_bulk_ln",
                        "unknown key (did you mean 'max_bulk_len'?)"),
                new Case("unknown pool key", alpha("hsah = \"md5\""), 4, "pools.alpha.hsah",
                        "unknown key (did you mean 'hash'?); expected one of: listen, hash, hash_tag,"),
                new Case("table inside a pool", alpha("[pools.alpha.extra]", "x = 1"), 4, "pools.alpha.extra",
                        "unknown key"),
                new Case("nutcracker's listen spelling", alpha("servers_connections = 2"), 4,
                        "pools.alpha.servers_connections", "did you mean 'server_connections'?"),

                // deny_commands: names of the command table only
                new Case("deny_commands typo", alpha("deny_commands = [\"flushall\", \"flushal\"]"), 4,
                        "pools.alpha.deny_commands", "'flushal' is not a command of Redis 7.0.15"),
                new Case("deny_commands not a string", alpha("deny_commands = [\"keys\", 3]"), 4,
                        "pools.alpha.deny_commands", "entry 2: expected a command name as a string"),
                new Case("deny_commands unknown subcommand", alpha("deny_commands = [\"config nosuch\"]"), 4,
                        "pools.alpha.deny_commands", "'config nosuch' is not a command"),

                // sizes
                new Case("size with an unknown unit", alpha("client_output_buffer_limit = \"64mib\""), 4,
                        "pools.alpha.client_output_buffer_limit", "expected a size in bytes: an integer or a string"
                        + " such as \"64mb\" (units b, k, kb, m, mb, g, gb, as in redis.conf), got a string"),
                new Case("negative size", alpha("client_query_buffer_limit = -1"), 4,
                        "pools.alpha.client_query_buffer_limit", "must be at least 0 bytes, got an integer (-1)"),
                new Case("percentage for a pool's limit", alpha("client_output_buffer_limit = \"10%\""), 4,
                        "pools.alpha.client_output_buffer_limit", "expected a size in bytes"),
                new Case("percentage above 100", "[limits]\nmaxmemory_clients = \"150%\"\n" + alpha(), 2,
                        "limits.maxmemory_clients", "or a percentage such as \"25%\", got a string (\"150%\")"),
                new Case("size as a float", "[limits]\nmaxmemory_clients = 1.5\n" + alpha(), 2,
                        "limits.maxmemory_clients", "got a float (1.5)"),

                // wrong types
                new Case("timeout as a string", alpha("timeout = \"400\""), 4, "pools.alpha.timeout",
                        "expected an integer, got a string (\"400\")"),
                new Case("timeout as a float", alpha("timeout = 400.5"), 4, "pools.alpha.timeout",
                        "expected an integer, got a float (400.5)"),
                new Case("boolean as an integer", alpha("preconnect = 1"), 4, "pools.alpha.preconnect",
                        "expected a boolean (true or false), got an integer (1)"),
                new Case("hash as an array", alpha("hash = [\"md5\"]"), 4, "pools.alpha.hash",
                        "expected a string, got an array"),
                new Case("servers as a string", "[pools.alpha]\nlisten = \"127.0.0.1:22121\"\nservers = \"h:1:1\"\n",
                        3, "pools.alpha.servers", "expected an array, got a string (\"h:1:1\")"),
                new Case("server entry as an integer", servers("\"h:1:1\"", "6379"), 3, "pools.alpha.servers",
                        "entry 2: expected a string \"host:port:weight [name]\", got an integer (6379)"),
                new Case("admin as a string", "admin = \"127.0.0.1:1\"\n" + alpha(), 1, "admin",
                        "expected a table, got a string"),
                new Case("pool as an integer", "[pools]\nalpha = 3\n", 2, "pools.alpha",
                        "expected a table, got an integer (3)"),
                new Case("pools as an array of tables", "[[pools]]\nlisten = \"127.0.0.1:1\"\n", 1, "pools",
                        "expected a table, got an array"),
                new Case("date for a duration", alpha("timeout = 1979-05-27"), 4, "pools.alpha.timeout",
                        "expected an integer, got a date/time (1979-05-27)"),

                // addresses
                new Case("listen without port", "[pools.alpha]\nlisten = \"localhost\"\nservers = [\"h:1:1\"]\n", 2,
                        "pools.alpha.listen", "'localhost' is not host:port"),
                new Case("listen with a name for a port", "[pools.alpha]\nlisten = \"h:http\"\nservers = [\"h:1:1\"]\n",
                        2, "pools.alpha.listen", "'h:http' has a port that is not a number"),
                new Case("listen port above 65535", "[pools.alpha]\nlisten = \"h:65536\"\nservers = [\"h:1:1\"]\n", 2,
                        "pools.alpha.listen", "'h:65536' has a port above 65535"),
                new Case("listen on port 0", "[pools.alpha]\nlisten = \"127.0.0.1:0\"\nservers = [\"h:1:1\"]\n", 2,
                        "pools.alpha.listen", "port 0 is not allowed"),
                new Case("admin on port 0", "[admin]\nlisten = \"127.0.0.1:0\"\n" + alpha(), 2, "admin.listen",
                        "port 0 is not allowed"),
                new Case("two pools on one address", alpha() + "[pools.beta]\nlisten = \"127.0.0.1:22121\"\n"
                        + "servers = [\"h:1:1\"]\n", 6, "pools.beta.listen",
                        "127.0.0.1:22121 is already the listen address of pools.alpha.listen (line 2)"),
                new Case("pool on the admin address", "[admin]\nlisten = \"127.0.0.1:22121\"\n" + alpha(), 4,
                        "pools.alpha.listen", "is already the listen address of admin.listen (line 2)"),
                new Case("pool on the default admin address", "[pools.alpha]\nlisten = \"127.0.0.1:22222\"\n"
                        + "servers = [\"h:1:1\"]\n", 2, "pools.alpha.listen",
                        "127.0.0.1:22222 is already the listen address of admin.listen (by default)"),
                new Case("stats port on a pool's address", "[admin]\nstats_listen = \"127.0.0.1:22121\"\n" + alpha(),
                        4, "pools.alpha.listen", "is already the listen address of admin.stats_listen (line 2)"),
                new Case("stats port on the admin address", "[admin]\nlisten = \"127.0.0.1:9000\"\n"
                        + "stats_listen = \"127.0.0.1:9000\"\n" + alpha(), 3, "admin.stats_listen",
                        "is already the listen address of admin.listen (line 2)"),
                new Case("metrics on a pool's address", alpha("[metrics]", "listen = \"127.0.0.1:22121\""), 2,
                        "pools.alpha.listen", "is already the listen address of metrics.listen (line 5)"),
                new Case("metrics on port 0", "[metrics]\nlisten = \"127.0.0.1:0\"\n" + alpha(), 2,
                        "metrics.listen", "port 0 is not allowed"),
                new Case("metrics listen not host:port", "[metrics]\nlisten = \"9121\"\n" + alpha(), 2,
                        "metrics.listen", "'9121' is not host:port"),
                new Case("unknown metrics key", "[metrics]\npath = \"/m\"\n" + alpha(), 2, "metrics.path",
                        "unknown key; expected one of: listen"),
                new Case("metrics as a value", "metrics = \"127.0.0.1:9121\"\n" + alpha(), 1, "metrics",
                        "expected a table, got a string"),
                new Case("wildcard over a specific address", alpha() + "[pools.beta]\nlisten = \"0.0.0.0:22121\"\n"
                        + "servers = [\"h:1:1\"]\n", 6, "pools.beta.listen",
                        "0.0.0.0:22121 overlaps 127.0.0.1:22121, the listen address of pools.alpha.listen (line 2):"
                                + " a wildcard address takes the port on every interface"),

                // servers
                new Case("duplicate server name", servers("\"h1:1:1 redis1\"", "\"h2:1:1 redis1\""), 3,
                        "pools.alpha.servers", "duplicate server name 'redis1' (redis1 (h1:1) and redis1 (h2:1));"
                                + " server names must be unique in a pool"),
                new Case("duplicate server address", servers("\"h1:1:1 a\"", "\"h1:1:2 b\""), 3, "pools.alpha.servers",
                        "server address h1:1 is listed twice (a (h1:1) and b (h1:1)): two entries for one backend"
                                + " would be two shards sharing one keyspace"),
                new Case("name equal to another server's address", servers("\"h1:1:1\"", "\"h2:1:1 h1:1\""), 3,
                        "pools.alpha.servers", "would share the identity 'h1:1' on the hash ring"),
                new Case("weight zero", servers("\"h:1:0\""), 3, "pools.alpha.servers",
                        "'h:1:0': weight must be > 0, got 0"),
                new Case("negative weight", servers("\"h:1:-2 a\""), 3, "pools.alpha.servers",
                        "'h:1:-2 a': weight must be > 0, got -2"),
                new Case("weight not a number", servers("\"h:1:x\""), 3, "pools.alpha.servers",
                        "'h:1:x' has a weight that is not an integer"),
                new Case("server without weight", servers("\"127.0.0.1:6379\""), 3, "pools.alpha.servers",
                        "'127.0.0.1:6379' is not host:port:weight [name]: '127.0.0.1' is not host:port"),
                new Case("server with two names", servers("\"h:1:1 a b\""), 3, "pools.alpha.servers",
                        "'h:1:1 a b' is not host:port:weight [name]"),
                new Case("empty server line", servers("\"\""), 3, "pools.alpha.servers",
                        "'' is not host:port:weight [name]"),
                new Case("server on port 0", servers("\"h:0:1\""), 3, "pools.alpha.servers",
                        "'h:0:1' has port 0, which no server listens on"),
                new Case("empty servers", servers(), 3, "pools.alpha.servers",
                        "must list at least one server as \"host:port:weight [name]\""),
                new Case("servers missing", "\n[pools.alpha]\nlisten = \"127.0.0.1:22121\"\n", 2,
                        "pools.alpha.servers", "missing; every pool needs at least one server"),
                new Case("listen missing", "[pools.alpha]\nservers = [\"h:1:1\"]\n", 1, "pools.alpha.listen",
                        "missing; every pool needs the address its clients connect to"),

                // names and enumerations
                new Case("hash_tag of one character", alpha("hash_tag = \"{\""), 4, "pools.alpha.hash_tag",
                        "must be exactly two ASCII characters, the opening and the closing delimiter (e.g. \"{}\"),"
                                + " got \"{\""),
                new Case("hash_tag of three characters", alpha("hash_tag = \"{}}\""), 4, "pools.alpha.hash_tag",
                        "got \"{}}\""),
                new Case("hash_tag not ASCII", alpha("hash_tag = \"«»\""), 4, "pools.alpha.hash_tag",
                        "must be exactly two ASCII characters"),
                new Case("unknown hash", alpha("hash = \"fnv\""), 4, "pools.alpha.hash",
                        "unknown hash 'fnv', expected one of: one_at_a_time, md5, crc16, crc32, crc32a, fnv1_64,"
                                + " fnv1a_64, fnv1_32, fnv1a_32, hsieh, murmur, jenkins"),
                new Case("hash names are lower case", alpha("hash = \"MD5\""), 4, "pools.alpha.hash",
                        "unknown hash 'MD5'"),
                new Case("unknown distribution", alpha("distribution = \"vnode\""), 4, "pools.alpha.distribution",
                        "unknown distribution 'vnode', expected one of: ketama, modula, random"),
                new Case("no pools in an empty file", "", 0, "pools", "no pools defined"),
                new Case("no pools, only admin", "[admin]\nlisten = \"127.0.0.1:1\"\n", 0, "pools",
                        "no pools defined"),
                new Case("empty pools table", "# nothing yet\n[pools]\n", 2, "pools", "no pools defined"),
                new Case("pool name with a dot", "[pools.\"a.b\"]\nlisten = \"127.0.0.1:22121\"\n"
                        + "servers = [\"h:1:1\"]\n", 1, "pools.\"a.b\"",
                        "pool name 'a.b' may only contain letters, digits, '_' and '-'"),
                new Case("pool name with a space", "[pools.\"a b\"]\nlisten = \"127.0.0.1:22121\"\n"
                        + "servers = [\"h:1:1\"]\n", 1, "pools.\"a b\"", "pool name 'a b' may only contain"),
                new Case("redis = false", alpha("redis = false"), 4, "pools.alpha.redis",
                        "false is not supported: rproxy speaks only the Redis protocol"),
                new Case("empty redis_auth", alpha("redis_auth = \"\""), 4, "pools.alpha.redis_auth",
                        "must not be empty"),
                new Case("empty admin password", "[admin]\npassword = \"\"\n" + alpha(), 2, "admin.password",
                        "must not be empty"),

                // numbers
                new Case("timeout zero", alpha("timeout = 0"), 4, "pools.alpha.timeout",
                        "must be at least 1, got 0"),
                new Case("timeout negative", alpha("timeout = -400"), 4, "pools.alpha.timeout",
                        "must be at least 1, got -400"),
                new Case("timeout beyond int", alpha("timeout = 2147483648"), 4, "pools.alpha.timeout",
                        "must be at most 2147483647, got 2147483648"),
                new Case("backlog beyond int", alpha("backlog = 3000000000"), 4, "pools.alpha.backlog",
                        "must be at most 2147483647, got 3000000000"),
                new Case("backlog zero", alpha("backlog = 0"), 4, "pools.alpha.backlog", "must be at least 1"),
                new Case("negative redis_db", alpha("redis_db = -1"), 4, "pools.alpha.redis_db",
                        "must be at least 0, got -1"),
                new Case("negative client connections", alpha("client_connections = -1"), 4,
                        "pools.alpha.client_connections", "must be at least 0, got -1"),
                new Case("no server connections", alpha("server_connections = 0"), 4,
                        "pools.alpha.server_connections", "must be at least 1, got 0"),
                new Case("retry timeout zero", alpha("server_retry_timeout = 0"), 4,
                        "pools.alpha.server_retry_timeout", "must be at least 1, got 0"),
                new Case("failure limit zero", alpha("server_failure_limit = 0"), 4,
                        "pools.alpha.server_failure_limit", "must be at least 1, got 0"),
                new Case("bulk length zero", "[limits]\nmax_bulk_len = 0\n" + alpha(), 2, "limits.max_bulk_len",
                        "must be at least 1, got 0"),
                new Case("bulk length at 2 GB", "[limits]\nmax_bulk_len = 2147483647\n" + alpha(), 2,
                        "limits.max_bulk_len", "must be at most 2147483631, got 2147483647"),
                new Case("inline length too small", "[limits]\nmax_inline_len = 8\n" + alpha(), 2,
                        "limits.max_inline_len", "must be at least 16, got 8"),
                new Case("no arguments", "[limits]\nmax_arguments = 0\n" + alpha(), 2, "limits.max_arguments",
                        "must be at least 1, got 0"),

                // TOML syntax
                new Case("unterminated string", alpha("hash = \"md5"), 4, "", "Unexpected end of line"),
                new Case("integer beyond long", alpha("backlog = 99999999999999999999"), 4, "",
                        "Integer is too large"),
                new Case("key set twice", alpha("listen = \"127.0.0.1:1\""), 4, "",
                        "listen previously defined at line 2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejects(Case c) {
        assertRejected(c);
    }

    /** The case's text has exactly the case's one problem, at its line and key, in its words. */
    static void assertRejected(Case c) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(c.text(), SOURCE));

        assertEquals(1, e.problems().size(), () -> "expected one problem, got:\n" + e.getMessage());
        ConfigProblem problem = e.problems().get(0);
        assertEquals(SOURCE.toString(), problem.file());
        assertEquals(c.line(), problem.line(), e::getMessage);
        assertEquals(c.key(), problem.key(), e::getMessage);
        assertTrue(problem.message().contains(c.message()),
                () -> "'" + problem.message() + "' does not contain '" + c.message() + "'");
    }

    @Test
    void messageIsFileLineKeyMessage() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(alpha("hash = \"fnv\""), SOURCE));

        assertEquals("conf/test.toml:4: pools.alpha.hash: unknown hash 'fnv', expected one of: one_at_a_time, md5,"
                + " crc16, crc32, crc32a, fnv1_64, fnv1a_64, fnv1_32, fnv1a_32, hsieh, murmur, jenkins",
                e.getMessage());
    }

    @Test
    void reportsEveryProblemAtOnceInFileOrder() {
        String text = """
                [admin]
                listen = "127.0.0.1:0"
                colour = "blue"

                [pools.alpha]
                listen = "127.0.0.1:22121"
                hash = "fnv"
                timeout = "400"
                servers = ["h:1:0", "h:2:1 a", "h:3:1 a"]

                [pools.beta]
                listen = "127.0.0.1:22121"
                distribution = "round_robin"
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(text, SOURCE));

        assertEquals(List.of(
                "2 admin.listen", "3 admin.colour", "7 pools.alpha.hash", "8 pools.alpha.timeout",
                "9 pools.alpha.servers", "9 pools.alpha.servers", "11 pools.beta.servers",
                "12 pools.beta.listen", "13 pools.beta.distribution"),
                e.problems().stream().map(p -> p.line() + " " + p.key()).toList());
        assertEquals(9, e.getMessage().lines().count());
        assertTrue(e.getMessage().startsWith("conf/test.toml:2: admin.listen: port 0 is not allowed"),
                e.getMessage());
    }

    @Test
    void reportsEverySyntaxError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("[x]\nk = \"v\n[y]\nk = \"w\n", SOURCE));

        assertEquals(List.of(2, 4), e.problems().stream().map(ConfigProblem::line).toList(), e::getMessage);
        e.problems().forEach(p -> assertTrue(p.key().isEmpty(), p::toString));
    }
}
