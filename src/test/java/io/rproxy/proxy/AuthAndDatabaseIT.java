package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rproxy.harness.RedisServer;
import io.rproxy.harness.RunningProxy;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** redis_auth (clients must AUTH; rproxy authenticates its backend connections) and redis_db. */
class AuthAndDatabaseIT {

    @Test
    void clientsMustAuthenticateAndBackendsAreAuthenticatedWithTheSamePassword() {
        try (RedisServer one = RedisServer.start("--requirepass", "s3cret");
             RedisServer two = RedisServer.start("--requirepass", "s3cret");
             RunningProxy proxy = RunningProxy.startPool("redis_auth = \"s3cret\"", one, two);
             Jedis client = proxy.jedis()) {
            JedisDataException noAuth = assertThrows(JedisDataException.class, () -> client.get("k"));
            assertEquals("NOAUTH Authentication required.", noAuth.getMessage());
            for (String[] local : new String[][] {{"INFO"}, {"TIME"}, {"CLIENT", "SETINFO", "LIB-NAME", "x"}}) {
                JedisDataException before = assertThrows(JedisDataException.class,
                        () -> client.sendCommand(() -> local[0].getBytes(), java.util.Arrays.copyOfRange(local, 1,
                                local.length)));
                assertEquals("NOAUTH Authentication required.", before.getMessage(), local[0]);
            }
            JedisDataException wrong = assertThrows(JedisDataException.class, () -> client.auth("guess"));
            assertEquals("WRONGPASS invalid username-password pair or user is disabled.", wrong.getMessage());
            assertThrows(JedisDataException.class, () -> client.set("k", "v"), "a wrong password grants nothing");

            assertEquals("OK", client.auth("s3cret"));
            for (int i = 0; i < 50; i++) {
                assertEquals("OK", client.set("k" + i, "v" + i));
                assertEquals("v" + i, client.get("k" + i));
            }
            assertEquals("OK", client.auth("default", "s3cret"), "the Redis 6 form with the default user");
        }
    }

    @Test
    void authWithoutAConfiguredPasswordIsRefusedAsRedisRefusesIt() {
        try (RedisServer one = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("", one);
             Jedis client = proxy.jedis()) {
            JedisDataException refused = assertThrows(JedisDataException.class, () -> client.auth("x"));
            assertEquals("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?", refused.getMessage());
        }
    }

    @Test
    void everyBackendConnectionSelectsTheConfiguredDatabase() {
        try (RedisServer one = RedisServer.start();
             RedisServer two = RedisServer.start();
             RunningProxy proxy = RunningProxy.startPool("redis_db = 3", one, two);
             Jedis client = proxy.jedis()) {
            for (int i = 0; i < 40; i++) {
                client.set("db:" + i, "x");
            }
            long inDb3 = 0;
            for (RedisServer server : new RedisServer[] {one, two}) {
                try (Jedis direct = server.jedis()) {
                    assertEquals(0, direct.dbSize(), "nothing in database 0 of " + server);
                    direct.select(3);
                    inDb3 += direct.dbSize();
                }
            }
            assertEquals(40, inDb3);
        }
    }
}
