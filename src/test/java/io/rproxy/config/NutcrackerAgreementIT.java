package io.rproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rproxy.harness.Harness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every pool key nutcracker 0.5.0 knows, and the values it refuses, given to the real {@code nutcracker -t} and to
 * rproxy: both accept, or both refuse, except that rproxy knows reuseport, which twemproxy added after 0.5.0
 * (README says so; memcached pools and unix sockets are refused by rproxy on purpose, see NutcrackerYamlTest).
 */
class NutcrackerAgreementIT {
    /** What each side does with one pool line. */
    enum Verdict { BOTH_ACCEPT, BOTH_REFUSE, ONLY_NUTCRACKER_ACCEPTS, ONLY_RPROXY_ACCEPTS }

    record Case(String line, Verdict verdict) {
        @Override
        public String toString() {
            return line + " -> " + verdict;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("hash: murmur", Verdict.BOTH_ACCEPT),
                new Case("hash: fnv", Verdict.BOTH_REFUSE),
                new Case("hash_tag: \"{}\"", Verdict.BOTH_ACCEPT),
                new Case("hash_tag: \"{\"", Verdict.BOTH_REFUSE),
                new Case("distribution: modula", Verdict.BOTH_ACCEPT),
                new Case("distribution: random", Verdict.BOTH_ACCEPT),
                new Case("distribution: rendezvous", Verdict.BOTH_REFUSE),
                new Case("timeout: 400", Verdict.BOTH_ACCEPT),
                new Case("timeout: \"400\"", Verdict.BOTH_ACCEPT),
                new Case("timeout: -1", Verdict.BOTH_REFUSE),
                new Case("timeout: 4s", Verdict.BOTH_REFUSE),
                new Case("timeout: 0", Verdict.BOTH_ACCEPT),
                new Case("backlog: 1024", Verdict.BOTH_ACCEPT),
                new Case("backlog: 0", Verdict.BOTH_ACCEPT),
                new Case("client_connections: 100", Verdict.BOTH_ACCEPT),
                new Case("client_connections: 0", Verdict.BOTH_ACCEPT),
                new Case("client_connections: -1", Verdict.BOTH_REFUSE),
                new Case("redis_auth: secret", Verdict.BOTH_ACCEPT),
                new Case("redis_auth: \"\"", Verdict.BOTH_REFUSE),
                new Case("redis_db: 3", Verdict.BOTH_ACCEPT),
                new Case("redis_db: -1", Verdict.BOTH_REFUSE),
                new Case("preconnect: true", Verdict.BOTH_ACCEPT),
                new Case("preconnect: yes", Verdict.BOTH_REFUSE),
                new Case("preconnect: 1", Verdict.BOTH_REFUSE),
                new Case("auto_eject_hosts: true", Verdict.BOTH_ACCEPT),
                new Case("server_connections: 4", Verdict.BOTH_ACCEPT),
                new Case("server_connections: 0", Verdict.BOTH_REFUSE),
                new Case("server_retry_timeout: 1000", Verdict.BOTH_ACCEPT),
                new Case("server_retry_timeout: 0", Verdict.BOTH_ACCEPT),
                new Case("server_failure_limit: 3", Verdict.BOTH_ACCEPT),
                new Case("server_failure_limit: 0", Verdict.BOTH_ACCEPT),
                new Case("tcpkeepalive: true", Verdict.BOTH_ACCEPT),
                new Case("reuseport: true", Verdict.ONLY_RPROXY_ACCEPTS),
                new Case("hash: md5\n  hash: md5", Verdict.BOTH_REFUSE),
                new Case("bogus: 1", Verdict.BOTH_REFUSE),
                new Case("servers_extra: [a]", Verdict.BOTH_REFUSE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nutcrackerAndRproxyAgreeOnEveryKey(Case c) throws Exception {
        String yaml = "pool:\n  listen: 127.0.0.1:22199\n  redis: true\n  " + c.line()
                + "\n  servers:\n   - 127.0.0.1:6379:1 one\n";
        Path file = Files.createTempFile(Harness.dir(), "agreement-", ".yml");
        Files.writeString(file, yaml);
        boolean nutcracker = nutcrackerAccepts(file);
        boolean rproxy;
        try {
            ConfigLoader.parse(yaml, file);
            rproxy = true;
        } catch (ConfigException e) {
            rproxy = false;
        }
        Verdict seen = nutcracker && rproxy ? Verdict.BOTH_ACCEPT : !nutcracker && !rproxy ? Verdict.BOTH_REFUSE
                : nutcracker ? Verdict.ONLY_NUTCRACKER_ACCEPTS : Verdict.ONLY_RPROXY_ACCEPTS;
        assertEquals(c.verdict(), seen, yaml);
    }

    private static boolean nutcrackerAccepts(Path file) throws Exception {
        Process test = new ProcessBuilder(Harness.requireNutcracker().toString(), "-t", "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!test.waitFor(30, TimeUnit.SECONDS)) {
            test.destroyForcibly();
            throw new AssertionError("nutcracker -t did not finish");
        }
        return test.exitValue() == 0;
    }
}
