package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyWriterTest {
    /** Records each write call, as the socket would see it. */
    private static final class Writes extends OutputStream {
        final List<byte[]> calls = new ArrayList<>();
        byte[] lastArray;

        @Override
        public void write(int b) {
            throw new AssertionError("single bytes are never written");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            lastArray = b;
            calls.add(Arrays.copyOfRange(b, off, off + len));
        }
    }

    @Test
    void aSingleReplyIsWrittenFromItsOwnBytesInOneCall() throws IOException {
        Writes socket = new Writes();
        ReplyWriter writer = new ReplyWriter(socket);
        byte[] pong = bytes("+PONG\r\n");
        writer.add(pong);
        assertEquals(0, socket.calls.size(), "nothing written before flush");
        writer.flush();
        assertEquals(1, socket.calls.size());
        assertSame(pong, socket.lastArray, "no copy");
        writer.flush();
        assertEquals(1, socket.calls.size(), "an empty flush writes nothing");
    }

    @Test
    void aPipelinesRepliesGoOutInOrderInOneCall() throws IOException {
        Writes socket = new Writes();
        ReplyWriter writer = new ReplyWriter(socket);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            byte[] reply = bytes(":" + i + "\r\n");
            writer.add(reply);
            expected.write(reply);
        }
        writer.flush();
        assertEquals(1, socket.calls.size());
        assertArrayEquals(expected.toByteArray(), socket.calls.get(0));
    }

    @Test
    void aHugeBatchIsWrittenInBoundedPieces() throws IOException {
        Writes socket = new Writes();
        ReplyWriter writer = new ReplyWriter(socket);
        byte[] value = new byte[10_000];
        for (int i = 0; i < 20; i++) {
            writer.add(value);
        }
        writer.flush();
        assertEquals(200_000, socket.calls.stream().mapToInt(c -> c.length).sum());
        assertEquals(true, socket.calls.stream().allMatch(c -> c.length < 64 * 1024 + value.length));
        assertEquals(true, socket.calls.size() > 1);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
