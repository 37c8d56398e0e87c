package io.rproxy.backend;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.config.ServerSpec;
import io.rproxy.harness.ScriptedBackend;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The backend reader's catch ladder (STYLE.md habit 11): an exception nobody expected, here from the connection's
 * listener, closes the connection and fails every request waiting on it with an error naming the server. Before,
 * the reader thread died and the clients waited forever on a connection still counted open.
 */
class BackendConnectionLadderTest {

    @Test
    void aReplyListenerThatThrowsFailsTheWaitingRequestsInsteadOfHangingThem() throws Exception {
        try (ScriptedBackend fake = ScriptedBackend.start(ScriptedBackend::likeRedis);
             BackendRuntime runtime = new BackendRuntime(Clock.systemUTC())) {
            ServerSpec spec = ServerSpec.parse(fake.address() + ":1 fake");
            BackendSettings settings = new BackendSettings(Optional.empty(), 0, Optional.empty(),
                    Duration.ofSeconds(3), false, RespLimits.DEFAULT, 64, false, 2, Duration.ofSeconds(1));
            ServerStats stats = new ServerStats();
            List<String> failures = new ArrayList<>();
            BackendConnection.Listener throwing = new BackendConnection.Listener() {
                @Override
                public void onReply(Reply reply) {
                    throw new IllegalStateException("a listener bug");
                }

                @Override
                public void onFailure(String reason) {
                    failures.add(reason);
                }
            };
            BackendConnection connection =
                    BackendConnection.open(spec, "backend-test-fake", settings, runtime, stats, throwing);
            WriteBatch writes = new WriteBatch();
            List<BackendRequest> requests = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                BackendRequest request = new BackendRequest(RespCommand.of("GET", "k" + i).frame());
                connection.send(request, writes);
                requests.add(request);
            }
            writes.flush();

            List<Reply> replies = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> requests.stream().map(BackendRequest::await).toList(), "a request was left waiting");
            assertEquals(Reply.bulk(new byte[] {'v'}), replies.getFirst(), "completed before its listener threw");
            for (Reply failed : replies.subList(1, replies.size())) {
                assertTrue(failed.isError(), failed::toString);
                assertTrue(failed.errorMessage().startsWith("ERR rproxy: fake (" + fake.address()
                        + "): internal error in backend-test-fake-reader"), failed.errorMessage());
            }
            assertFalse(connection.isOpen());
            assertEquals(0, stats.openConnections.get(), "the connection is no longer counted open");
            assertEquals(1, failures.size(), "reported once to the server: " + failures);
            await().atMost(Duration.ofSeconds(10)).until(() -> fake.open() == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> runtime.liveThreads() == 0);
        }
    }
}
