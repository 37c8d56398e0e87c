package io.rproxy.proxy;

import io.rproxy.Version;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * INFO [section ...] answered by the proxy about itself, in redis-server's format ({@code # Section} lines, then
 * {@code key:value\r\n} fields, a blank line between sections) so clients that parse INFO keep working. Of the
 * backends only the Keyspace is shown, summed over the servers ({@link PoolInfo}): their memory and replication
 * are per server, and a client asking one proxy connection for them would get one server's numbers as if they
 * were the whole pool's.
 *
 * <p>Immutable apart from what it reads; called on client threads.
 */
final class InfoCommand {
    private final Pool pool;
    private final String redisVersion;
    private final Clock clock;
    private final Instant started;
    /** Section name (lower case) to the fields it shows now, in INFO's order. */
    private final Map<String, Supplier<Map<String, String>>> sections = new LinkedHashMap<>();

    /** @param redisVersion the version rproxy speaks: its command table's */
    InfoCommand(Pool pool, String redisVersion, Clock clock) {
        this.pool = pool;
        this.redisVersion = redisVersion;
        this.clock = clock;
        this.started = clock.instant();
        sections.put("server", this::server);
        sections.put("clients", this::clients);
    }

    /** Sections as redis-server picks them: none, {@code default}, {@code all} or {@code everything} mean all. */
    Reply answer(RespCommand command) {
        return Reply.bulk(text(command).getBytes(StandardCharsets.UTF_8));
    }

    /** The text of rproxy's own sections the command asks for, without the servers' Keyspace. */
    String text(RespCommand command) {
        boolean all = asksForAll(command);
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Supplier<Map<String, String>>> section : sections.entrySet()) {
            if (all || named(command, section.getKey())) {
                if (!text.isEmpty()) {
                    text.append("\r\n");
                }
                text.append("# ").append(title(section.getKey())).append("\r\n");
                section.getValue().get().forEach((k, v) -> text.append(k).append(':').append(v).append("\r\n"));
            }
        }
        return text.toString();
    }

    /** Whether the command asks for {@code section} (lower case), by name or as one of all sections. */
    static boolean asks(RespCommand command, String section) {
        return asksForAll(command) || named(command, section);
    }

    private static boolean asksForAll(RespCommand command) {
        boolean all = command.argCount() == 1;
        for (int i = 1; i < command.argCount(); i++) {
            all |= command.argEqualsIgnoreCase(i, "default") || command.argEqualsIgnoreCase(i, "all")
                    || command.argEqualsIgnoreCase(i, "everything");
        }
        return all;
    }

    private static boolean named(RespCommand command, String section) {
        for (int i = 1; i < command.argCount(); i++) {
            if (command.argEqualsIgnoreCase(i, section)) {
                return true;
            }
        }
        return false;
    }

    private static String title(String section) {
        return section.substring(0, 1).toUpperCase(Locale.ROOT) + section.substring(1);
    }

    private Map<String, String> server() {
        long uptime = Duration.between(started, clock.instant()).toSeconds();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("redis_version", redisVersion);
        fields.put("redis_mode", "standalone");
        fields.put("rproxy_version", Version.current());
        fields.put("rproxy_pool", pool.name());
        fields.put("process_id", Long.toString(ProcessHandle.current().pid()));
        fields.put("tcp_port", Integer.toString(pool.port()));
        fields.put("uptime_in_seconds", Long.toString(uptime));
        fields.put("uptime_in_days", Long.toString(uptime / 86_400));
        return fields;
    }

    private Map<String, String> clients() {
        return Map.of("connected_clients", Long.toString(pool.stats().clientConnections()));
    }
}
