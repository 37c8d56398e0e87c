package io.rproxy.proxy;

import io.rproxy.backend.PendingReply;
import io.rproxy.backend.ProxyError;
import io.rproxy.backend.Sender;
import io.rproxy.backend.Targets;
import io.rproxy.command.CommandClasses;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The commands of class {@code channel} in command-classes.tsv: they name pub/sub channels, which live on one
 * server each, placed as keys are (same hash, distribution and hash tag; a cluster pool's slot), though Redis's
 * command table does not call them keys. Each shape of {@link CommandClasses#CHANNEL_SHAPES} is one method:
 * {@code publish} sends the command to its channel's server (a subscriber of rproxy subscribes there), whose
 * reply is the receiver count; {@code numsub} asks each channel's server for its channels' counts and gives the
 * pairs back in the caller's order.
 *
 * <p>Stateless; called on client threads.
 */
final class ChannelCommands {
    /** Where the channels of {@code PUBSUB NUMSUB channel ...} start. */
    private static final int NUMSUB_FIRST = 2;

    private ChannelCommands() {
    }

    static PendingReply send(String shape, RespCommand command, Pool pool, Sender sender) {
        return switch (shape) {
            case "publish" -> publish(command, pool, sender);
            case "numsub" -> numsub(command, pool, sender);
            default -> throw new IllegalArgumentException("unknown channel shape '" + shape + "'");
        };
    }

    /** Where a command of this shape names its channels: they are routed as keys wherever it runs. */
    static int[] channelArgs(String shape, RespCommand command) {
        return switch (shape) {
            case "publish" -> new int[] {1};
            case "numsub" -> IntStream.range(NUMSUB_FIRST, command.argCount()).toArray();
            default -> throw new IllegalArgumentException("unknown channel shape '" + shape + "'");
        };
    }

    /** PUBLISH channel message: to the channel's server, untouched. */
    private static PendingReply publish(RespCommand command, Pool pool, Sender sender) {
        int server = pool.route(command.frame(), command.argOffset(1), command.argLength(1));
        if (server == Targets.NONE) {
            return PendingReply.of(Errors.noServer(pool.name()));
        }
        return pool.targets().send(server, command.frame(), sender);
    }

    /** PUBSUB NUMSUB channel ...: one part per server holding some of the channels, pairs merged in order. */
    private static PendingReply numsub(RespCommand command, Pool pool, Sender sender) {
        int channels = command.argCount() - NUMSUB_FIRST;
        if (channels == 0) {
            return pool.targets().send(pool.targets().any(0), command.frame(), sender); // an empty array
        }
        int[] partOf = new int[channels];
        List<Integer> servers = new ArrayList<>();
        List<List<byte[]>> args = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            int arg = NUMSUB_FIRST + c;
            int server = pool.route(command.frame(), command.argOffset(arg), command.argLength(arg));
            if (server == Targets.NONE) {
                return PendingReply.of(Errors.noServer(pool.name()));
            }
            int part = servers.indexOf(server);
            if (part < 0) {
                part = servers.size();
                servers.add(server);
                args.add(new ArrayList<>(List.of(command.arg(0), command.arg(1))));
            }
            partOf[c] = part;
            args.get(part).add(command.arg(arg));
        }
        if (servers.size() == 1) {
            return pool.targets().send(servers.getFirst(), command.frame(), sender);
        }
        PendingReply[] parts = new PendingReply[servers.size()];
        String[] names = new String[parts.length];
        pool.stats().fragments(parts.length);
        for (int p = 0; p < parts.length; p++) {
            names[p] = pool.targets().describe(servers.get(p));
            parts[p] = pool.targets().send(servers.get(p), RespCommand.of(args.get(p)).frame(), sender);
        }
        return () -> mergeNumsub(parts, names, partOf);
    }

    /** Each server's [channel, count, ...] pairs, taken in the caller's channel order. */
    private static Reply mergeNumsub(PendingReply[] parts, String[] servers, int[] partOf) {
        Reply[] replies = new Reply[parts.length];
        for (int p = 0; p < parts.length; p++) {
            replies[p] = parts[p].await();
        }
        int[] channelsOf = new int[parts.length];
        for (int part : partOf) {
            channelsOf[part]++;
        }
        List<Reply> failures = new ArrayList<>();
        List<List<Reply>> elements = new ArrayList<>();
        for (int p = 0; p < parts.length; p++) {
            elements.add(null);
            if (replies[p].isError()) {
                failures.add(Splitter.namingServer(replies[p], servers[p]));
                continue;
            }
            try {
                List<Reply> pairs = replies[p].type() == '*' ? replies[p].elements() : null;
                if (pairs == null || pairs.size() != 2 * channelsOf[p]) {
                    throw new ProtocolException("expected " + channelsOf[p] + " channel-count pairs, got "
                            + replies[p]);
                }
                elements.set(p, pairs);
            } catch (ProtocolException e) {
                String message = "malformed reply to its part of PUBSUB NUMSUB: " + e.getMessage();
                parts[p].misaligned(message);
                failures.add(ProxyError.of(servers[p] + ": " + message));
            }
        }
        if (!failures.isEmpty()) {
            return EveryServer.oneError(replies, failures, "PUBSUB NUMSUB");
        }
        List<Reply> merged = new ArrayList<>(2 * partOf.length);
        int[] next = new int[parts.length];
        for (int part : partOf) {
            merged.add(elements.get(part).get(next[part]++));
            merged.add(elements.get(part).get(next[part]++));
        }
        return Reply.array(merged);
    }
}
