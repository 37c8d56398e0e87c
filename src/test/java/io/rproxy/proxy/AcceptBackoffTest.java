package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** The listener's pause and log rate on failing accepts, on a clock that only the pauses move. */
class AcceptBackoffTest {
    private static final IOException EMFILE = new SocketException("Too many open files");
    private static final long MS = 1_000_000;

    private final AtomicLong clock = new AtomicLong(1_000_000 * MS);
    private final List<Long> pauses = new ArrayList<>();
    private final RecordingLogger log = new RecordingLogger();
    private final AcceptBackoff backoff = new AcceptBackoff("pool 'p'", log, clock::get, nanos -> {
        pauses.add(nanos / MS);
        clock.addAndGet(nanos);
    });

    @Test
    void thePauseDoublesFromTenMillisecondsToOneSecondAndAnAcceptResetsIt() throws Exception {
        for (int i = 0; i < 10; i++) {
            backoff.failed(EMFILE);
        }
        assertEquals(List.of(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L, 1000L), pauses);

        backoff.accepted();
        pauses.clear();
        backoff.failed(EMFILE);
        backoff.failed(EMFILE);
        assertEquals(List.of(10L, 20L), pauses);
    }

    @Test
    void failuresAreLoggedAtOnceThenAtMostOncePerTenSecondsWithTheirCount() throws Exception {
        backoff.failed(EMFILE);
        assertEquals(1, log.lines.size());
        assertTrue(log.lines.get(0).startsWith("WARN pool 'p': accept failed: Too many open files; pausing"),
                log.lines.toString());

        // A minute of failures at the longest pause: one line per 10 s, each with its count.
        long end = clock.get() + Duration.ofSeconds(60).toNanos();
        int failures = 1;
        while (clock.get() < end) {
            backoff.failed(EMFILE);
            failures++;
        }
        assertTrue(log.lines.size() >= 6 && log.lines.size() <= 7, log.lines.toString());
        assertTrue(log.lines.get(2).matches("WARN pool 'p': \\d+ accepts failed in the last 1[01] s: Too many open "
                + "files"), log.lines.toString());
        long counted = log.lines.stream().mapToLong(AcceptBackoffTest::count).sum() + 1;

        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        backoff.accepted();
        String last = log.lines.get(log.lines.size() - 1);
        assertTrue(last.startsWith("INFO pool 'p': accepting again; "), last);
        assertEquals(failures, counted + count(last), "every failure is in exactly one line: " + log.lines);
    }

    @Test
    void failuresThatComeAndGoAreLoggedAtMostTwicePerTenSeconds() throws Exception {
        backoff.failed(EMFILE);
        backoff.accepted();
        assertEquals(2, log.lines.size(), "the run's start and end");
        assertEquals("INFO pool 'p': accepting again", log.lines.get(1));

        // Short runs of failures within the next ten seconds: counted, not logged.
        for (int run = 0; run < 5; run++) {
            backoff.failed(EMFILE);
            backoff.failed(EMFILE);
            backoff.accepted();
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
        }
        assertEquals(2, log.lines.size(), log.lines.toString());

        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        backoff.failed(EMFILE);
        assertTrue(log.lines.get(2).matches("WARN pool 'p': 11 accepts failed in the last 10 s: Too many open files"),
                log.lines.toString());
        backoff.accepted();
        assertEquals("INFO pool 'p': accepting again", log.lines.get(3));
    }

    @Test
    void aPauseForAFailureTheCallerLoggedDoublesLikeOthersAndLogsNothing() throws Exception {
        backoff.pause();
        backoff.pause();
        backoff.failed(EMFILE);
        assertEquals(List.of(10L, 20L, 40L), pauses);
        assertEquals(1, log.lines.size(), "only the accept's failure: " + log.lines);
        backoff.accepted();
        pauses.clear();
        backoff.pause();
        assertEquals(List.of(10L), pauses);
    }

    @Test
    void acceptsThatSucceedLogNothing() {
        for (int i = 0; i < 1000; i++) {
            backoff.accepted();
        }
        assertEquals(List.of(), log.lines);
    }

    @Test
    void stopEndsAPauseAtOnce() {
        AcceptBackoff real = new AcceptBackoff("pool 'p'", log);
        real.stop();
        // Ten failures would pause over 3 s; stopped, they return at once.
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (int i = 0; i < 10; i++) {
                real.failed(EMFILE);
            }
        });
    }

    /** The N of a line "... N accepts failed ...", 0 for the first line, which reports a single failure. */
    private static long count(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) accepts? failed").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static final class RecordingLogger extends AbstractLogger {
        final List<String> lines = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String format, Object[] args,
                                                   Throwable t) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(format, args));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isTraceEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled(Marker marker) {
            return true;
        }
    }
}
