package io.rproxy.admin;

import io.rproxy.admin.Snapshot.LoadedConfig;
import io.rproxy.admin.Snapshot.PoolSample;
import io.rproxy.admin.Snapshot.ServerSample;
import io.rproxy.routing.SlotMap;
import io.rproxy.config.PoolConfig;
import io.rproxy.config.SentinelConfig;
import io.rproxy.sentinel.SentinelStatus;
import io.rproxy.config.ServerSpec;
import io.rproxy.routing.HashTag;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The STATUS document: version, uptime, open descriptors and their limit, the active configuration with each pool's settings, live counters and
 * servers, and the staged configuration (null until one is loaded). A staged configuration is written with the
 * same shape as the active one, without the live parts. Field names are snake_case, times ISO-8601 UTC.
 */
final class StatusJson {
    private StatusJson() {
    }

    static String render(Snapshot snapshot) {
        JsonWriter w = new JsonWriter().beginObject()
                .field("version", snapshot.version())
                .field("started_at", snapshot.startedAt().toString())
                .field("uptime_s", snapshot.uptime().toSeconds());
        knownOrNull(w, "open_files", snapshot.openFiles().open());
        knownOrNull(w, "open_files_limit", snapshot.openFiles().limit());
        w.name("active");
        config(w, snapshot.active(), snapshot.pools().stream()
                .collect(Collectors.toMap(PoolSample::name, Function.identity())));
        w.name("staged");
        config(w, snapshot.staged(), Map.of());
        return w.endObject().toString();
    }

    /** @param live the running pools by name; a pool not in it is written with its settings only */
    private static void config(JsonWriter w, LoadedConfig loaded, Map<String, PoolSample> live) {
        if (loaded == null) {
            w.nullValue();
            return;
        }
        w.beginObject()
                .field("source", loaded.config().source().toAbsolutePath().toString())
                .field("sha256", loaded.sha256())
                .field("loaded_at", loaded.loadedAt().toString());
        w.name("pools").beginObject();
        for (PoolConfig pool : loaded.config().pools().values()) {
            w.name(pool.name());
            pool(w, pool, live.get(pool.name()));
        }
        w.endObject().endObject();
    }

    private static void pool(JsonWriter w, PoolConfig pool, PoolSample live) {
        if (pool.cluster()) {
            clusterPool(w, pool, live);
            return;
        }
        w.beginObject()
                .field("listen", pool.listen().toString())
                .field("hash", pool.hash().configName())
                .field("hash_tag", pool.hashTag().map(StatusJson::tag).orElse(null))
                .field("distribution", pool.distribution().configName());
        w.name("timeout_ms");
        pool.timeout().ifPresentOrElse(t -> w.value(t.toMillis()), w::nullValue);
        w.field("auto_eject_hosts", pool.autoEjectHosts())
                .field("server_connections", pool.serverConnections());
        tls(w, pool);
        if (live != null) {
            for (Metric<PoolSample> metric : Metric.POOL) {
                w.field(metric.name(), metric.of(live));
            }
            refused(w, live);
        }
        if (pool.sentinel().isPresent()) {
            sentinelServers(w, pool.sentinel().get(), live);
            return;
        }
        w.name("servers").beginArray();
        for (int i = 0; i < pool.servers().size(); i++) {
            server(w, pool.servers().get(i), live == null ? null : live.servers().get(i));
        }
        w.endArray().endObject();
    }

    /**
     * A Sentinel pool's {@code sentinels} (address, and when running its state and last error) and its masters as
     * {@code servers}: each with its ring {@code name}, its {@code master} name, and when running its current
     * {@code address}, {@code config_epoch}, {@code switches} and the usual state and counters.
     */
    private static void sentinelServers(JsonWriter w, SentinelConfig sentinel, PoolSample live) {
        w.name("sentinels").beginArray();
        for (int i = 0; i < sentinel.sentinels().size(); i++) {
            w.beginObject().field("address", sentinel.sentinels().get(i).toString());
            if (live != null) {
                SentinelStatus.Sentinel state = live.sentinel().sentinels().get(i);
                w.field("state", state.up() ? "up" : "down").field("last_error", state.lastError());
            }
            w.endObject();
        }
        w.endArray();
        w.name("servers").beginArray();
        for (int i = 0; i < sentinel.masters().size(); i++) {
            SentinelConfig.Master master = sentinel.masters().get(i);
            if (live == null) {
                w.beginObject().field("name", master.identity()).field("master", master.name())
                        .field("weight", master.weight()).endObject();
                continue;
            }
            SentinelStatus.Master now = live.sentinel().masters().get(i);
            ServerSample server = live.servers().get(i);
            w.beginObject().field("name", master.identity()).field("master", master.name())
                    .field("address", server.spec().address().toString()).field("weight", master.weight())
                    .field("config_epoch", now.epoch()).field("switches", now.switches());
            liveFields(w, server);
            w.endObject();
        }
        w.endArray().endObject();
    }

