/**
 * The configuration as immutable records ({@code ProxyConfig}, {@code PoolConfig}, {@code ServerSpec}, ...),
 * built once from a TOML file by {@code ConfigLoader} and validated in their constructors; every problem of a
 * file is reported at once as {@code file:line: key: message} in one {@code ConfigException}.
 *
 * <p>No threads: loaded on whichever thread starts or reloads the proxy, then shared read-only.
 */
package io.rproxy.config;
