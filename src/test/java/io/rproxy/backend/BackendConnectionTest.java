package io.rproxy.backend;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.config.ServerSpec;
import io.rproxy.harness.ScriptedBackend;
import io.rproxy.harness.ScriptedBackend.Step;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespLimits;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One connection against a scripted fake backend: it stays aligned or dies (STYLE.md habit 6), what is pending on
 * it when it dies fails with the reason, and its deadline token is re-aimed at the new head rather than piling up.
 */
class BackendConnectionTest {
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final ServerStats stats = new ServerStats();
    private ScriptedBackend fake;
    private BackendRuntime runtime;

    @AfterEach
    void stop() {
        if (fake != null) {
            fake.close(); // its threads serving a stalled command end with their sleep; they hold nothing of ours
        }
        if (runtime != null) {
            await().atMost(Duration.ofSeconds(10)).until(() -> runtime.liveThreads() == 0);
            runtime.close();
        }
    }

    /** GET k answers k (so a reply in the wrong place shows), after what {@code delayOf} says for that key. */
    private static ScriptedBackend.Script echo(Function<String, Step> special) {
        return command -> {
            if (!command.name().equals("get")) {
                return ScriptedBackend.likeRedis(command);
            }
            String key = command.argString(1);
            Step step = special.apply(key);
            return step != null ? step : Step.reply(bulk(key));
        };
    }

    private static String bulk(String value) {
        return "$" + value.length() + "\r\n" + value + "\r\n";
    }

    private BackendConnection open(ScriptedBackend.Script script, Duration timeout) {
        fake = ScriptedBackend.start(script);
        runtime = new BackendRuntime(Clock.systemUTC());
        ServerSpec spec = ServerSpec.parse(fake.address() + ":1 fake");
        BackendSettings settings = new BackendSettings(Optional.empty(), 0, Optional.ofNullable(timeout),
                Duration.ofSeconds(3), false, RespLimits.DEFAULT, 64, false, 2, Duration.ofSeconds(1));
        BackendConnection.Listener listener = new BackendConnection.Listener() {
            @Override
            public void onReply(Reply reply) {
            }

            @Override
            public void onFailure(String reason) {
                failures.add(reason);
            }
        };
        return BackendConnection.open(spec, "backend-test-fake", settings, runtime, stats, listener);
    }

    private static List<BackendRequest> send(BackendConnection connection, WriteBatch batch, String... keys)
            throws InterruptedException {
        List<BackendRequest> requests = new ArrayList<>();
        for (String key : keys) {
            BackendRequest request = new BackendRequest(RespCommand.of("GET", key).frame());
            connection.send(request, batch);
            requests.add(request);
        }
        return requests;
    }

