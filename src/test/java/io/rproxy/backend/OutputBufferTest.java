package io.rproxy.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.resp.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The accounting of unread replies: charged as they land, released when taken, closed once, total bounded. */
class OutputBufferTest {
    private final List<String> disconnected = new ArrayList<>();

    private OutputBuffer open(OutputBuffers all, String name, long limit) {
        OutputBuffer buffer = all.newBuffer(limit, (why, held) -> disconnected.add(name + " " + why + " " + held));
        buffer.open();
        return buffer;
    }

    @Test
    void chargedAsRepliesLandAndReleasedWhenTaken() {
        OutputBuffers all = new OutputBuffers(0);
        OutputBuffer buffer = open(all, "a", 100);
        BackendRequest request = new BackendRequest(new byte[0]);
        request.chargeTo(buffer);
        Reply reply = Reply.ofBytes("$3\r\nabc\r\n".getBytes());

        assertTrue(request.complete(reply));
        assertEquals(9, buffer.held());
        assertEquals(9, all.bytes());
        assertSame(reply, request.await());
        request.await(); // a second await releases nothing more
        assertEquals(0, buffer.held());
        assertEquals(0, all.bytes());
    }

    @Test
    void aSecondCompletionIsNotCharged() {
        OutputBuffers all = new OutputBuffers(0);
        OutputBuffer buffer = open(all, "a", 100);
        BackendRequest request = new BackendRequest(new byte[0]);
        request.chargeTo(buffer);

        assertTrue(request.complete(Reply.ofBytes("+OK\r\n".getBytes())));
        assertFalse(request.complete(Reply.error("ERR late")));
        assertEquals(5, all.bytes());
    }

    @Test
    void pastItsLimitAClientIsDisconnectedOnceAndLaterRepliesAreDropped() {
        OutputBuffers all = new OutputBuffers(0);
        OutputBuffer buffer = open(all, "a", 10);
        assertTrue(buffer.charge(8));
        assertFalse(buffer.charge(8), "16 bytes held is past the limit of 10");
        assertEquals(List.of("a CLIENT_LIMIT 16"), disconnected);
        assertTrue(buffer.isClosed());
        assertEquals(0, all.bytes(), "what it held is given back");

        BackendRequest late = new BackendRequest(new byte[0]);
        late.chargeTo(buffer);
        late.complete(Reply.ofBytes("+OK\r\n".getBytes()));
        assertSame(BackendRequest.DROPPED, late.await());
        buffer.release(8); // the reply taken before the close: nothing more to give back
        buffer.close();
        assertEquals(0, all.bytes());
        assertEquals(1, disconnected.size());
    }

    @Test
    void aSingleReplyIsNeverRefusedForItsOwnSize() {
        OutputBuffers all = new OutputBuffers(0);
        OutputBuffer buffer = open(all, "a", 10);
        assertTrue(buffer.charge(1000));
        buffer.release(1000);
        assertTrue(buffer.charge(1000));
        assertTrue(disconnected.isEmpty());
    }

    @Test
    void pastTheTotalTheClientHoldingTheMostIsDisconnected() {
        OutputBuffers all = new OutputBuffers(100);
        OutputBuffer small = open(all, "small", 0);
        OutputBuffer big = open(all, "big", 0);
        assertTrue(small.charge(30));
        assertTrue(big.charge(60));
        assertTrue(small.charge(20), "the total is 110 now: the biggest goes, not the one whose reply landed");
        assertEquals(List.of("big TOTAL_LIMIT 60"), disconnected);
        assertEquals(50, all.bytes());
        assertFalse(small.isClosed());
    }
}
