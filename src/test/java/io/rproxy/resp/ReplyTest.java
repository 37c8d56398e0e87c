package io.rproxy.resp;

import static io.rproxy.resp.Feeds.bytes;
import static io.rproxy.resp.Feeds.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyTest {

    @Test
    void constants() {
        assertEquals("+OK\r\n", string(Reply.OK.bytes()));
        assertEquals("+PONG\r\n", string(Reply.PONG.bytes()));
        assertEquals("$-1\r\n", string(Reply.NULL_BULK.bytes()));
        assertEquals("*-1\r\n", string(Reply.NULL_ARRAY.bytes()));
    }

    @Test
    void errorIncludesItsCodeAndLosesLineBreaks() {
        Reply error = Reply.error("ERR unknown command");
        assertEquals("-ERR unknown command\r\n", string(error.bytes()));
        assertTrue(error.isError());
        assertEquals('-', error.type());
        assertEquals("ERR unknown command", error.errorMessage());
        assertEquals("-ERR a  b c\r\n", string(Reply.error("ERR a\r\nb\nc").bytes()), "each byte, as Redis does");
    }

    @Test
    void simple() {
        assertEquals(Reply.OK, Reply.simple("OK"));
        assertEquals("+a b\r\n", string(Reply.simple("a\nb").bytes()));
        assertFalse(Reply.OK.isError());
    }

    @Test
    void integersRoundTrip() {
        for (long v : new long[] {0, 1, -1, 9, 10, -10, 1234567890123L, Long.MAX_VALUE, Long.MIN_VALUE}) {
            Reply reply = Reply.integer(v);
            assertEquals(":" + v + "\r\n", string(reply.bytes()));
            assertEquals(v, reply.integer());
        }
    }

    @Test
    void bulk() {
        Reply reply = Reply.bulk(bytes("a\r\nb"));
        assertEquals("$4\r\na\r\nb\r\n", string(reply.bytes()));
        assertArrayEquals(bytes("a\r\nb"), reply.bulkValue());
        assertEquals("$0\r\n\r\n", string(Reply.bulk(new byte[0]).bytes()));
        assertEquals(Reply.NULL_BULK, Reply.bulk(null));
        assertNull(Reply.NULL_BULK.bulkValue());
        assertTrue(Reply.NULL_BULK.isNull());
        assertFalse(Reply.bulk(new byte[0]).isNull());
    }

    @Test
    void nestedArraysDecodeOneLevelAtATime() {
        Reply inner = Reply.array(List.of(Reply.simple("a"), Reply.error("ERR b")));
        Reply outer = Reply.array(List.of(Reply.integer(1), Reply.NULL_BULK, inner, Reply.NULL_ARRAY,
                Reply.array(List.of()), Reply.bulk(bytes("x"))));
        assertEquals("*6\r\n:1\r\n$-1\r\n*2\r\n+a\r\n-ERR b\r\n*-1\r\n*0\r\n$1\r\nx\r\n", string(outer.bytes()));
        List<Reply> elements = outer.elements();
        assertEquals(List.of(Reply.integer(1), Reply.NULL_BULK, inner, Reply.NULL_ARRAY, Reply.array(List.of()),
                Reply.bulk(bytes("x"))), elements);
        assertEquals(List.of(Reply.simple("a"), Reply.error("ERR b")), elements.get(2).elements());
        assertNull(Reply.NULL_ARRAY.elements());
        assertTrue(Reply.NULL_ARRAY.isNull());
        assertEquals(Reply.NULL_ARRAY, Reply.array(null));
    }

    @Test
    void decodersRejectOtherTypes() {
        assertThrows(ProtocolException.class, () -> Reply.OK.integer());
        assertThrows(ProtocolException.class, () -> Reply.OK.errorMessage());
        assertThrows(ProtocolException.class, () -> Reply.integer(1).elements());
        assertThrows(ProtocolException.class, () -> Reply.integer(1).bulkValue());
    }

    @Test
    void ofBytesWrapsWithoutCopyAndRejectsNonReplies() {
        byte[] encoded = bytes(":5\r\n");
        Reply reply = Reply.ofBytes(encoded);
        assertTrue(encoded == reply.bytes(), "no copy");
        assertEquals(5, reply.integer());
        assertThrows(IllegalArgumentException.class, () -> Reply.ofBytes(bytes("OK\r\n")));
        assertThrows(IllegalArgumentException.class, () -> Reply.ofBytes(bytes("+OK")));
        assertThrows(IllegalArgumentException.class, () -> Reply.ofBytes(new byte[0]));
    }

    @Test
    void malformedArrayFailsToDecodeWithProtocolException() {
        assertThrows(ProtocolException.class, () -> Reply.ofBytes(bytes("*2\r\n:1\r\n")).elements());
        assertThrows(ProtocolException.class, () -> Reply.ofBytes(bytes("*1\r\n:1\r\n:2\r\n")).elements());
        assertThrows(ProtocolException.class, () -> Reply.ofBytes(bytes("*1\r\n$5\r\nab\r\n")).elements());
        assertThrows(ProtocolException.class, () -> Reply.ofBytes(bytes("*1\r\n!\r\n")).elements());
        assertThrows(ProtocolException.class,
                () -> Reply.ofBytes(bytes(RespReaderReplyTest.nested(66))).elements());
    }

    @Test
    void interleaveTakesEachArraysElementsInTheGivenOrderAsTheyCame() {
        Reply first = Reply.ofBytes(bytes("*3\r\n$1\r\na\r\n$-1\r\n$3\r\nc\r\n\r\n"));
        Reply second = Reply.ofBytes(bytes("*2\r\n$0\r\n\r\n*1\r\n:7\r\n"));
        Reply merged = Reply.interleave(new Reply[] {first, second}, new int[] {1, 0, 0, 1, 0});
        assertEquals("*5\r\n$0\r\n\r\n$1\r\na\r\n$-1\r\n*1\r\n:7\r\n$3\r\nc\r\n\r\n", string(merged.bytes()));
        assertEquals(List.of(Reply.bulk(bytes("")), Reply.bulk(bytes("a")), Reply.NULL_BULK,
                Reply.ofBytes(bytes("*1\r\n:7\r\n")), Reply.bulk(bytes("c\r\n"))), merged.elements());
    }

    @Test
    void interleaveRefusesArraysOfTheWrongLength() {
        Reply two = Reply.ofBytes(bytes("*2\r\n:1\r\n:2\r\n"));
        assertThrows(ProtocolException.class, () -> Reply.interleave(new Reply[] {two}, new int[] {0, 0, 0}));
        assertThrows(ProtocolException.class, () -> Reply.interleave(new Reply[] {two}, new int[] {0}));
        assertThrows(ProtocolException.class, () -> Reply.interleave(new Reply[] {Reply.NULL_ARRAY}, new int[0]));
        assertThrows(ProtocolException.class, () -> Reply.interleave(new Reply[] {Reply.OK}, new int[0]));
    }

    @Test
    void arrayLengthReadsTheHeaderOnly() {
        assertEquals(2, Reply.ofBytes(bytes("*2\r\n:1\r\n:2\r\n")).arrayLength());
        assertEquals(0, Reply.ofBytes(bytes("*0\r\n")).arrayLength());
        assertEquals(-1, Reply.NULL_ARRAY.arrayLength());
        assertThrows(ProtocolException.class, () -> Reply.OK.arrayLength());
    }

    @Test
    void equalityIsByBytes() {
        assertEquals(Reply.integer(3), Reply.ofBytes(bytes(":3\r\n")));
        assertEquals(Reply.integer(3).hashCode(), Reply.ofBytes(bytes(":3\r\n")).hashCode());
        assertNotEquals(Reply.integer(3), Reply.integer(4));
        assertNotEquals(Reply.simple("3"), Reply.integer(3));
    }

    @Test
    void toStringIsReadableAndBounded() {
        assertEquals("Reply[+OK\\r\\n]", Reply.OK.toString());
        String big = Reply.bulk(new byte[10_000]).toString();
        assertTrue(big.length() < 1000, big);
        assertTrue(big.contains("10010 bytes"), big);
    }
}
