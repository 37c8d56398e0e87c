package io.rproxy.harness;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The fallback for machines without a redis-server binary but with a Docker engine: redis:7.0 in a container
 * whose port 6379 is published on a fixed loopback port, so that restart keeps the address. Signals map onto
 * docker pause / unpause / kill.
 */
final class DockerRedis implements RedisRunner {
    private static final DockerImageName IMAGE = DockerImageName.parse("redis:7.0");
    private static final int REDIS_PORT = 6379;

    private final GenericContainer<?> container;
    private boolean created;
    private RuntimeException lastFailure;

    DockerRedis(int port, List<String> extraArgs) {
        List<String> command = new ArrayList<>(List.of("redis-server", "--save", "", "--appendonly", "no"));
        command.addAll(extraArgs);
        PortBinding binding = new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", port),
                ExposedPort.tcp(REDIS_PORT));
        container = new GenericContainer<>(IMAGE)
                .withCommand(command.toArray(String[]::new))
                .withExposedPorts(REDIS_PORT)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(binding));
    }

    static boolean isAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Override
    public void launch() {
        lastFailure = null;
        try {
            if (!created) {
                created = true;
                container.start();
                ProcessRegistry.global().track(this);
            } else {
                client().startContainerCmd(container.getContainerId()).exec();
            }
        } catch (RuntimeException e) {
            lastFailure = e;
            throw new HarnessException("cannot start " + IMAGE + ": " + e, e);
        }
    }

    @Override
    public boolean isAlive() {
        return container.getContainerId() != null && Boolean.TRUE.equals(
                client().inspectContainerCmd(container.getContainerId()).exec().getState().getRunning());
    }

    @Override
    public void signal(String signal) {
        String id = container.getContainerId();
        switch (signal) {
            case "STOP" -> client().pauseContainerCmd(id).exec();
            case "CONT" -> client().unpauseContainerCmd(id).exec();
            case "KILL" -> client().killContainerCmd(id).withSignal("SIGKILL").exec();
            default -> throw new IllegalArgumentException("unsupported signal " + signal);
        }
    }

    @Override
    public void stop(Duration grace) {
        if (isAlive()) {
            if (Boolean.TRUE.equals(client().inspectContainerCmd(container.getContainerId()).exec().getState().getPaused())) {
                signal("CONT");
            }
            client().stopContainerCmd(container.getContainerId()).withTimeout((int) grace.toSeconds()).exec();
        }
    }

    @Override
    public boolean lostPortRace() {
        String message = String.valueOf(lastFailure);
        return message.contains("already allocated") || message.contains("address already in use");
    }

    @Override
    public String log() {
        return container.getContainerId() == null ? "(container not created)" : container.getLogs();
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        ProcessRegistry.global().untrack(this);
        container.stop();
    }

    @Override
    public String toString() {
        return "container " + IMAGE + " " + container.getContainerId();
    }

    private static DockerClient client() {
        return DockerClientFactory.instance().client();
    }
}
