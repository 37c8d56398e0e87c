package io.rproxy.proxy;

import io.rproxy.backend.PendingReply;
import io.rproxy.backend.ProxyError;
import io.rproxy.backend.Sender;
import io.rproxy.backend.Targets;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SCAN cursor [MATCH pattern] [COUNT n] [TYPE t] over the whole pool: the servers are scanned one after the other
 * (those of {@link Targets#everyTarget}, in order), each call sent to one server with that server's own cursor and
 * the client's options unchanged. The cursor the client sees says both, in decimal: the server's cursor times
 * {@value #SERVERS_PER_CURSOR} plus the server's index, so {@code 0} starts at the first server, {@code 1230002}
 * is the third server at its cursor 123, and a server's last page moves the cursor to the next server's start
 * ({@code index + 1}); the last server's last page returns {@code 0}. So each server's guarantee carries over: a
 * key present for the whole scan is returned at least once. A page may be empty while the cursor moves on.
 *
 * <p>A cursor rproxy cannot decode (not a number, or an index past the pool's servers) is an error, never a
 * silent restart. Immutable; called on client threads.
 */
final class PoolScan implements WholePool {
    /** The base of the server index in a pool cursor: its last four decimal digits. */
    static final long SERVERS_PER_CURSOR = 10_000;
    private static final Reply INVALID_CURSOR = Reply.error("ERR invalid cursor");

    @Override
    public PendingReply send(RespCommand command, Pool pool, Sender sender) {
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(command.argString(1));
        } catch (NumberFormatException e) {
            return PendingReply.of(INVALID_CURSOR); // Redis's own reply to SCAN foo
        }
        Targets targets = pool.targets();
        List<Integer> every = targets.everyTarget();
        int index = (int) Long.remainderUnsigned(cursor, SERVERS_PER_CURSOR);
        if (index >= every.size()) {
            return PendingReply.of(ProxyError.of("invalid cursor " + Long.toUnsignedString(cursor) + ": it names "
                    + "server " + index + " (its last four digits) of a pool of " + every.size() + "; start again "
                    + "with 0"));
        }
        long serverCursor = Long.divideUnsigned(cursor, SERVERS_PER_CURSOR);
        List<byte[]> args = new ArrayList<>(command.argCount());
        for (int i = 0; i < command.argCount(); i++) {
            args.add(i == 1 ? Long.toUnsignedString(serverCursor).getBytes(StandardCharsets.US_ASCII)
                    : command.arg(i));
        }
        int target = every.get(index);
        String server = targets.describeServer(target);
        PendingReply part = targets.send(target, RespCommand.of(args).frame(), sender);
        int servers = every.size();
        return () -> page(part, index, servers, server);
    }

    private static Reply page(PendingReply part, int index, int servers, String server) {
        Reply reply = part.await();
        if (reply.isError()) {
            return Splitter.namingServer(reply, server);
        }
        try {
            List<Reply> elements = reply.type() == '*' && !reply.isNull() ? reply.elements() : null;
            if (elements == null || elements.size() != 2 || elements.get(0).type() != '$'
                    || elements.get(1).type() != '*') {
                throw new ProtocolException("expected [cursor, keys], got " + reply);
            }
            long next = Long.parseUnsignedLong(new String(elements.get(0).bulkValue(), StandardCharsets.US_ASCII));
            String cursor = poolCursor(next, index, servers);
            if (cursor == null) {
                return ProxyError.of(server + ": its SCAN cursor " + Long.toUnsignedString(next) + " is too large for"
                        + " a pool cursor");
            }
            return Reply.array(List.of(Reply.bulk(cursor.getBytes(StandardCharsets.US_ASCII)), elements.get(1)));
        } catch (ProtocolException | NumberFormatException e) {
            String message = "malformed reply to SCAN: " + e.getMessage();
            part.misaligned(message);
            return ProxyError.of(server + ": " + message);
        }
    }

    /** The cursor for the client after server {@code index} answered {@code next}; null when it cannot fit. */
    static String poolCursor(long next, int index, int servers) {
        if (next == 0) {
            return index + 1 == servers ? "0" : Integer.toString(index + 1);
        }
        if (Long.compareUnsigned(next, Long.divideUnsigned(-1L - index, SERVERS_PER_CURSOR)) > 0) {
            return null;
        }
        return Long.toUnsignedString(next * SERVERS_PER_CURSOR + index);
    }
}
