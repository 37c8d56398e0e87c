package io.rproxy.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.config.HostPort;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What rproxy reads from sentinels: the messages it follows (payloads as redis-sentinel 7.0 publishes them, taken
 * from a real failover) and the answers to its two questions, and which answer wins when sentinels disagree.
 */
class SentinelRepliesTest {
    @Test
    void failoverMessagesAsSentinelPublishesThem() {
        assertEquals(new SentinelEvent(SentinelEvent.Kind.SWITCHED, "m1", new HostPort("127.0.0.1", 17002)),
                SentinelEvent.parse("+switch-master", "m1 127.0.0.1 17001 127.0.0.1 17002"));
        assertEquals(new SentinelEvent(SentinelEvent.Kind.SELECTED, "m1", new HostPort("127.0.0.1", 17002)),
                SentinelEvent.parse("+selected-slave", "slave 127.0.0.1:17002 127.0.0.1 17002 @ m1 127.0.0.1 17001"));
        assertEquals(new SentinelEvent(SentinelEvent.Kind.PROMOTED, "m1", new HostPort("127.0.0.1", 17002)),
                SentinelEvent.parse("+promoted-slave", "slave 127.0.0.1:17002 127.0.0.1 17002 @ m1 127.0.0.1 17001"));
        assertEquals(new SentinelEvent(SentinelEvent.Kind.ABORTED, "m1", new HostPort("127.0.0.1", 17001)),
                SentinelEvent.parse("-failover-abort-slave-timeout", "master m1 127.0.0.1 17001"));
        assertEquals(new SentinelEvent(SentinelEvent.Kind.ABORTED, "m1", new HostPort("127.0.0.1", 17001)),
                SentinelEvent.parse("-failover-abort-no-good-slave", "master m1 127.0.0.1 17001 3"));
    }

    @Test
    void whatIsNotAFailoverMessageIsIgnored() {
        assertNull(SentinelEvent.parse("+switch-master", "m1 127.0.0.1 17001 127.0.0.1"), "a field short");
        assertNull(SentinelEvent.parse("+switch-master", "m1 127.0.0.1 17001 127.0.0.1 port"), "a port not a number");
        assertNull(SentinelEvent.parse("+switch-master", "m1 127.0.0.1 17001 127.0.0.1 70000"), "a port past 65535");
        assertNull(SentinelEvent.parse("+selected-slave", "master m1 127.0.0.1 17001"), "not a replica's event");
        assertNull(SentinelEvent.parse("+sdown", "master m1 127.0.0.1 17001"), "not followed");
        assertNull(SentinelEvent.of(array("subscribe", "+switch-master").append(":1\r\n").toReply()));
        assertNull(SentinelEvent.of(array("pong", "").toReply()));
        assertEquals(SentinelEvent.Kind.SWITCHED, SentinelEvent.of(array("message", "+switch-master",
                "m1 127.0.0.1 1 127.0.0.1 2").toReply()).kind());
    }

    @Test
    void answersGiveTheAddressEpochAndWhetherAFailoverRuns() {
        SentinelAnswer answer = SentinelAnswer.of("m1", array("127.0.0.1", "17002").toReply(),
                array("name", "m1", "ip", "127.0.0.1", "flags", "master,failover_in_progress", "config-epoch", "3")
                        .toReply());
        assertTrue(answer.known());
        assertEquals(new HostPort("127.0.0.1", 17002), answer.address());
        assertEquals(3, answer.epoch());
        assertTrue(answer.failingOver());

        SentinelAnswer unknown = SentinelAnswer.of("nosuch", Reply.ofBytes("*-1\r\n".getBytes(StandardCharsets.UTF_8)),
                Reply.error("ERR No such master with that name"));
        assertFalse(unknown.known());
        assertEquals("does not know master 'nosuch'", unknown.problem());

        SentinelAnswer refused = SentinelAnswer.of("m1", Reply.error("NOAUTH Authentication required."),
                Reply.error("NOAUTH Authentication required."));
        assertEquals("answered -NOAUTH Authentication required. when asked about master 'm1' (is it a Sentinel?)",
                refused.problem());

        SentinelAnswer garbled = SentinelAnswer.of("m1", array("127.0.0.1").toReply(), array("flags", "master")
                .toReply());
        assertTrue(garbled.problem().startsWith("sent an answer about master 'm1' that rproxy cannot read"),
                garbled.problem());
    }

    /** A sentinel that has not heard of the last failover (a lower epoch) never wins, whatever its order. */
    @Test
    void theAnswerWithTheHighestEpochWins() {
        SentinelAnswer stale = new SentinelAnswer(new HostPort("127.0.0.1", 1), 4, false, null, false);
        SentinelAnswer fresh = new SentinelAnswer(new HostPort("127.0.0.1", 2), 5, false, null, false);
        SentinelAnswer unknown = new SentinelAnswer(null, 0, false, "does not know master 'm'", true);
        List<Sentinels.Polled> polled = List.of(new Sentinels.Polled(null, Map.of("m", stale)),
                new Sentinels.Polled(null, null), new Sentinels.Polled(null, Map.of("m", fresh)),
                new Sentinels.Polled(null, Map.of("m", unknown)));
        assertEquals(fresh, Sentinels.best(polled, "m"));
        assertNull(Sentinels.best(List.of(new Sentinels.Polled(null, null)), "m"));
    }

    private static Frame array(String... items) {
        return new Frame(items);
    }

    /** An array of bulk strings, with room for more elements appended raw. */
    private static final class Frame {
        private final StringBuilder body = new StringBuilder();
        private int count;

        Frame(String... items) {
            for (String item : items) {
                body.append('$').append(item.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(item)
                        .append("\r\n");
                count++;
            }
        }

        Frame append(String raw) {
            body.append(raw);
            count++;
            return this;
        }

        Reply toReply() {
            return Reply.ofBytes(("*" + count + "\r\n" + body).getBytes(StandardCharsets.UTF_8));
        }
    }
}
