package io.rproxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rproxy.harness.FreePorts;
import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** GET /metrics over HTTP, parsed as Prometheus parses its text format. */
class MetricsIT {
    /** name{labels} value */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    @Test
    void metricsAreScrapedAndMatchTheTraffic() throws Exception {
        int metricsPort = FreePorts.pick();
        try (RedisServer one = RedisServer.start();
             RedisServer two = RedisServer.start();
             RunningProxy proxy = RunningProxy.start("[metrics]\nlisten = \"127.0.0.1:" + metricsPort + "\"\n"
                     + RunningProxy.poolToml("shop", FreePorts.pick(), "", List.of(
                             "\"" + one.address() + ":1 first\"", "\"" + two.address() + ":1 second\"")));
             RespClient client = new RespClient(proxy.port("shop"))) {
            int requests = 50;
            for (int i = 0; i < requests; i++) {
                client.call("SET", "m:" + i, "v");
            }
            String[] mget = new String[21];
            mget[0] = "MGET";
            for (int k = 1; k <= 20; k++) {
                mget[k] = "m:" + k;
            }
            assertEquals(20, client.call(mget).elements().size()); // split over both servers
            requests++;

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            Map<String, String> types = new HashMap<>();
            List<Sample> samples = parse(response.body(), types);

            long sent = Math.round(value(samples, "rproxy_server_requests_total", "shop", "first")
                    + value(samples, "rproxy_server_requests_total", "shop", "second"));
            assertTrue(sent > requests, "the MGET went out as one request per server: " + sent);
            assertEquals(sent, Math.round(value(samples, "rproxy_server_responses_total", "shop", "first")
                    + value(samples, "rproxy_server_responses_total", "shop", "second")));
            assertEquals(1, value(samples, "rproxy_server_up", "shop", "first"));
            assertEquals(sent - (requests - 1), value(samples, "rproxy_pool_fragments_total", "shop", null));
            assertEquals(1, value(samples, "rproxy_pool_client_connections", "shop", null));
            assertEquals("counter", types.get("rproxy_server_requests_total"));
            assertEquals("gauge", types.get("rproxy_server_up"));
            assertEquals("histogram", types.get("rproxy_request_duration_seconds"));

            // The histogram: cumulative buckets ending in +Inf, which equals _count: every request served.
            List<Sample> buckets = samples.stream()
                    .filter(s -> s.name().equals("rproxy_request_duration_seconds_bucket")).toList();
            double previous = 0;
            for (Sample bucket : buckets) {
                assertTrue(bucket.value() >= previous, "cumulative: " + bucket);
                previous = bucket.value();
            }
            assertEquals("+Inf", buckets.get(buckets.size() - 1).labels().get("le"));
            assertEquals(requests, previous);
            assertEquals(requests, value(samples, "rproxy_request_duration_seconds_count", "shop", null));
            assertTrue(value(samples, "rproxy_request_duration_seconds_sum", "shop", null) > 0);

            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metricsPort + "/other")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
        }
    }

    /** Every sample, checking that each belongs to a family announced with HELP and TYPE. */
    static List<Sample> parse(String text, Map<String, String> types) {
        List<Sample> samples = new ArrayList<>();
        Map<String, Boolean> help = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                help.put(line.split(" ")[2], true);
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                types.put(parts[2], parts[3]);
            } else if (!line.isBlank()) {
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "a sample line: " + line);
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    int end = 0;
                    while (l.find() && l.start() == end) {
                        labels.put(l.group(1), l.group(2));
                        end = l.end();
                    }
                    assertEquals(m.group(2).length(), end, "labels parse: " + line);
                }
                String family = m.group(1).replaceAll("_(bucket|sum|count)$", "");
                String name = types.containsKey(m.group(1)) ? m.group(1) : family;
                assertTrue(types.containsKey(name) && help.containsKey(name), "HELP and TYPE before " + line);
                samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
            }
        }
        return samples;
    }

    private static double value(List<Sample> samples, String name, String pool, String server) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && pool.equals(s.labels().get("pool"))
                        && (server == null || server.equals(s.labels().get("server"))))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " for " + pool + "/" + server))
                .value();
    }
}
