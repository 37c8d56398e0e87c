package io.rproxy.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.Harness;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every signal an operator, a nutcracker runbook or an init system may send to a running {@code rproxy run}: none
 * stops or freezes it (SIGTTIN and SIGTTOU used to stop the process, SIGUSR1 and SIGALRM to kill it, SIGUSR2 to
 * crash the JVM), and SIGTTIN / SIGTTOU move the log level, as the log shows and as debug events appearing and
 * disappearing prove.
 */
class SignalsIT {
    @Test
    void noSignalButIntAndTermStopsTheProxyAndTtinTtouMoveTheLogLevel() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            int port = FreePorts.pick();
            Path config = Files.createTempFile(Harness.dir(), "signals-", ".toml");
            Files.writeString(config, RunningProxy.poolToml("sig", port, "",
                    List.of("\"" + redis.address() + ":1 redis1\"")));
            try (JarProcess proxy = JarProcess.start("run", "--carrier-threads", "1", config.toString())) {
                awaitAnswering(proxy, port);

                for (String signal : List.of("PIPE", "USR1", "USR2", "ALRM", "WINCH", "QUIT", "HUP")) {
                    proxy.signal(signal);
                    awaitAnswering(proxy, port);
                }
                String log = proxy.stderr();
                assertTrue(log.contains("SIGUSR1 received and ignored"), log);
                assertTrue(log.contains("SIGUSR2 received and ignored"), log);
                assertTrue(log.contains("SIGHUP: reloading"), log);

                proxy.signal("TTIN");
                awaitAnswering(proxy, port);
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.stderr()
                        .contains("SIGTTIN: log level raised to DEBUG"));
                closeInsideRequest(port);
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.stderr()
                        .contains("closed its connection inside a request"));

                proxy.signal("TTOU");
                awaitAnswering(proxy, port);
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.stderr()
                        .contains("SIGTTOU: log level lowered to INFO"));
                long debugLines = debugLines(proxy);
                closeInsideRequest(port);
                awaitAnswering(proxy, port); // the client thread has had its chance to log
                assertEquals(debugLines, debugLines(proxy), "no debug event at INFO");

                for (int i = 0; i < 8; i++) {
                    proxy.signal("TTOU"); // bounded at ERROR, never off
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.stderr()
                        .contains("SIGTTOU: log level lowered to ERROR"));
                awaitAnswering(proxy, port);

                proxy.signal("TERM");
                assertTrue(proxy.process().waitFor(30, TimeUnit.SECONDS), "stopped after SIGTERM");
            }
        }
    }

    /** Answered, alive and not stopped (state T in /proc: what SIGTTIN did before it was handled). */
    private static void awaitAnswering(JarProcess proxy, int port) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.answersPing("127.0.0.1", port));
        assertTrue(proxy.process().isAlive(), "still running");
        assertFalse(stopped(proxy.process()), "not stopped");
    }

    private static boolean stopped(Process process) {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
        } catch (IOException e) {
            return false;
        }
    }

    private static long debugLines(JarProcess proxy) {
        return proxy.stderr().lines().filter(line -> line.contains("[DEBUG]")).count();
    }

    /** A client that sends half a request and leaves: logged at DEBUG only. */
    private static void closeInsideRequest(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("*2\r\n$3\r\nGET\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }
}
