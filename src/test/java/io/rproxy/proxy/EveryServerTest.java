package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.backend.ProxyError;
import io.rproxy.proxy.EveryServer.Merge;
import io.rproxy.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The merges of whole-pool commands, and the one error a client gets when parts fail. */
class EveryServerTest {
    private static final String[] SERVERS = {"redis1 (a:1)", "redis2 (b:2)", "redis3 (c:3)"};

    @Test
    void mergesAsEachShapeSays() {
        assertEquals(Reply.integer(6), Merge.SUM.merge(ints(1, 2, 3), SERVERS, "dbsize"));
        assertEquals(Reply.integer(1), Merge.MIN.merge(ints(3, 1, 2), SERVERS, "lastsave"));
        Reply slow = Merge.SLOWLOG.merge(new Reply[] {
            Reply.array(List.of(entry(5, 100, "get"), entry(4, 90, "set"))), Reply.array(List.of()),
            Reply.array(List.of(entry(9, 95, "del")))}, SERVERS, "slowlog|get");
        assertEquals(List.of(100L, 95L, 90L), slow.elements().stream().map(e -> e.elements().get(1).integer()).toList(),
                "newest first over the servers");
        assertEquals(bulk(SERVERS[2]), slow.elements().get(1).elements().get(6), "each entry names its server");
        assertEquals(7, slow.elements().get(0).elements().size());
        assertTrue(Merge.MIN.misfit(Reply.OK).startsWith("expected an integer"));
        assertEquals(Reply.OK, Merge.ALL_OK.merge(new Reply[] {Reply.OK, Reply.OK, Reply.OK}, SERVERS, "flushdb"));
        assertEquals(Reply.array(List.of(bulk("a"), bulk("b"), bulk("c"))), Merge.CONCAT.merge(new Reply[] {
            Reply.array(List.of(bulk("a"))), Reply.array(List.of()), Reply.array(List.of(bulk("b"), bulk("c")))},
                SERVERS, "keys"));
        assertEquals(bulk("sha"), Merge.SAME.merge(new Reply[] {bulk("sha"), bulk("sha"), bulk("sha")}, SERVERS, "x"));
        Reply differ = Merge.SAME.merge(new Reply[] {bulk("sha"), bulk("sha"), bulk("other")}, SERVERS, "script");
        assertTrue(ProxyError.isProxyMade(differ) && differ.errorMessage().contains("redis3"), differ.toString());
        Reply exists = Merge.AND.merge(new Reply[] {array(1, 1, 0), array(1, 0, 0), array(1, 1, 1)}, SERVERS, "x");
        assertEquals(array(1, 0, 0), exists);
        assertEquals(Reply.NULL_BULK, Merge.RANDOM.merge(new Reply[] {Reply.NULL_BULK, Reply.NULL_BULK}, SERVERS,
                "randomkey"));
        assertEquals(bulk("k"), Merge.RANDOM.merge(new Reply[] {Reply.NULL_BULK, bulk("k"), Reply.NULL_BULK},
                SERVERS, "randomkey"));
        assertNull(Merge.SUM.misfit(Reply.integer(1)));
        assertTrue(Merge.ALL_OK.misfit(Reply.integer(1)).startsWith("expected +OK"));
    }

    @Test
    void failedPartsGiveOneErrorNamingEachServer() {
        Reply down = ProxyError.of("redis2 (b:2): connection refused");
        Reply oom = Reply.error("OOM command not allowed");
        Reply[] replies = {Reply.OK, down, oom};
        List<Reply> failures = List.of(Splitter.namingServer(down, SERVERS[1]), Splitter.namingServer(oom, SERVERS[2]));
        assertEquals(Reply.error("ERR rproxy: flushdb failed on 2 of 3 servers: ERR rproxy: redis2 (b:2): connection "
                + "refused; OOM rproxy: redis3 (c:3): command not allowed"),
                EveryServer.oneError(replies, failures, "flushdb"));
        assertEquals(failures.get(1), EveryServer.oneError(new Reply[] {Reply.OK, Reply.OK, oom},
                List.of(failures.get(1)), "flushdb"), "one failure: its error, naming its server");
        Reply syntax = Reply.error("ERR syntax error");
        assertEquals(syntax, EveryServer.oneError(new Reply[] {syntax, syntax, syntax},
                List.of(syntax, syntax, syntax), "flushdb"), "the same error from every server, as it is");
    }

    private static Reply[] ints(long... values) {
        Reply[] out = new Reply[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Reply.integer(values[i]);
        }
        return out;
    }

    private static Reply array(long... values) {
        return Reply.array(List.of(ints(values)));
    }

    private static Reply bulk(String text) {
        return Reply.bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A slow log entry as Redis 7.0 gives it: id, time, microseconds, arguments, client address, client name. */
    private static Reply entry(long id, long time, String command) {
        return Reply.array(List.of(Reply.integer(id), Reply.integer(time), Reply.integer(12),
                Reply.array(List.of(bulk(command))), bulk("127.0.0.1:5000"), bulk("")));
    }
}
