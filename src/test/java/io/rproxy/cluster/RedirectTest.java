package io.rproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rproxy.config.HostPort;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespLimits;
import io.rproxy.resp.RespReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** MOVED, ASK and TRYAGAIN read from a node's error reply; other errors are not redirections. */
class RedirectTest {
    private static Reply reply(String resp) throws IOException {
        return new RespReader(new ByteArrayInputStream(resp.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)),
                RespLimits.DEFAULT).readReply();
    }

    @Test
    void redirectionsAreRead() throws IOException {
        Redirect moved = Redirect.of(reply("-MOVED 3999 127.0.0.1:6381\n"), "x");
        assertEquals(new Redirect(Redirect.Kind.MOVED, 3999, new HostPort("127.0.0.1", 6381)), moved);
        Redirect ask = Redirect.of(reply("-ASK 12 10.1.2.3:7000\n"), "x");
        assertEquals(new Redirect(Redirect.Kind.ASK, 12, new HostPort("10.1.2.3", 7000)), ask);
        assertEquals(new HostPort("10.9.9.9", 7002), Redirect.of(reply("-MOVED 1 :7002\n"), "10.9.9.9").to());
        assertEquals(Redirect.Kind.TRYAGAIN, Redirect.of(reply(
                "-TRYAGAIN Multiple keys request during rehashing of slot\n"), "x").kind());
        assertNull(Redirect.of(reply("-ERR MOVED is not a command\n"), "x"));
        assertNull(Redirect.of(reply("-MOVEDX 1 h:1\n"), "x"));
        assertNull(Redirect.of(reply("+MOVED 1 h:1\n"), "x"));
        assertNull(Redirect.of(reply("-ASK me\n"), "x"));
    }
}
