package io.rproxy.proxy;

import io.rproxy.command.CommandTable;
import io.rproxy.Version;
import io.rproxy.backend.ProxyError;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The commands the proxy answers itself, without a backend, as redis-server answers them: the connection's own
 * (PING, ECHO, QUIT, AUTH, HELLO, SELECT, RESET, CLIENT SETNAME/GETNAME/ID/SETINFO, and CLIENT
 * LIST/INFO/KILL/NO-EVICT over the pool's clients: {@link ClientCommands}), and the few about the
 * server that a proxy answers for itself (TIME, COMMAND COUNT; and INFO's own sections, {@link #info}). Which
 * commands are local is data: {@code command-classes.tsv}.
 *
 * <p>Immutable; called on each client's own thread.
 */
final class LocalCommands {
    private static final Reply NOPROTO = Reply.error("NOPROTO unsupported protocol version");
    private static final Reply BAD_PROTO = Reply.error("ERR Protocol version is not an integer or out of range");
    private static final Reply HELLO_NOAUTH = Reply.error("NOAUTH HELLO must be called with the client already "
            + "authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate "
            + "the client and select the RESP protocol version at the same time");
    private static final Reply BAD_CLIENT_NAME =
            Reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
    private static final Reply SYNTAX = Reply.error("ERR syntax error");

    private static final Reply RESET = Reply.simple("RESET");

    private final Optional<String> password;
    private final int database;
    /**
     * The Redis version HELLO and INFO report: that of the command table, whose commands rproxy serves, so
     * clients enable exactly the features it knows.
     */
    private final String redisVersion;
    private final Reply commandCount;
    private final InfoCommand info;
    private final Clock clock;
    private final ClientCommands clients;

    LocalCommands(Pool pool, CommandTable table, Clock clock) {
        this.password = pool.config().redisAuth();
        this.database = pool.config().redisDb();
        this.redisVersion = table.redisVersion();
        this.commandCount = Reply.integer(table.all().stream().filter(s -> !s.isSubcommand()).count());
        this.info = new InfoCommand(pool, redisVersion, clock);
        this.clock = clock;
        this.clients = new ClientCommands(database);
    }

    /**
     * The reply to a local command; arity and authentication are already checked.
     *
     * @throws IllegalArgumentException for a command that is not local: a class table that names a local
     *                                  command this class cannot answer (LocalCommandsTest walks them all)
     */
    Reply answer(String name, RespCommand command, ClientState client) {
        return switch (name) {
            case "ping" -> command.argCount() == 1 ? Reply.PONG : Reply.bulk(command.arg(1));
            case "echo" -> Reply.bulk(command.arg(1));
            case "quit" -> {
                client.quit();
                yield Reply.OK;
            }
            case "auth" -> auth(command, client);
            case "hello" -> hello(command, client);
            case "select" -> select(command);
            case "client|setname" -> setName(command.argString(2), client);
            case "client|getname" -> client.name().isEmpty() ? Reply.NULL_BULK
                    : Reply.bulk(client.name().getBytes(StandardCharsets.UTF_8));
            case "client|id" -> Reply.integer(client.id());
            case "client|list" -> clients.list(command, client);
            case "client|info" -> clients.info(client);
            case "client|kill" -> clients.kill(command, client);
            case "client|no-evict" -> ClientCommands.noEvict(command);
            case "reset" -> {
                client.reset(password.isEmpty());
                yield RESET;
            }
            case "time" -> time();
            case "command|count" -> commandCount;
            default -> throw new IllegalArgumentException("'" + name + "' is not a local command");
        };
    }

    /** The pool's own INFO sections, which INFO (a whole-pool command) completes with the servers' Keyspace. */
    InfoCommand info() {
        return info;
    }

    /** TIME: the proxy's clock as Redis writes it, seconds and microseconds as two bulk strings. */
    private Reply time() {
        Instant now = clock.instant();
        return Reply.array(List.of(bulk(Long.toString(now.getEpochSecond())),
                bulk(Integer.toString(now.getNano() / 1000))));
    }

    /**
     * CLIENT SETINFO (Redis 7.2) is sent on connect by current Jedis and Lettuce; the 7.0 command table does not
     * know it, so it is recognised here by name and accepted, as a 7.2 server would.
     */
    static boolean isClientSetInfo(RespCommand command) {
        return command.argCount() == 4 && command.argEqualsIgnoreCase(0, "client")
                && command.argEqualsIgnoreCase(1, "setinfo");
    }

    /** AUTH password, or AUTH default password (Redis 6 form with the only user a proxy has). */
    private Reply auth(RespCommand command, ClientState client) {
        if (password.isEmpty()) {
            return Errors.AUTH_NOT_CONFIGURED;
        }
        if (command.argCount() > 3) {
            return SYNTAX;
        }
        return authenticate(command.argCount() == 2 ? "default" : command.argString(1),
                command.arg(command.argCount() - 1), client);
    }

    private Reply authenticate(String user, byte[] given, ClientState client) {
        if (password.isEmpty()) {
            return Reply.OK; // Redis's default user has no password then: any password is accepted
        }
        // Constant-time comparison: the data ports may face untrusted networks.
        if (user.equals("default")
                && MessageDigest.isEqual(given, password.get().getBytes(StandardCharsets.UTF_8))) {
            client.authenticate();
            return Reply.OK;
        }
        return Errors.WRONGPASS;
    }

    /** HELLO [protover [AUTH user pass] [SETNAME name]]: RESP2 only; HELLO 3 gets NOPROTO so clients fall back. */
    private Reply hello(RespCommand command, ClientState client) {
        if (command.argCount() > 1) {
            Reply protocol = checkProtocol(command.argString(1));
            if (protocol != null) {
                return protocol;
            }
        }
        String newName = null;
        for (int i = 2; i < command.argCount(); i++) {
            boolean more = i + 1 < command.argCount();
            if (command.argEqualsIgnoreCase(i, "auth") && i + 2 < command.argCount()) {
                Reply auth = authenticate(command.argString(i + 1), command.arg(i + 2), client);
                if (auth.isError()) {
                    return auth;
                }
                i += 2;
            } else if (command.argEqualsIgnoreCase(i, "setname") && more) {
                newName = command.argString(++i);
            } else {
                return Reply.error("ERR Syntax error in HELLO option '" + command.argString(i) + "'");
            }
        }
        if (!client.authenticated()) {
            return HELLO_NOAUTH;
        }
        if (newName != null && !validName(newName)) {
            return BAD_CLIENT_NAME;
        }
        if (newName != null) {
            client.name(newName);
        }
        return Reply.array(List.of(
                bulk("server"), bulk("redis"), bulk("version"), bulk(redisVersion),
                bulk("proto"), Reply.integer(2), bulk("id"), Reply.integer(client.id()),
                bulk("mode"), bulk("standalone"), bulk("role"), bulk("master"),
                bulk("modules"), Reply.array(List.of()),
                bulk("proxy"), bulk("rproxy " + Version.current())));
    }

    private static Reply checkProtocol(String text) {
        long version;
        try {
            version = Long.parseLong(text);
        } catch (NumberFormatException e) {
            return BAD_PROTO;
        }
        return version == 2 ? null : NOPROTO;
    }

    /** SELECT of the configured database is a no-op; any other would break the shared backend connections. */
    private Reply select(RespCommand command) {
        String requested = command.argString(1);
        if (requested.equals(Integer.toString(database))) {
            return Reply.OK;
        }
        return ProxyError.of("this pool is bound to database " + database
                + " (redis_db); SELECT " + requested + " is not supported");
    }

    private static Reply setName(String name, ClientState client) {
        if (!validName(name)) {
            return BAD_CLIENT_NAME;
        }
        client.name(name);
        return Reply.OK;
    }

    /** Redis's rule: printable ASCII without spaces ('!' to '~'). */
    private static boolean validName(String name) {
        return name.chars().allMatch(c -> c >= '!' && c <= '~');
    }

    private static Reply bulk(String text) {
        return Reply.bulk(text.getBytes(StandardCharsets.UTF_8));
    }
}
