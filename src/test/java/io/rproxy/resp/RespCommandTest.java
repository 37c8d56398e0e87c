package io.rproxy.resp;

import static io.rproxy.resp.Feeds.bytes;
import static io.rproxy.resp.Feeds.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespCommandTest {

    @Test
    void ofEncodesCanonicalMultibulk() {
        RespCommand command = RespCommand.of("SET", "key", "");
        assertEquals("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$0\r\n\r\n", string(command.frame()));
        assertEquals(3, command.argCount());
        assertEquals(8, command.argOffset(0));
        assertEquals(3, command.argLength(0));
        assertEquals(17, command.argOffset(1));
        assertEquals(0, command.argLength(2));
        assertEquals("", command.argString(2));
    }

    @Test
    void ofRoundTripsThroughTheReader() throws IOException {
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        RespCommand original = RespCommand.of(List.of(bytes("MSET"), bytes("a\r\nb"), binary, new byte[0]));
        RespCommand read = new RespReader(new ByteArrayInputStream(original.frame()), RespLimits.DEFAULT).readCommand();
        assertArrayEquals(original.frame(), read.frame());
        assertEquals(original.argCount(), read.argCount());
        for (int i = 0; i < original.argCount(); i++) {
            assertEquals(original.argOffset(i), read.argOffset(i));
            assertEquals(original.argLength(i), read.argLength(i));
            assertArrayEquals(original.arg(i), read.arg(i));
        }
        assertArrayEquals(binary, read.arg(2));
    }

    @Test
    void frameOfEncodesTheChosenArgumentsInTheGivenOrder() throws IOException {
        byte[] client = bytes("*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$0\r\n\r\n$2\r\nbb\r\n$3\r\nx\r\n\r\n");
        RespCommand command = new RespReader(new ByteArrayInputStream(client), RespLimits.DEFAULT)
                .readCommand();
        assertEquals("*3\r\n$4\r\nMSET\r\n$2\r\nbb\r\n$3\r\nx\r\n\r\n",
                string(command.frameOf(new int[] {0, 3, 4, 99}, 3)), "only the first count indexes count");
        assertEquals("*3\r\n$4\r\nMSET\r\n$1\r\na\r\n$0\r\n\r\n", string(command.frameOf(new int[] {0, 1, 2}, 3)));
        assertEquals(string(RespCommand.of("GET", "k").frame()),
                string(RespCommand.of("GET", "k").frameOf(new int[] {0, 1}, 2)));
        assertThrows(IndexOutOfBoundsException.class, () -> command.frameOf(new int[] {0, 5}, 2));
    }

    @Test
    void argIsACopy() {
        RespCommand command = RespCommand.of("GET", "k");
        command.arg(1)[0] = 'x';
        assertEquals("k", command.argString(1));
    }

    @Test
    void argStringDecodesUtf8() {
        assertEquals("h\u00e9", RespCommand.of("ECHO", "h\u00e9").argString(1));
    }

    @Test
    void argEqualsIgnoreCaseComparesAsciiCaseInsensitively() {
        RespCommand command = RespCommand.of(List.of(bytes("GeT"), bytes("[key"), bytes("{"), bytes("\u00e9")));
        assertTrue(command.argEqualsIgnoreCase(0, "get"));
        assertTrue(command.argEqualsIgnoreCase(0, "GET"));
        assertFalse(command.argEqualsIgnoreCase(0, "ge"));
        assertFalse(command.argEqualsIgnoreCase(0, "gets"));
        assertFalse(command.argEqualsIgnoreCase(0, "set"));
        // '[' is 'A'-'a' away from '{' ... and from 'z'+1: only letters fold.
        assertTrue(command.argEqualsIgnoreCase(1, "[KEY"));
        assertFalse(command.argEqualsIgnoreCase(1, "{key"));
        assertFalse(command.argEqualsIgnoreCase(2, "["));
        assertFalse(command.argEqualsIgnoreCase(3, "\u00e9"), "non-ASCII never matches");
    }

    @Test
    void nameIsLowerCaseAndCached() {
        RespCommand command = RespCommand.of("CLUSTER", "SLOTS");
        assertEquals("cluster", command.name());
        assertSame(command.name(), command.name());
        assertEquals("", RespCommand.of(List.of()).name());
        assertEquals("*0\r\n", string(RespCommand.of(List.of()).frame()));
    }

    @Test
    void indexesAreChecked() {
        RespCommand command = RespCommand.of("PING");
        assertThrows(IndexOutOfBoundsException.class, () -> command.argOffset(1));
        assertThrows(IndexOutOfBoundsException.class, () -> command.argLength(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> command.arg(1));
    }

    @Test
    void toStringShowsNameAndCountButNoArguments() {
        String shown = RespCommand.of("AUTH", "s3cret").toString();
        assertEquals("RespCommand[auth, 2 args]", shown);
        assertFalse(shown.contains("s3cret"));
        String binary = RespCommand.of(List.of(bytes("A\r\n" + "x".repeat(100)))).toString();
        assertFalse(binary.contains("\r"));
        assertTrue(binary.length() < 80, binary);
    }

    @Test
    void readerFramesAreIndependentCopies() throws IOException {
        byte[] input = bytes("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n");
        RespReader reader = new RespReader(new ByteArrayInputStream(input), RespLimits.DEFAULT);
        RespCommand first = reader.readCommand();
        RespCommand second = reader.readCommand();
        assertNotSame(first.frame(), second.frame());
        assertEquals(14, first.frame().length);
    }
}
