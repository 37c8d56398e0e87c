package io.rproxy.proxy;

import io.rproxy.backend.PendingReply;
import io.rproxy.backend.Sender;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * SLOWLOG GET [count] over the pool: every server's slow log, merged newest first (by timestamp, then entry id),
 * each entry Redis's six elements (id, unix time, microseconds, arguments, client address, client name: the
 * client being rproxy's server connection) with the server it ran on appended as a seventh, as rproxy's errors name
 * it; then cut to {@code count} (10 when not given, every entry for -1), as one server cuts its own. Entry ids are
 * each server's own, so two entries may share one.
 *
 * <p>Immutable; called on client threads.
 */
final class SlowlogGet implements WholePool {
    /** Redis's default count. */
    private static final int DEFAULT_COUNT = 10;
    private static final EveryServer EVERY = new EveryServer(EveryServer.Merge.SLOWLOG);

    @Override
    public PendingReply send(RespCommand command, Pool pool, Sender sender) {
        PendingReply merged = EVERY.send(command, pool, sender);
        long count = command.argCount() > 2 ? parse(command.argString(2)) : DEFAULT_COUNT;
        return () -> cut(merged.await(), count);
    }

    /** Every server's entries, each with its server appended, newest first. */
    static Reply tagged(Reply[] parts, String[] servers) {
        List<Entry> entries = new ArrayList<>();
        for (int p = 0; p < parts.length; p++) {
            Reply server = Reply.bulk(servers[p].getBytes(StandardCharsets.UTF_8));
            for (Reply entry : parts[p].elements()) {
                List<Reply> tagged = new ArrayList<>(entry.elements());
                tagged.add(server);
                entries.add(new Entry(tagged.get(1).integer(), tagged.get(0).integer(), Reply.array(tagged)));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::time).thenComparingLong(Entry::id).reversed());
        List<Reply> merged = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            merged.add(entry.reply());
        }
        return Reply.array(merged);
    }

    /** An entry and its sort keys, parsed once. */
    private record Entry(long time, long id, Reply reply) {
    }

    /** The newest {@code count} entries; an error (a count the servers refused) as it is. */
    private static Reply cut(Reply merged, long count) {
        if (merged.type() != '*' || count < 0 || merged.elements().size() <= count) {
            return merged;
        }
        return Reply.array(merged.elements().subList(0, (int) count));
    }

    /** The count as the servers read it; one they refuse (not a number, below -1) gets their error back. */
    private static long parse(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
