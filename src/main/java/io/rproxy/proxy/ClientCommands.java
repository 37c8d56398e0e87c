package io.rproxy.proxy;

import io.rproxy.backend.OutputBuffer;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLIENT LIST, INFO, KILL and NO-EVICT over rproxy's own client connections (those of the caller's pool), in
 * redis-server 7.0's formats and error wording, so operators find and kill a client of the proxy as they would on a
 * server. A line has Redis's fields in Redis's order, those rproxy has no meaning for at the value Redis gives a
 * client that holds nothing ({@code fd=-1}: rproxy does not expose descriptors), then {@code pool=<name>}. The
 * client's state shows as Redis shows it: {@code flags} P (subscribed), x (inside MULTI), b (blocked), else N;
 * {@code sub}, {@code psub}, {@code ssub}; {@code multi} (queued commands, -1 outside MULTI); and a subscribed
 * client is of type {@code pubsub}, as on a server for a RESP2 client.
 *
 * <p>Immutable; called on each client's own thread, reading other clients' {@link ClientState} as it lets them.
 */
final class ClientCommands {
    private static final Logger log = LoggerFactory.getLogger(ClientCommands.class);
    private static final Reply SYNTAX = Reply.error("ERR syntax error");
    private static final Reply NO_SUCH_CLIENT = Reply.error("ERR No such client");
    private static final Reply BAD_KILL_ID = Reply.error("ERR client-id should be greater than 0");
    private static final Reply BAD_LIST_ID = Reply.error("ERR Invalid client ID");

    private final int database;

    ClientCommands(int database) {
        this.database = database;
    }

    /** CLIENT INFO: the caller's own line. */
    Reply info(ClientState client) {
        return bulk(line(client, System.nanoTime()));
    }

    /** CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]. */
    Reply list(RespCommand command, ClientState client) {
        String type = null;
        Set<Long> ids = null;
        int argCount = command.argCount();
        for (int i = 2; i < argCount; i++) {
            if (command.argEqualsIgnoreCase(i, "type") && i + 1 < argCount) {
                type = type(command.argString(++i));
                if (type == null) {
                    return unknownType(command.argString(i));
                }
            } else if (command.argEqualsIgnoreCase(i, "id") && i + 1 < argCount) {
                ids = new HashSet<>();
                for (i++; i < argCount; i++) {
                    long id = parse(command.argString(i));
                    if (id <= 0) {
                        return BAD_LIST_ID;
                    }
                    ids.add(id);
                }
            } else {
                return SYNTAX;
            }
        }
        StringBuilder out = new StringBuilder();
        long now = System.nanoTime();
        for (ClientState each : client.link().pool().clients()) {
            if ((type == null || type.equals(typeOf(each))) && (ids == null || ids.contains(each.id()))) {
                out.append(line(each, now));
            }
        }
        return bulk(out.toString());
    }

    /**
     * CLIENT KILL ip:port (+OK, or an error when no client has it) and CLIENT KILL filter value ... (the number
     * killed): ID, ADDR, LADDR, TYPE, USER (rproxy's one user, {@code default}), SKIPME. Another client's socket is
     * closed at once; the caller itself is closed after this reply, as Redis does.
     */
    Reply kill(RespCommand command, ClientState client) {
        KillFilter filter = new KillFilter();
        int argCount = command.argCount();
        if (argCount == 3) {
            filter.addr = command.argString(2);
            filter.skipMe = false; // with the old form, you can kill yourself (Redis's words)
        } else if (argCount % 2 == 0) {
            for (int i = 2; i < argCount; i += 2) {
                Reply bad = filter.set(command.argString(i), command.argString(i + 1));
                if (bad != null) {
                    return bad;
                }
            }
        } else {
            return SYNTAX;
        }
        int killed = 0;
        for (ClientState each : client.link().pool().clients()) {
            if (filter.matches(each, client)) {
                killed++;
                kill(each, client);
            }
        }
        if (argCount == 3) {
            return killed == 0 ? NO_SUCH_CLIENT : Reply.OK;
        }
        return Reply.integer(killed);
    }

    /** CLIENT NO-EVICT on|off: accepted; see README (rproxy's maxmemory_clients is its own eviction). */
    static Reply noEvict(RespCommand command) {
        return command.argEqualsIgnoreCase(2, "on") || command.argEqualsIgnoreCase(2, "off") ? Reply.OK : SYNTAX;
    }

