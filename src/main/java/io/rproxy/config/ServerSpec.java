package io.rproxy.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One line of a pool's {@code servers} list: "host:port:weight [name]".
 *
 * @param name the configured name, if any
 */
public record ServerSpec(HostPort address, int weight, Optional<String> name) {
    public ServerSpec {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(name, "name");
        if (weight <= 0) {
            throw new IllegalArgumentException("weight must be > 0, got " + weight);
        }
        if (name.isPresent() && (name.get().isEmpty() || name.get().chars().anyMatch(Character::isWhitespace))) {
            throw new IllegalArgumentException("server name '" + name.get() + "' must be one word");
        }
    }

    /**
     * Parses a server line as twemproxy does: the weight follows the last ':' of the first word, an optional
     * name is the second word. Port 0 is refused (nothing can be reached there). IllegalArgumentException with
     * a readable message otherwise.
     */
    public static ServerSpec parse(String line) {
        String[] words = line.strip().split("\\s+");
        String addressAndWeight = words[0];
        int colon = addressAndWeight.lastIndexOf(':');
        if (words.length > 2 || colon <= 0 || colon == addressAndWeight.length() - 1) {
            throw new IllegalArgumentException("'" + line + "' is not host:port:weight [name]");
        }
        HostPort address;
        try {
            address = HostPort.parse(addressAndWeight.substring(0, colon));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + line + "' is not host:port:weight [name]: " + e.getMessage());
        }
        if (address.port() == 0) {
            throw new IllegalArgumentException("'" + line + "' has port 0, which no server listens on");
        }
        int weight;
        try {
            weight = Integer.parseInt(addressAndWeight.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + line + "' has a weight that is not an integer");
        }
        if (weight <= 0) {
            throw new IllegalArgumentException("'" + line + "': weight must be > 0, got " + weight);
        }
        return new ServerSpec(address, weight, words.length == 2 ? Optional.of(words[1]) : Optional.empty());
    }

    /**
     * Parses a cluster seed: "host:port", or a full server line (whose weight the caller checks). A seed's
     * identity is its address.
     */
    public static ServerSpec parseSeed(String line) {
        String word = line.strip();
        if (word.isEmpty() || word.chars().anyMatch(Character::isWhitespace) || word.chars()
                .filter(c -> c == ':').count() != 1) {
            return parse(line);
        }
        HostPort address;
        try {
            address = HostPort.parse(word);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + line + "' is not host:port: " + e.getMessage());
        }
        if (address.port() == 0) {
            throw new IllegalArgumentException("'" + line + "' has port 0, which no server listens on");
        }
        return new ServerSpec(address, 1, Optional.empty());
    }

    /** The same server at another address (a Sentinel failover moved it): its name, and so its keys, stay. */
    public ServerSpec at(HostPort moved) {
        return new ServerSpec(moved, weight, name);
    }

    /** A cluster node found in the slot map: weight 1, no name. */
    public static ServerSpec node(HostPort address) {
        return new ServerSpec(address, 1, Optional.empty());
    }

    /**
     * What twemproxy hashes onto the ketama ring (and sorts servers by for modula): the name, else "host:port";
     * nutcracker 0.5.0 leaves out the port when it is 11211, memcached's default (a libmemcached leftover in
     * nc_conf.c, confirmed against the real nutcracker by the routing golden vectors).
     */
    public String identity() {
        return name.orElseGet(() -> address.port() == 11211 ? address.host() : address.toString());
    }

    /** "redis1 (127.0.0.1:6379)" or "127.0.0.1:6379": how error messages name this server. */
    public String describe() {
        return name.map(n -> n + " (" + address + ")").orElseGet(address::toString);
    }
}
