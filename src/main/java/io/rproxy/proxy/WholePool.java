package io.rproxy.proxy;

import io.rproxy.backend.PendingReply;
import io.rproxy.backend.Sender;
import io.rproxy.command.CommandClasses;
import io.rproxy.resp.RespCommand;

/**
 * A keyless command for the whole pool (class {@code all} of {@code command-classes.tsv}): how it uses the pool's
 * servers is its shape, one class per shape, named by the class table's detail column: {@link EveryServer} sends
 * it to every server and merges the replies, {@link PoolScan} walks the servers one SCAN page at a time,
 * {@link ConfigGet} asks one server and puts rproxy's own values in, {@link PoolInfo} adds the servers' Keyspace
 * to rproxy's own INFO, {@link SlowlogGet} merges the servers' slow logs.
 *
 * <p>Immutable; called on client threads.
 */
interface WholePool {
    /** Sends the command; the reply is merged when awaited, on the client's own thread. */
    PendingReply send(RespCommand command, Pool pool, Sender sender);

    /**
     * The shape for a detail of {@link CommandClasses#ALL_SHAPES}.
     *
     * @param info the pool's INFO sections of its own, for the {@code info} shape
     */
    static WholePool of(String shape, InfoCommand info) {
        return switch (shape) {
            case "scan" -> new PoolScan();
            case "config" -> new ConfigGet();
            case "info" -> new PoolInfo(info);
            case "slowlog" -> new SlowlogGet();
            default -> new EveryServer(EveryServer.Merge.of(shape));
        };
    }
}