    private static void kill(ClientState victim, ClientState caller) {
        if (victim == caller) {
            caller.quit(); // its session writes this reply, then closes
            return;
        }
        log.info("client {} ({}) killed by CLIENT KILL from client {}", victim.id(), victim.link().addr(),
                caller.id());
        try {
            victim.link().close();
        } catch (IOException e) {
            log.debug("client {}: {}", victim.id(), e.getMessage());
        }
    }

    /**
     * Redis 7.0's CLIENT LIST line, fields in its order, then rproxy's pool. {@code multi-mem} is what rproxy holds
     * for the queued commands (their frames), counted in {@code tot-mem} with the unread replies.
     */
    private String line(ClientState client, long now) {
        long idleAt = client.lastCommandAt(); // before the name: see ClientState
        String cmd = client.lastCommand();
        OutputBuffer output = client.output();
        long omem = output == null ? 0 : output.held();
        int multi = client.transaction().queuedCount();
        long multiMem = multi < 0 ? 0 : client.transaction().queuedBytes();
        Subscriptions subscriptions = client.subscriptions();
        int sub = subscriptions == null ? 0 : subscriptions.channelCount();
        int psub = subscriptions == null ? 0 : subscriptions.patternCount();
        int ssub = subscriptions == null ? 0 : subscriptions.shardChannelCount();
        ClientLink link = client.link();
        return "id=" + client.id() + " addr=" + link.addr() + " laddr=" + link.laddr() + " fd=-1"
                + " name=" + client.name() + " age=" + seconds(now - client.connectedAt())
                + " idle=" + seconds(now - idleAt) + " flags=" + flags(sub + psub + ssub > 0, multi, client.blocked())
                + " db=" + database + " sub=" + sub + " psub=" + psub + " ssub=" + ssub + " multi=" + multi
                + " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=" + multiMem + " rbs=0 rbp=0"
                + " obl=0 oll=0 omem=" + omem + " tot-mem=" + (omem + multiMem) + " events=r cmd="
                + (cmd == null ? "NULL" : cmd) + " user=default redir=-1 resp=2 pool=" + link.pool().poolName()
                + "\n";
    }

    /** Redis's letters, in its order: P subscribed, x inside MULTI, b blocked; N for none. */
    private static String flags(boolean subscribed, int multi, boolean blocked) {
        String flags = (subscribed ? "P" : "") + (multi >= 0 ? "x" : "") + (blocked ? "b" : "");
        return flags.isEmpty() ? "N" : flags;
    }

    /** A client's type as Redis gives a RESP2 client: pubsub while subscribed, else normal. */
    private static String typeOf(ClientState client) {
        Subscriptions subscriptions = client.subscriptions();
        return subscriptions != null && subscriptions.active() ? "pubsub" : "normal";
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(Math.max(0, nanos));
    }

    /** A type Redis knows, in one spelling (slave is replica); null for any other. */
    private static String type(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "normal", "master", "replica", "pubsub" -> name.toLowerCase(java.util.Locale.ROOT);
            case "slave" -> "replica";
            default -> null;
        };
    }

    private static Reply unknownType(String name) {
        return Reply.error("ERR Unknown client type '" + name + "'");
    }

    /** A positive long, or 0 for anything else. */
    private static long parse(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Reply bulk(String text) {
        return Reply.bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The filters of CLIENT KILL's new form; a client must match all given. */
    private static final class KillFilter {
        private String addr;
        private String laddr;
        private long id;
        private String type;
        private boolean skipMe = true;

        /** Null when accepted, else the error for the whole command. */
        Reply set(String name, String value) {
            switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "id" -> {
                    id = parse(value);
                    return id <= 0 ? BAD_KILL_ID : null;
                }
                case "addr" -> addr = value;
                case "laddr" -> laddr = value;
                case "type" -> {
                    type = type(value);
                    return type == null ? unknownType(value) : null;
                }
                case "user" -> {
                    // rproxy has one user, Redis's default: every client is it, and no other user exists.
                    return value.equals("default") ? null : Reply.error("ERR No such user '" + value + "'");
                }
                case "skipme" -> {
                    if (!value.equalsIgnoreCase("yes") && !value.equalsIgnoreCase("no")) {
                        return SYNTAX;
                    }
                    skipMe = value.equalsIgnoreCase("yes");
                }
                default -> {
                    return SYNTAX;
                }
            }
            return null;
        }

        boolean matches(ClientState client, ClientState caller) {
            return (addr == null || addr.equals(client.link().addr()))
                    && (laddr == null || laddr.equals(client.link().laddr()))
                    && (id == 0 || id == client.id())
                    && (type == null || type.equals(typeOf(client)))
                    && !(skipMe && client == caller);
        }
    }
}