    /**
     * A cluster pool: its seeds as configured, the cluster's nodes (address, role, slot ranges) as last read,
     * and its masters with their live state and counters as {@code servers}.
     */
    private static void clusterPool(JsonWriter w, PoolConfig pool, PoolSample live) {
        w.beginObject()
                .field("listen", pool.listen().toString())
                .field("cluster", true);
        w.name("timeout_ms");
        pool.timeout().ifPresentOrElse(t -> w.value(t.toMillis()), w::nullValue);
        w.field("server_connections", pool.serverConnections());
        tls(w, pool);
        w.name("seeds").beginArray();
        pool.servers().forEach(s -> w.value(s.address().toString()));
        w.endArray();
        if (live != null) {
            for (Metric<PoolSample> metric : Metric.POOL) {
                w.field(metric.name(), metric.of(live));
            }
            refused(w, live);
            w.name("nodes").beginArray();
            for (SlotMap.Node node : live.clusterMap().nodes()) {
                w.beginObject().field("address", node.address().toString()).field("role", node.role().wireName());
                w.name("slots").beginArray();
                node.slots().forEach(r -> w.value(r.toString()));
                w.endArray().endObject();
            }
            w.endArray();
            w.name("servers").beginArray();
            live.servers().forEach(s -> server(w, s.spec(), s));
            w.endArray();
        }
        w.endObject();
    }

    /**
     * {@code "tls"}: the certificate the pool's clients are shown now (after a reload, the new one: what an operator
     * rotating it checks), null for plain TCP; {@code "server_tls"}: how the pool reaches its servers, null likewise.
     */
    private static void tls(JsonWriter w, PoolConfig pool) {
        w.name("tls");
        pool.tls().clients().ifPresentOrElse(tls -> {
            X509Certificate certificate = tls.context().certificate();
            w.beginObject()
                    .field("cert_file", tls.certFile().toString())
                    .field("subject", certificate.getSubjectX500Principal().getName())
                    .field("serial", certificate.getSerialNumber().toString(16))
                    .field("not_after", certificate.getNotAfter().toInstant().toString())
                    .field("client_certificates", tls.context().requiresClientCertificates())
                    .endObject();
        }, w::nullValue);
        w.name("server_tls");
        pool.tls().servers().ifPresentOrElse(tls -> w.beginObject()
                .field("ca_cert_file", tls.caCertFile().map(Object::toString).orElse(null))
                .field("cert_file", tls.certFile().map(Object::toString).orElse(null))
                .field("server_name", tls.serverName().orElse(null))
                .endObject(), w::nullValue);
    }

    /** {@code "refused_commands": {"keys": 3, ...}}: refusals by command name. */
    private static void refused(JsonWriter w, PoolSample live) {
        w.name("refused_commands").beginObject();
        live.stats().refusedByCommand().forEach(w::field);
        w.endObject();
    }

    private static void server(JsonWriter w, ServerSpec spec, ServerSample live) {
        w.beginObject()
                .field("name", spec.identity())
                .field("address", spec.address().toString())
                .field("weight", spec.weight());
        if (live != null) {
            liveFields(w, live);
        }
        w.endObject();
    }

    private static void liveFields(JsonWriter w, ServerSample live) {
        w.field("state", live.status().state().wireName())
                .field("ejected_until", live.status().ejectedUntil().map(Object::toString).orElse(null))
                .field("consecutive_failures", live.status().consecutiveFailures());
        for (Metric<ServerSample> metric : Metric.SERVER) {
            if (!metric.name().equals("up")) {
                w.field(metric.name(), metric.of(live));
            }
        }
    }

    /** A count the platform may not know (-1) as null. */
    private static void knownOrNull(JsonWriter w, String name, long value) {
        w.name(name);
        if (value < 0) {
            w.nullValue();
        } else {
            w.value(value);
        }
    }

    private static String tag(HashTag tag) {
        return new String(new byte[] {tag.open(), tag.close()}, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
