package io.rproxy.sentinel;

import io.rproxy.config.HostPort;
import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What one sentinel says of one master: {@code SENTINEL GET-MASTER-ADDR-BY-NAME} (the address clients should use,
 * which is the promoted replica's once a failover has promoted it) and {@code SENTINEL MASTER} (its config epoch,
 * which tells a sentinel that has not heard of the last failover yet from one that has, and its flags, which say
 * whether this sentinel is failing it over now), asked in one round trip.
 *
 * @param address  null unless {@link #known}
 * @param epoch    the master's config epoch: it grows with each failover, so the answer with the highest wins
 * @param failingOver the sentinel is failing the master over now ({@code failover_in_progress})
 * @param problem  why the answer is not usable: the master is unknown to it, or the sentinel answered an error;
 *                 null when {@link #known}
 */
record SentinelAnswer(HostPort address, long epoch, boolean failingOver, String problem, boolean unknownMaster) {
    /** The two commands that ask about {@code master}, in the order {@link #of} reads their replies. */
    static List<RespCommand> questions(String master) {
        return List.of(RespCommand.of("SENTINEL", "GET-MASTER-ADDR-BY-NAME", master),
                RespCommand.of("SENTINEL", "MASTER", master));
    }

    boolean known() {
        return problem == null;
    }

    /** Reads the replies to {@link #questions}; never throws: what it cannot read is a problem. */
    static SentinelAnswer of(String master, Reply addressReply, Reply masterReply) {
        try {
            if (addressReply.isNull() || isNoSuchMaster(masterReply)) {
                return new SentinelAnswer(null, 0, false, "does not know master '" + master + "'", true);
            }
            if (addressReply.isError() || masterReply.isError()) {
                Reply error = addressReply.isError() ? addressReply : masterReply;
                return new SentinelAnswer(null, 0, false, "answered -" + error.errorMessage()
                        + " when asked about master '" + master + "' (is it a Sentinel?)", false);
            }
            List<Reply> ipPort = addressReply.elements();
            if (ipPort.size() != 2) {
                throw new ProtocolException("expected [ip, port], got " + addressReply);
            }
            HostPort address = new HostPort(text(ipPort.get(0)), Integer.parseInt(text(ipPort.get(1))));
            List<Reply> fields = masterReply.elements();
            long epoch = -1;
            boolean failingOver = false;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                switch (text(fields.get(i))) {
                    case "config-epoch" -> epoch = Long.parseLong(text(fields.get(i + 1)));
                    case "flags" -> failingOver = List.of(text(fields.get(i + 1)).split(","))
                            .contains("failover_in_progress");
                    default -> { } // the rest describes the master for people
                }
            }
            if (epoch < 0) {
                throw new ProtocolException("SENTINEL MASTER has no config-epoch");
            }
            return new SentinelAnswer(address, epoch, failingOver, null, false);
        } catch (ProtocolException | IllegalArgumentException e) {
            return new SentinelAnswer(null, 0, false, "sent an answer about master '" + master + "' that rproxy"
                    + " cannot read: " + e.getMessage(), false);
        }
    }

    private static boolean isNoSuchMaster(Reply reply) {
        return reply.isError() && reply.errorMessage().contains("No such master");
    }

    private static String text(Reply reply) {
        byte[] value = reply.type() == '$' ? reply.bulkValue() : null;
        if (value == null) {
            throw new ProtocolException("expected a bulk string, got " + reply);
        }
        return new String(value, StandardCharsets.UTF_8);
    }
}