    private static List<Reply> awaitAll(List<BackendRequest> requests) {
        return assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> requests.stream().map(BackendRequest::await).toList(), "a request was left waiting");
    }

    private static String text(Reply reply) {
        return reply.isError() ? reply.errorMessage() : new String(reply.bytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void afterATimeoutTheLateReplyGoesToNobodyAndTheRequestsBehindFail() throws Exception {
        BackendConnection connection = open(echo(key -> key.equals("slow")
                ? Step.delayed(Duration.ofMillis(1500), bulk("slow")) : null), Duration.ofMillis(300));
        WriteBatch batch = new WriteBatch();
        List<BackendRequest> requests = send(connection, batch, "slow", "a", "b");
        batch.flush();

        List<Reply> replies = awaitAll(requests);
        assertTrue(text(replies.get(0)).startsWith("ERR timeout after 300 ms waiting for fake"), text(replies.get(0)));
        for (Reply behind : replies.subList(1, 3)) {
            assertTrue(behind.isError(), "no request behind the timed-out one is answered: " + text(behind));
            assertTrue(text(behind).contains("closed after a request timed out"), text(behind));
        }
        assertFalse(connection.isOpen(), "a connection that timed out cannot be trusted to stay aligned");
        assertEquals(1, stats.timeouts.sum());

        List<BackendRequest> later = send(connection, batch, "c");
        assertTrue(later.getFirst().isDone(), "a request sent to a closed connection fails at once");
        assertTrue(text(later.getFirst().await()).contains("closed after a request timed out"));
    }

    @Test
    void aReplyThatNoRequestWaitsForClosesTheConnection() throws Exception {
        BackendConnection connection = open(echo(key -> Step.reply(bulk(key) + bulk("extra"))), null);
        WriteBatch batch = new WriteBatch();
        List<BackendRequest> requests = send(connection, batch, "a");
        batch.flush();

        assertEquals("$1\r\na\r\n", text(awaitAll(requests).getFirst()));
        await().atMost(Duration.ofSeconds(20)).until(() -> !connection.isOpen());
        assertEquals(List.of("protocol error: a reply arrived that no request was waiting for"), List.copyOf(failures));
        assertEquals(0, stats.openConnections.get());
    }

    @Test
    void aServerThatHangsUpMidPipelineAnswersThePrefixAndFailsTheRestInOrder() throws Exception {
        BackendConnection connection = open(echo(key -> key.equals("k5") ? Step.sendAndClose("$2\r\nk") : null),
                null);
        WriteBatch batch = new WriteBatch();
        List<BackendRequest> requests = send(connection, batch, "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
        batch.flush();

        List<Reply> replies = awaitAll(requests);
        for (int i = 0; i < 5; i++) {
            assertEquals(bulk("k" + i), text(replies.get(i)), "each answered request has its own reply");
        }
        for (Reply failed : replies.subList(5, replies.size())) {
            assertEquals("ERR rproxy: fake (" + fake.address() + "): connection closed by server", text(failed));
        }
        assertEquals(1, stats.eof.sum(), "counted as the server's hang-up (twemproxy's server_eof)");
        assertEquals(0, stats.inFlight.sum(), "nothing is left counted in flight");
        assertEquals(List.of("connection closed by server"), List.copyOf(failures));
    }

    @Test
    void closingFailsWhatIsInFlightAndWhatIsStillInTheOutbox() throws Exception {
        BackendConnection connection = open(echo(key -> key.equals("stall") ? Step.stall() : null), null);
        WriteBatch written = new WriteBatch();
        List<BackendRequest> inFlight = send(connection, written, "a", "stall", "b");
        written.flush();
        assertEquals(bulk("a"), text(awaitAll(inFlight.subList(0, 1)).getFirst()));
        WriteBatch unflushed = new WriteBatch();
        List<BackendRequest> queued = send(connection, unflushed, "c", "d"); // in the outbox, not yet written
        assertEquals(2, stats.queued.sum());

        connection.close("pool closed");
        for (Reply failed : awaitAll(List.of(inFlight.get(1), inFlight.get(2), queued.get(0), queued.get(1)))) {
            assertEquals("ERR rproxy: fake (" + fake.address() + "): pool closed", text(failed));
        }
        assertEquals(0, stats.queued.sum());
        assertEquals(0, stats.inFlight.sum());
        assertEquals(List.of(), List.copyOf(failures), "a close asked for is not the server's failure");
        unflushed.flush(); // the client's flush after the close writes nothing and completes nothing twice
        assertEquals(4, stats.errors.sum());
    }

    @Test
    void theDeadlineTokenIsReAimedAtTheNewHeadInsteadOfTimingItOut() throws Exception {
        // Timeout 2 s. "a" is answered at once; "late" is sent 0.8 s later and answered 1.6 s after that (2.4 s):
        // "a"'s token expires at 2 s with "late" at the head, whose own deadline (2.8 s) has not passed.
        BackendConnection connection = open(echo(key -> key.equals("late")
                ? Step.delayed(Duration.ofMillis(1600), bulk("late")) : null), Duration.ofSeconds(2));
        DeadlineTimer timer = runtime.deadlines();
        WriteBatch batch = new WriteBatch();
        List<BackendRequest> first = send(connection, batch, "a");
        batch.flush();
        assertEquals(bulk("a"), text(awaitAll(first).getFirst()));
        assertEquals(1, timer.pending(), "one token for the connection, armed for its head");

        Thread.sleep(800); // the gap between the two requests is the scenario, not a synchronisation
        List<BackendRequest> second = send(connection, batch, "late");
        batch.flush();
        assertEquals(1, timer.pending(), "a request sent while a token is armed adds none");

        assertEquals(bulk("late"), text(awaitAll(second).getFirst()), "answered within its own deadline");
        assertTrue(connection.isOpen());
        assertEquals(0, stats.timeouts.sum());
        await().atMost(Duration.ofSeconds(20)).until(() -> timer.pending() == 0); // nothing left to watch
        connection.close("test over");
    }
}
