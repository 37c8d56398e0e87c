package io.rproxy.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RunningProxy;
import io.rproxy.harness.ScriptedBackend;
import io.rproxy.harness.ScriptedBackend.Step;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 7: a server that answers its part of a split command with a reply of the wrong shape (an MGET
 * array one element short) gets the client an error naming that server, the client's connection stays usable,
 * and the backend connection is closed as misaligned.
 */
class MalformedSplitReplyIT {

    @Test
    void anMgetPartOneElementShortIsAnErrorNamingTheServerAndTheClientCarriesOn() {
        try (ScriptedBackend good = ScriptedBackend.start(command -> answer(command, "good", 0));
             ScriptedBackend broken = ScriptedBackend.start(command -> answer(command, "broken", 1));
             RunningProxy proxy = RunningProxy.start(RunningProxy.poolToml(RunningProxy.POOL, FreePorts.pick(),
                     "hash = \"md5\"", List.of("\"" + good.address() + ":1 good\"",
                             "\"" + broken.address() + ":1 broken\"")));
             RawClient client = new RawClient(proxy.port())) {
            String onGood = keyOn(client, "good");
            String onBroken = keyOn(client, "broken");
            int brokenConnections = broken.accepted();

            List<Reply> replies = client.pipeline(List.of(List.of("MGET", onGood, onBroken),
                    List.of("GET", onGood), List.of("PING")));
            String message = replies.get(0).errorMessage();
            assertTrue(message.startsWith("ERR rproxy: broken (" + broken.address() + "): malformed reply"), message);
            assertEquals(bulk("good"), replies.get(1));
            assertEquals(Reply.PONG, replies.get(2), "the client's connection is still in step");

            await().atMost(Duration.ofSeconds(10)).until(() -> broken.open() == 0);
            assertEquals(bulk("broken"), client.call("GET", onBroken), "a fresh connection to the broken server");
            assertEquals(brokenConnections + 1, broken.accepted(), "the misaligned connection was replaced");
        }
    }

    /** GET answers the server's name; MGET answers one value per key, less {@code short}. */
    private static Step answer(RespCommand command, String name, int missing) {
        return switch (command.name()) {
            case "get" -> Step.reply(encode(name));
            case "mget" -> {
                int values = command.argCount() - 1 - missing;
                yield Step.reply("*" + values + "\r\n" + encode(name).repeat(values));
            }
            default -> ScriptedBackend.likeRedis(command);
        };
    }

    private static String encode(String value) {
        return "$" + value.length() + "\r\n" + value + "\r\n";
    }

    private static String keyOn(RawClient client, String server) {
        for (int i = 0; ; i++) {
            if (client.call("GET", "k" + i).equals(bulk(server))) {
                return "k" + i;
            }
        }
    }

    private static Reply bulk(String text) {
        return Reply.bulk(text.getBytes(StandardCharsets.UTF_8));
    }
}
