package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rproxy.resp.RespCommand;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How long each blocking command lets the server hold its reply, as {@link Blocking#blockMs} reads it. */
class BlockingTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "BLPOP q 5 | 5000", "BLPOP q r 0 | -1", "BRPOP q 0.25 | 250", "BRPOPLPUSH a b 1 | 1000",
        "BLMOVE a b LEFT RIGHT 2.5 | 2500", "BZPOPMIN z 0.0001 | 1", "BZPOPMAX z 0 | -1",
        "BLMPOP 3 2 a b LEFT | 3000", "BZMPOP 0 1 z MIN COUNT 2 | -1", "BLPOP q x | 0", "BLPOP q -1 | 0",
        "XREAD STREAMS s 0 | -2", "XREAD COUNT 2 BLOCK 150 STREAMS s 0 | 150", "XREAD BLOCK 0 STREAMS s $ | -1",
        "XREADGROUP GROUP g c BLOCK 20 STREAMS s > | 20", "XREADGROUP GROUP g c STREAMS block 0 | -2",
        "XREAD BLOCK x STREAMS s 0 | 0",
    })
    void blockTimes(String line, long expected) {
        RespCommand command = RespCommand.of(line.split(" "));
        assertEquals(expected, Blocking.blockMs(command.argString(0).toLowerCase(), command), line);
    }
}
