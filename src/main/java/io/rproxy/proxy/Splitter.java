package io.rproxy.proxy;

import io.rproxy.command.CommandClasses;
import io.rproxy.backend.PendingReply;
import io.rproxy.backend.ProxyError;
import io.rproxy.backend.Sender;
import io.rproxy.backend.Targets;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.util.Arrays;

/**
 * A multi-key command whose keys may live on several servers (MGET, MSET, DEL, ...): sent as one command per
 * server holding some of its keys, the parts' replies merged into the one reply the client expects. Each fan-out
 * shape is one subclass, which says how its parts' replies merge.
 *
 * <p>When every key lives on one server the client's frame is forwarded untouched, as any keyed command is.
 */
abstract class Splitter {
    /** Arguments per key: 1 for MGET/DEL (keys only), 2 for MSET (key, value). */
    private final int argsPerKey;

    Splitter(int argsPerKey) {
        this.argsPerKey = argsPerKey;
    }

    /** The splitter for a merge of {@link CommandClasses#SPLIT_MERGES}. */
    static Splitter of(String merge) {
        return switch (merge) {
            case "in-order" -> new MultiGet();
            case "all-ok" -> new MultiSet();
            case "sum" -> new KeyCount();
            default -> throw new IllegalArgumentException("unknown merge '" + merge + "'");
        };
    }

    /** True when the argument count fits the shape (MSET needs whole key-value pairs). */
    boolean argCountFits(int argCount) {
        return argCount > 1 && (argCount - 1) % argsPerKey == 0;
    }

    /**
     * Merges the parts' replies, none of which is an error and each of which has the shape {@link #misfit} checks.
     *
     * @param parts      one reply per server involved, in order of each server's first key
     * @param partOfKey  for the i-th key of the command, the index of the part that carried it
     */
    abstract Reply merge(Reply[] parts, int[] partOfKey);

    /**
     * Why a part's reply cannot answer the part that was sent (keys to that server), or null when it can: an
     * MGET part one element short, an MSET part that did not say +OK. Such a reply is a server out of step.
     */
    abstract String misfit(Reply part, int keys);

    /** @param commandName the command's full name, for the errors of a malformed part's reply */
    final PendingReply split(RespCommand command, Pool pool, Sender sender, String commandName) {
        int keyCount = (command.argCount() - 1) / argsPerKey;
        int[] serverOfKey = new int[keyCount];
        boolean oneServer = true;
        for (int k = 0; k < keyCount; k++) {
            int arg = 1 + k * argsPerKey;
            serverOfKey[k] = pool.route(command.frame(), command.argOffset(arg), command.argLength(arg));
            if (serverOfKey[k] == Targets.NONE) {
                return PendingReply.of(Errors.noServer(pool.name()));
            }
            oneServer &= serverOfKey[k] == serverOfKey[0];
        }
        if (oneServer) {
            return pool.targets().send(serverOfKey[0], command.frame(), sender);
        }
        return fanOut(command, pool, sender, serverOfKey, commandName);
    }

    /**
     * Sends one part per server, each built straight from the client's frame (its name, then the arguments of
     * the keys that server holds, in the client's order). Arrays, not collections: this runs for every MGET and
     * MSET whose keys span servers, and their boxing and copies once cost more than the rest of the request.
     */
    private PendingReply fanOut(RespCommand command, Pool pool, Sender sender, int[] serverOfKey,
                                String commandName) {
        int keyCount = serverOfKey.length;
        int[] partOfKey = new int[keyCount];
        int[] serverOfPart = new int[keyCount];
        int parts = 0;
        for (int k = 0; k < keyCount; k++) {
            int part = 0;
            while (part < parts && serverOfPart[part] != serverOfKey[k]) {
                part++; // a handful of servers at most: a scan beats a map
            }
            if (part == parts) {
                serverOfPart[parts++] = serverOfKey[k];
            }
            partOfKey[k] = part;
        }
        int[] keysOfPart = new int[parts];
        for (int part : partOfKey) {
            keysOfPart[part]++;
        }
        Targets targets = pool.targets();
        PendingReply[] requests = new PendingReply[parts];
        pool.stats().fragments(parts);
        int[] args = new int[1 + keyCount * argsPerKey];
        for (int p = 0; p < parts; p++) {
            int n = 1; // args[0] is the command's name
            for (int k = 0; k < keyCount; k++) {
                if (partOfKey[k] == p) {
                    for (int a = 0; a < argsPerKey; a++) {
                        args[n++] = 1 + k * argsPerKey + a;
                    }
                }
            }
            requests[p] = targets.send(serverOfPart[p], command.frameOf(args, n), sender);
        }
        int[] servers = Arrays.copyOf(serverOfPart, parts);
        return () -> mergeWhenDone(requests, targets, servers, partOfKey, keysOfPart, commandName);
    }

