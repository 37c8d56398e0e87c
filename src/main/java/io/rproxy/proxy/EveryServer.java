package io.rproxy.proxy;

import io.rproxy.backend.PendingReply;
import io.rproxy.backend.ProxyError;
import io.rproxy.backend.Sender;
import io.rproxy.backend.Targets;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A keyless command every server of the pool must run (FLUSHDB, DBSIZE, KEYS, SCRIPT LOAD, ...): the client's
 * frame is sent unchanged to each server ({@link Targets#everyTarget}), and the replies merge as the command's
 * {@link Merge} says. When a part fails (an error, or a reply of the wrong shape) the client gets one error naming
 * every server that failed; the other parts have run (a FLUSHALL with one server down has emptied the others).
 * When every server answered with the same error (a syntax error, NOTBUSY), that error is passed through as it is.
 *
 * <p>Immutable; called on client threads.
 */
final class EveryServer implements WholePool {
    /** How the servers' replies become one; each checks its parts' shape first. */
    enum Merge {
        /** +OK once every server said +OK. */
        ALL_OK,
        /** +OK when at least one server said +OK (SCRIPT KILL: only the busy server kills). */
        ANY_OK,
        /** The integers summed. */
        SUM,
        /**
         * The largest integer: PUBSUB NUMPAT, since rproxy subscribes a client's pattern on every server and a sum
         * would count it once per server.
         */
        MAX,
        /** The arrays joined, in server order. */
        CONCAT,
        /** The arrays joined, each element once (PUBSUB CHANNELS: a channel another client subscribed to twice). */
        UNION,
        /** Every server's reply, which must be the same (SCRIPT LOAD's SHA1). */
        SAME,
        /** Arrays of 0/1 of one length, 1 where every server said 1 (SCRIPT EXISTS). */
        AND,
        /** A random non-null reply, null when every server's was (RANDOMKEY: a random non-empty server). */
        RANDOM,
        /** The smallest integer (LASTSAVE: the pool is saved as of its server saved longest ago). */
        MIN,
        /** SLOWLOG GET's entries of every server, newest first, each with its server appended (SlowlogGet). */
        SLOWLOG;

        static Merge of(String detail) {
            return valueOf(detail.replace('-', '_').toUpperCase(Locale.ROOT));
        }

        /** Why a (non-error) reply does not fit, or null when it does. */
        String misfit(Reply part) {
            return switch (this) {
                case ALL_OK, ANY_OK -> part.equals(Reply.OK) ? null : "expected +OK, got " + part;
                case SUM, MIN, MAX -> part.type() == ':' ? null : "expected an integer, got " + part;
                case CONCAT, UNION, AND, SLOWLOG -> part.type() == '*' && !part.isNull() ? null
                        : "expected an array, got " + part;
                case SAME -> null;
                case RANDOM -> part.type() == '$' ? null : "expected a bulk string, got " + part;
            };
        }

        /** Merges replies that all fit; may still return an error (servers that disagree). */
        Reply merge(Reply[] parts, String[] servers, String command) {
            return switch (this) {
                case ALL_OK, ANY_OK -> Reply.OK;
                case MIN -> {
                    long min = Long.MAX_VALUE;
                    for (Reply part : parts) {
                        min = Math.min(min, part.integer());
                    }
                    yield Reply.integer(min);
                }
                case SUM -> {
                    long sum = 0;
                    for (Reply part : parts) {
                        sum += part.integer();
                    }
                    yield Reply.integer(sum);
                }
                case MAX -> {
                    long max = 0;
                    for (Reply part : parts) {
                        max = Math.max(max, part.integer());
                    }
                    yield Reply.integer(max);
                }
                case CONCAT -> {
                    List<Reply> all = new ArrayList<>();
                    for (Reply part : parts) {
                        all.addAll(part.elements());
                    }
                    yield Reply.array(all);
                }
                case UNION -> {
                    java.util.Set<Reply> all = new java.util.LinkedHashSet<>();
                    for (Reply part : parts) {
                        all.addAll(part.elements());
                    }
                    yield Reply.array(List.copyOf(all));
                }
                case SAME -> same(parts, servers, command);
                case SLOWLOG -> SlowlogGet.tagged(parts, servers);
                case AND -> and(parts, servers, command);
                case RANDOM -> {
                    List<Reply> found = new ArrayList<>();
                    for (Reply part : parts) {
                        if (!part.isNull()) {
                            found.add(part);
                        }
                    }
                    yield found.isEmpty() ? Reply.NULL_BULK
                            : found.get(ThreadLocalRandom.current().nextInt(found.size()));
                }
            };
        }

        private static Reply same(Reply[] parts, String[] servers, String command) {
            for (int p = 1; p < parts.length; p++) {
                if (!parts[p].equals(parts[0])) {
                    return ProxyError.of("the servers answered " + command + " differently: " + servers[0] + " "
                            + parts[0] + ", " + servers[p] + " " + parts[p]);
                }
            }
            return parts[0];
        }

        private static Reply and(Reply[] parts, String[] servers, String command) {
            List<Reply> first = parts[0].elements();
            long[] all = new long[first.size()];
            java.util.Arrays.fill(all, 1);
            for (int p = 0; p < parts.length; p++) {
                List<Reply> elements = parts[p].elements();
                if (elements.size() != all.length) {
                    return ProxyError.of(servers[p] + ": " + command + " answered " + elements.size()
                            + " elements, " + servers[0] + " " + all.length);
                }
                for (int i = 0; i < all.length; i++) {
                    all[i] = Math.min(all[i], elements.get(i).integer() == 1 ? 1 : 0);
                }
            }
            List<Reply> merged = new ArrayList<>(all.length);
            for (long v : all) {
                merged.add(Reply.integer(v));
            }
            return Reply.array(merged);
        }
    }

    private final Merge merge;

    EveryServer(Merge merge) {
        this.merge = merge;
    }

    @Override
    public PendingReply send(RespCommand command, Pool pool, Sender sender) {
        Targets targets = pool.targets();
        List<Integer> every = targets.everyTarget();
        if (every.isEmpty()) {
            return PendingReply.of(Errors.noServer(pool.name()));
        }
        String[] servers = describeEach(targets, every);
        pool.stats().fragments(every.size());
        PendingReply[] parts = sendToEach(targets, every, command.frame(), sender);
        String name = command.name();
        return () -> mergeWhenDone(parts, servers, name);
    }

    /** Each target's name as errors give it, in the order of {@code every}. */
    static String[] describeEach(Targets targets, List<Integer> every) {
        String[] servers = new String[every.size()];
        for (int p = 0; p < servers.length; p++) {
            servers[p] = targets.describeServer(every.get(p));
        }
        return servers;
    }

    /** The same frame sent to each target, the replies pending in the order of {@code every}. */
    static PendingReply[] sendToEach(Targets targets, List<Integer> every, byte[] frame, Sender sender) {
        PendingReply[] parts = new PendingReply[every.size()];
        for (int p = 0; p < parts.length; p++) {
            parts[p] = targets.send(every.get(p), frame, sender);
        }
        return parts;
    }

    /** Awaits every part (a client's later requests may be queued behind them), then merges or fails as one. */
    private Reply mergeWhenDone(PendingReply[] requests, String[] servers, String command) {
        Reply[] replies = new Reply[requests.length];
        for (int p = 0; p < requests.length; p++) {
            replies[p] = requests[p].await();
        }
        if (merge == Merge.ANY_OK) {
            for (Reply reply : replies) {
                if (reply.equals(Reply.OK)) {
                    return Reply.OK;
                }
            }
        }
        List<Reply> failures = new ArrayList<>();
        for (int p = 0; p < requests.length; p++) {
            Reply failure = failure(requests[p], replies[p], servers[p], command);
            if (failure != null) {
                failures.add(failure);
            }
        }
        if (failures.isEmpty()) {
            try {
                return merge.merge(replies, servers, command);
            } catch (ProtocolException e) {
                return ProxyError.of("malformed reply to " + command + ": " + e.getMessage());
            } catch (IllegalArgumentException e) { // KEYS over many servers: more than one reply may hold
                return ProxyError.of("the merged reply to " + command + " is too large: " + e.getMessage());
            }
        }
        return oneError(replies, failures, command);
    }

    /** Null when the part's reply fits; else its error naming the server (a misfit closes its connection). */
    private Reply failure(PendingReply request, Reply reply, String server, String command) {
        if (reply.isError()) {
            return Splitter.namingServer(reply, server);
        }
        String why;
        try {
            why = merge.misfit(reply);
        } catch (ProtocolException e) {
            why = e.getMessage();
        }
        if (why == null) {
            return null;
        }
        String message = "malformed reply to " + command + ": " + why;
        request.misaligned(message);
        return ProxyError.of(server + ": " + message);
    }

    /**
     * The one error for the client: the servers' own error when every one sent the same (Redis's syntax error,
     * SCRIPT KILL's NOTBUSY); else the failures, each naming its server, the first's error code first.
     */
    static Reply oneError(Reply[] replies, List<Reply> failures, String command) {
        boolean allSame = failures.size() == replies.length;
        for (Reply reply : replies) {
            allSame &= reply != null && reply.isError() && reply.equals(replies[0]) && !ProxyError.isProxyMade(reply);
        }
        if (allSame) {
            return replies[0];
        }
        if (failures.size() == 1) {
            return failures.getFirst();
        }
        String first = failures.getFirst().errorMessage();
        String code = first.indexOf(' ') > 0 ? first.substring(0, first.indexOf(' ')) : "ERR";
        List<String> each = new ArrayList<>();
        for (Reply failure : failures) {
            each.add(failure.errorMessage());
        }
        return Reply.error(code + " rproxy: " + command + " failed on " + failures.size() + " of "
                + replies.length + " servers: " + String.join("; ", each));
    }
}
