package io.rproxy.harness;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * How one {@link RedisServer} is run: as a local process ({@link LocalRedis}) or, when there is no
 * redis-server binary, in a container ({@link DockerRedis}). The runner only launches and signals; waiting for
 * PING and retrying on port races is {@link RedisServer}'s job.
 */
interface RedisRunner extends AutoCloseable {
    /** Launches the server on its fixed port; may be called again after the server ended (restart). */
    void launch();

    boolean isAlive();

    /** Sends SIGSTOP ("STOP"), SIGCONT ("CONT") or SIGKILL ("KILL") to the server and, for KILL, waits for its end. */
    void signal(String signal);

    /** SIGTERM, then SIGKILL when the server has not exited within {@code grace}; returns once it is gone. */
    void stop(Duration grace);

    /** Whether the last launch failed because another process had taken the port. */
    boolean lostPortRace();

    /** The end of the server's log, for failure messages. */
    String log();

    OptionalLong pid();

    /** Releases what the runner holds (a container); the server must already be stopped or it is killed. */
    @Override
    void close();
}
