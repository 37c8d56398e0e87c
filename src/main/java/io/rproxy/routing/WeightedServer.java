package io.rproxy.routing;

/**
 * A server as the distributions see it.
 *
 * @param index    the server's position in its pool's configuration (what {@link Router#route} returns)
 * @param identity the text hashed onto the ketama ring: the server's name when configured, else "host:port"
 * @param weight   positive weight from the configuration
 */
public record WeightedServer(int index, String identity, int weight) {
}