    /**
     * Awaits every part (a client's later requests may be queued behind them), then merges or fails as one. The
     * servers are named only when one failed.
     */
    private Reply mergeWhenDone(PendingReply[] requests, Targets targets, int[] servers, int[] partOfKey,
                                int[] keysOfPart, String commandName) {
        Reply[] replies = new Reply[requests.length];
        for (int p = 0; p < requests.length; p++) {
            replies[p] = requests[p].await();
        }
        Reply firstError = null;
        for (int p = 0; p < requests.length; p++) {
            Reply failure = replies[p].isError() ? namingServer(replies[p], targets.describe(servers[p]))
                    : malformed(requests[p], replies[p], keysOfPart[p], targets, servers[p], commandName);
            if (failure != null && firstError == null) {
                firstError = failure;
            }
        }
        return firstError != null ? firstError : merge(replies, partOfKey);
    }

    /**
     * Null when the part's reply fits; else the client's error naming the server, after the connection the
     * reply came on is closed as misaligned (its later replies could belong to other requests).
     */
    private Reply malformed(PendingReply request, Reply reply, int keys, Targets targets, int target,
                            String commandName) {
        String why;
        try {
            why = misfit(reply, keys);
        } catch (ProtocolException e) {
            why = e.getMessage();
        }
        if (why == null) {
            return null;
        }
        String message = "malformed reply to its part of " + commandName + " (" + keys + " keys): " + why;
        request.misaligned(message);
        return ProxyError.of(targets.describe(target) + ": " + message);
    }

    /**
     * A part's error as the client sees it: the server is named, or the client could not tell which of the
     * servers failed. The error code stays first ({@code OOM rproxy: redis2 (127.0.0.1:6380): command not
     * allowed ...}) so clients that act on codes still can; the proxy's own connection errors name it already.
     */
    static Reply namingServer(Reply error, String server) {
        if (ProxyError.isProxyMade(error)) {
            return error;
        }
        String message = error.errorMessage();
        int space = message.indexOf(' ');
        String code = space < 0 ? message : message.substring(0, space);
        String rest = space < 0 ? "" : message.substring(space + 1);
        return Reply.error(code + " rproxy: " + server + ": " + rest);
    }

    /** MGET: one array, values in the caller's key order. */
    static final class MultiGet extends Splitter {
        MultiGet() {
            super(1);
        }

        @Override
        Reply merge(Reply[] parts, int[] partOfKey) {
            return Reply.interleave(parts, partOfKey); // the values copied as they came, in the client's order
        }

        @Override
        String misfit(Reply part, int keys) {
            if (part.type() != '*' || part.isNull()) {
                return "expected an array, got " + part;
            }
            long size = part.arrayLength(); // the reader has walked the elements: the count is the shape
            return size == keys ? null : "an array of " + size + " elements";
        }
    }

    /** MSET: +OK once every part said +OK. */
    static final class MultiSet extends Splitter {
        MultiSet() {
            super(2);
        }

        @Override
        Reply merge(Reply[] parts, int[] partOfKey) {
            return Reply.OK;
        }

        @Override
        String misfit(Reply part, int keys) {
            return part == Reply.OK || part.equals(Reply.OK) ? null : "expected +OK, got " + part;
        }
    }

    /** DEL, UNLINK, EXISTS, TOUCH: the parts' integers summed. */
    static final class KeyCount extends Splitter {
        KeyCount() {
            super(1);
        }

        @Override
        Reply merge(Reply[] parts, int[] partOfKey) {
            long sum = 0;
            for (Reply part : parts) {
                sum += part.integer();
            }
            return Reply.integer(sum);
        }

        @Override
        String misfit(Reply part, int keys) {
            if (part.type() != ':') {
                return "expected an integer, got " + part;
            }
            long count = part.integer();
            return count >= 0 && count <= keys ? null : "a count of " + count;
        }
    }
}
