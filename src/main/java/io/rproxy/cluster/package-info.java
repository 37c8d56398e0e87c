/**
 * A pool that fronts a Redis Cluster: {@code Cluster} implements {@code backend.Targets} with hash slots and the
 * masters that serve them, keeps the slot map fresh, and {@code ClusterRequest} follows MOVED, ASK and TRYAGAIN
 * so that a client never sees a redirection.
 *
 * <p>Requests are sent and their redirections followed on client threads; the map is refreshed on the
 * backend's {@code supervisor} thread.
 */
package io.rproxy.cluster;
