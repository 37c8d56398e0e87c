package io.rproxy.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;

/**
 * A real twemproxy ({@code nutcracker}) with one Redis pool on a free loopback port: the reference that rproxy's
 * behaviour is compared with.
 *
 * <p>Its configuration, log and pid file live in a fresh folder under {@link Harness#dir()}; the config path is
 * in its command line. Tracked by {@link ProcessRegistry#global()}. Meant for one test thread at a time.
 * <pre>{@code
 * try (Nutcracker twem = Nutcracker.builder().servers(redis1, redis2).hashTag("{}").start();
 *      Jedis jedis = twem.jedis()) { ... }
 * }</pre>
 */
public final class Nutcracker implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    /** The pool's name in the generated YAML (twemproxy reports it in its stats). */
    public static final String POOL = "harness";
    private static final Duration STARTUP = Duration.ofSeconds(15);

    private final int port;
    private final int statsPort;
    private final Path dir;
    private final Process process;

    private Nutcracker(int port, int statsPort, Path dir, Process process) {
        this.port = port;
        this.statsPort = statsPort;
        this.dir = dir;
        this.process = process;
    }

    /** A builder for the usual keys of a twemproxy Redis pool. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts nutcracker with one pool whose keys, other than {@code listen}, are {@code poolYamlBody}: YAML
     * lines written at the pool's level without indentation (a text block is fine), for example
     * {@code "redis: true\nhash: fnv1a_64\ndistribution: ketama\nservers:\n - 127.0.0.1:6379:1 a\n"}.
     */
    public static Nutcracker start(String poolYamlBody) {
        return start(poolYamlBody, null);
    }

    private static Nutcracker start(String poolYamlBody, Integer statsIntervalMillis) {
        Path binary = Harness.requireNutcracker();
        return FreePorts.startOnFreePort("nutcracker", port -> {
            int statsPort = FreePorts.pick();
            Path dir = Harness.newWorkDir("nutcracker-" + port + "-");
            Path config = writeConfig(dir, port, poolYamlBody);
            checkConfig(binary, config);
            List<String> command = new ArrayList<>(List.of(binary.toString(), "-c", config.toString(),
                    "-s", Integer.toString(statsPort), "-a", HOST,
                    "-o", dir.resolve("nutcracker.log").toString(), "-p", dir.resolve("nutcracker.pid").toString()));
            if (statsIntervalMillis != null) {
                command.addAll(List.of("-i", statsIntervalMillis.toString()));
            }
            Process process = ProcessRegistry.global().start(
                    new ProcessBuilder(command).directory(dir.toFile()), dir.resolve("nutcracker.out"));
            Nutcracker nutcracker = new Nutcracker(port, statsPort, dir, process);
            try {
                Harness.awaitReady("nutcracker on " + HOST + ":" + port, STARTUP, () -> !process.isAlive(),
                        () -> Harness.answersPing(HOST, port) && Harness.accepts(HOST, statsPort), nutcracker::log);
                return nutcracker;
            } catch (HarnessException e) {
                nutcracker.close();
                throw nutcracker.log().contains("Address already in use") ? new FreePorts.PortTaken(e) : e;
            }
        });
    }

    public String host() {
        return HOST;
    }

    /** The pool's client port. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port} of the pool. */
    public String address() {
        return HOST + ":" + port;
    }

    /** The stats port: a connection to it gets one JSON document (see {@link #stats()}). */
    public int statsPort() {
        return statsPort;
    }

    public Path configFile() {
        return dir.resolve("nutcracker.yml");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A new client connection to the pool; the caller closes it. */
    public Jedis jedis() {
        return new Jedis(HOST, port);
    }

    /** A new client connection with the given connect and read timeout; the caller closes it. */
    public Jedis jedis(Duration timeout) {
        return new Jedis(HOST, port, (int) timeout.toMillis());
    }

    /** The JSON document nutcracker's stats port sends, as of its last aggregation interval. */
    public String stats() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, statsPort), 1000);
            socket.setSoTimeout(5000);
            try (InputStream in = socket.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read nutcracker stats from " + HOST + ":" + statsPort, e);
        }
    }

    /** The end of nutcracker's log and of what it printed. */
    public String log() {
        return Harness.tail(dir.resolve("nutcracker.log"), 4000) + "\n" + Harness.tail(dir.resolve("nutcracker.out"), 2000);
    }

    /** Kills nutcracker and waits for it to be gone. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "nutcracker " + address() + " (" + configFile() + ")";
    }

    private static Path writeConfig(Path dir, int port, String poolYamlBody) {
        String body = poolYamlBody.lines().map(line -> "  " + line).collect(Collectors.joining("\n"));
        String yaml = POOL + ":\n  listen: " + HOST + ":" + port + "\n" + body + "\n";
        try {
            return Files.writeString(dir.resolve("nutcracker.yml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write nutcracker config in " + dir, e);
        }
    }

    /** {@code nutcracker -t}: a bad configuration fails here with nutcracker's own words, not as a timeout. */
    private static void checkConfig(Path binary, Path config) {
        try {
            Process check = new ProcessBuilder(binary.toString(), "-t", "-c", config.toString())
                    .redirectErrorStream(true).start();
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!check.waitFor(10, TimeUnit.SECONDS) || check.exitValue() != 0) {
                throw new HarnessException("nutcracker rejects " + config + ":\n" + output
                        + "\nconfiguration:\n" + Files.readString(config));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run nutcracker -t", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted while checking " + config, e);
        }
    }

    /** The usual keys of a twemproxy Redis pool; a key left unset keeps nutcracker's default. */
    public static final class Builder {
        private final List<String> servers = new ArrayList<>();
        private final List<String> extraLines = new ArrayList<>();
        private String hash = "fnv1a_64";
        private String distribution = "ketama";
        private String hashTag;
        private Integer timeoutMillis;
        private Boolean autoEjectHosts;
        private Integer serverRetryTimeoutMillis;
        private Integer serverFailureLimit;
        private Boolean preconnect;
        private Integer statsIntervalMillis;

        private Builder() {}

        /** Adds servers named {@code server1}, {@code server2}, ... in the given order, weight 1. */
        public Builder servers(RedisServer... redis) {
            for (RedisServer server : redis) {
                server(server, "server" + (servers.size() + 1));
            }
            return this;
        }

        /** Adds a server with weight 1; the name is what ketama hashes, so it decides key placement. */
        public Builder server(RedisServer redis, String name) {
            return server(redis.address() + ":1 " + name);
        }

        /** Adds a raw servers line, {@code host:port:weight [name]}. */
        public Builder server(String line) {
            servers.add(line);
            return this;
        }

        public Builder hash(String hash) {
            this.hash = hash;
            return this;
        }

        public Builder distribution(String distribution) {
            this.distribution = distribution;
            return this;
        }

        /** Two characters, e.g. {@code "{}"}. */
        public Builder hashTag(String hashTag) {
            this.hashTag = hashTag;
            return this;
        }

        public Builder timeout(int millis) {
            this.timeoutMillis = millis;
            return this;
        }

        public Builder autoEjectHosts(boolean autoEjectHosts) {
            this.autoEjectHosts = autoEjectHosts;
            return this;
        }

        public Builder serverRetryTimeout(int millis) {
            this.serverRetryTimeoutMillis = millis;
            return this;
        }

        public Builder serverFailureLimit(int limit) {
            this.serverFailureLimit = limit;
            return this;
        }

        public Builder preconnect(boolean preconnect) {
            this.preconnect = preconnect;
            return this;
        }

        /** How often nutcracker refreshes the stats it reports (its {@code -i}; its default is 30 s). */
        public Builder statsInterval(int millis) {
            this.statsIntervalMillis = millis;
            return this;
        }

        /** Any other pool key, written as {@code key: value}. */
        public Builder set(String key, String value) {
            extraLines.add(key + ": " + value);
            return this;
        }

        /** The pool's YAML body as {@link Nutcracker#start(String)} takes it. */
        public String yaml() {
            if (servers.isEmpty()) {
                throw new IllegalStateException("a nutcracker pool needs at least one server");
            }
            List<String> lines = new ArrayList<>(List.of("redis: true", "hash: " + hash, "distribution: " + distribution));
            if (hashTag != null) {
                lines.add("hash_tag: \"" + hashTag + "\"");
            }
            optional(lines, "timeout", timeoutMillis);
            optional(lines, "auto_eject_hosts", autoEjectHosts);
            optional(lines, "server_retry_timeout", serverRetryTimeoutMillis);
            optional(lines, "server_failure_limit", serverFailureLimit);
            optional(lines, "preconnect", preconnect);
            lines.addAll(extraLines);
            lines.add("servers:");
            servers.forEach(server -> lines.add(" - " + server));
            return String.join("\n", lines) + "\n";
        }

        public Nutcracker start() {
            return Nutcracker.start(yaml(), statsIntervalMillis);
        }

        private static void optional(List<String> lines, String key, Object value) {
            if (value != null) {
                lines.add(key + ": " + value);
            }
        }
    }
}
