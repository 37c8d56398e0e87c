package io.rproxy.routing;

/**
 * A server as the distributions see it.
 *
 * @param index    the server's position in its pool's configuration (what {@link Router#route} returns)
 * @param identity the text hashed onto the ketama ring: the server's name when configured, else "host:port",
 *                 or "host" alone when the port is 11211 (nutcracker keeps that libmemcached rule). It also
 *                 orders the servers for modula: see {@link Router#inTwemproxyOrder}
 * @param weight   positive weight from the configuration
 */
public record WeightedServer(int index, String identity, int weight) {
}
