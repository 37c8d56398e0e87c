package io.rproxy.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code listen} keys of one file and refuses an address that another listener of the same file
 * already holds. With {@code reuseport} the kernel would let two pools bind one address and then deal
 * connections between them at random, so a clash has to be caught here rather than at bind time. Lives for
 * one load, on the thread that makes it.
 */
final class ListenAddresses {
    /** Each address read so far, with the key that holds it ("pools.alpha.listen", line 3). */
    private final Map<HostPort, String> holders = new LinkedHashMap<>();

    /** Claims an address that is not written in the file, such as the admin port's default. */
    void reserve(HostPort address, String holder) {
        holders.put(address, holder);
    }

    /** Parses and claims {@code table.key}; empty (with a problem recorded) if absent or unusable. */
    Optional<HostPort> read(TableReader table, String key) {
        Optional<String> text = table.string(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        HostPort address;
        try {
            address = HostPort.parse(text.get());
        } catch (IllegalArgumentException e) {
            table.problem(key, e.getMessage());
            return Optional.empty();
        }
        if (address.port() == 0) {
            table.problem(key, "port 0 is not allowed: clients need a fixed port to connect to");
            return Optional.empty();
        }
        for (Map.Entry<HostPort, String> held : holders.entrySet()) {
            if (address.equals(held.getKey())) {
                table.problem(key, address + " is already the listen address of " + held.getValue()
                        + "; every listener needs its own address");
                return Optional.empty();
            }
            if (overlap(address, held.getKey())) {
                table.problem(key, address + " overlaps " + held.getKey() + ", the listen address of "
                        + held.getValue() + ": a wildcard address takes the port on every interface");
                return Optional.empty();
            }
        }
        holders.put(address, table.dotted(key) + " (line " + table.line(key) + ")");
        return Optional.of(address);
    }

    /** Same port, and the same host or a wildcard one (which takes the port on every interface). */
    private static boolean overlap(HostPort a, HostPort b) {
        return a.port() == b.port()
                && (a.host().equals(b.host()) || isWildcard(a.host()) || isWildcard(b.host()));
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }
}
