package io.rproxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.config.HostPort;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespReader;
import io.rproxy.resp.RespLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CLUSTER SLOTS replies as redis-server 7.0 sends them, and the redirections nodes answer with. */
class SlotMapTest {
    private static Reply reply(String resp) throws IOException {
        return new RespReader(new ByteArrayInputStream(resp.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)),
                RespLimits.DEFAULT).readReply();
    }

    private static String node(String host, int port, String id) {
        return "*4\n$" + host.length() + "\n" + host + "\n:" + port + "\n$" + id.length() + "\n" + id + "\n*0\n";
    }

    /** Three masters, one replica each; the first master's range in two rows, the way a reshard leaves it. */
    private static final String THREE_MASTERS = "*4\n"
            + "*4\n:0\n:5460\n" + node("127.0.0.1", 7000, "a") + node("127.0.0.1", 7003, "d")
            + "*4\n:5461\n:10922\n" + node("127.0.0.1", 7001, "b") + node("127.0.0.1", 7004, "e")
            + "*4\n:10923\n:16383\n" + node("127.0.0.1", 7002, "c") + node("127.0.0.1", 7005, "f")
            + "*3\n:5461\n:5461\n" + node("127.0.0.1", 7000, "a");

    @Test
    void everySlotHasItsMasterAndNodesTheirRanges() throws IOException {
        String text = THREE_MASTERS.replace("*4\n:5461\n:10922\n", "*4\n:5462\n:10922\n");
        SlotMap map = SlotMap.parse(reply(text), "127.0.0.1");
        assertEquals(new HostPort("127.0.0.1", 7000), map.owner(0));
        assertEquals(new HostPort("127.0.0.1", 7000), map.owner(5461));
        assertEquals(new HostPort("127.0.0.1", 7001), map.owner(5462));
        assertEquals(new HostPort("127.0.0.1", 7002), map.owner(16383));
        assertEquals(0, map.unserved());
        assertEquals(List.of(7000, 7001, 7002), map.masters().stream().map(HostPort::port).toList());
        SlotMap.Node first = map.nodes().get(0);
        assertEquals(SlotMap.Role.MASTER, first.role());
        assertEquals("[0-5461]", first.slots().toString(), "adjacent rows are joined");
        assertEquals(6, map.nodes().size());
        assertEquals(SlotMap.Role.REPLICA, map.nodes().get(3).role());
        assertEquals("[0-5460]", map.nodes().get(3).slots().toString());
    }

    @Test
    void aNodeThatDoesNotKnowItsHostIsTheOneAsked() throws IOException {
        SlotMap map = SlotMap.parse(reply("*1\n*3\n:0\n:16383\n" + node("", 7000, "a")), "10.0.0.5");
        assertEquals(new HostPort("10.0.0.5", 7000), map.owner(42));
    }

    @Test
    void slotsNobodyServesHaveNoOwner() throws IOException {
        SlotMap map = SlotMap.parse(reply("*1\n*3\n:0\n:99\n" + node("127.0.0.1", 7000, "a")), "127.0.0.1");
        assertNull(map.owner(100));
        assertEquals(16384 - 100, map.unserved());
        assertEquals(0, SlotMap.parse(reply("*0\n"), "127.0.0.1").masters().size());
    }

    @Test
    void errorsAndGarbageAreRefused() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SlotMap.parse(
                reply("-ERR This instance has cluster support disabled\n"), "127.0.0.1"));
        assertTrue(e.getMessage().contains("cluster support disabled"));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.parse(reply("+OK\n"), "h"));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.parse(reply("*1\n*2\n:0\n:5\n"), "h"));
        assertThrows(IllegalArgumentException.class,
                () -> SlotMap.parse(reply("*1\n*3\n:0\n:16384\n" + node("h", 1, "a")), "h"));
    }
}
