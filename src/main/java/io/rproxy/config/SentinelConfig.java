package io.rproxy.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The Sentinel side of a pool ({@code sentinels}, {@code sentinel_password}, and {@code servers} as master names):
 * each server of the pool is a master that Redis Sentinel names, found at run time by asking the sentinels and
 * followed through their failovers. Keys are placed by each master's name, never by its address, so a failover
 * moves no key. See README, "Redis Sentinel".
 *
 * @param sentinels the sentinels asked and followed, in configuration order
 * @param password  sent with AUTH to every sentinel (the sentinels' own {@code requirepass}); empty for none. The
 *                  masters take the pool's {@code redis_auth}
 * @param masters   the pool's servers, in configuration order (order, names and weights place the keys)
 */
public record SentinelConfig(List<HostPort> sentinels, Optional<String> password, List<Master> masters) {
    public SentinelConfig {
        sentinels = List.copyOf(sentinels);
        masters = List.copyOf(masters);
        Objects.requireNonNull(password, "password");
        if (sentinels.isEmpty() || masters.isEmpty()) {
            throw new IllegalArgumentException("a Sentinel pool needs at least one sentinel and one master");
        }
        if (password.isPresent() && password.get().isEmpty()) {
            throw new IllegalArgumentException("the sentinels' password must not be empty; leave it out for none");
        }
        Set<String> names = new HashSet<>();
        Set<String> identities = new HashSet<>();
        for (Master master : masters) {
            if (!names.add(master.name()) || !identities.add(master.identity())) {
                throw new IllegalArgumentException("master '" + master.name() + "' (ring name '" + master.identity()
                        + "') is listed twice");
            }
        }
    }

    /**
     * One entry of a Sentinel pool's {@code servers}: {@code "name:weight [ring name]"}.
     *
     * @param name     the master's name as the sentinels know it ({@code sentinel monitor <name> ...})
     * @param ringName the name the master takes on the hash ring; empty to use its master name
     */
    public record Master(String name, int weight, Optional<String> ringName) {
        public Master {
            Objects.requireNonNull(ringName, "ringName");
            if (name == null || name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("master name '" + name + "' must be one word");
            }
            if (weight <= 0) {
                throw new IllegalArgumentException("weight must be > 0, got " + weight);
            }
            if (ringName.isPresent() && (ringName.get().isEmpty()
                    || ringName.get().chars().anyMatch(Character::isWhitespace))) {
                throw new IllegalArgumentException("ring name '" + ringName.get() + "' must be one word");
            }
        }

        /**
         * Parses {@code "name:weight [ring name]"}, the weight after the last ':' as in a server line;
         * IllegalArgumentException with a readable message otherwise.
         */
        public static Master parse(String line) {
            String[] words = line.strip().split("\\s+");
            int colon = words[0].lastIndexOf(':');
            if (words.length > 2 || colon <= 0 || colon == words[0].length() - 1) {
                throw new IllegalArgumentException("'" + line + "' is not master-name:weight [name] (a Sentinel pool's"
                        + " servers are the names its sentinels monitor, e.g. \"mymaster:1\")");
            }
            if (words[0].substring(0, colon).contains(":")) {
                throw new IllegalArgumentException("'" + line + "' looks like an address: a Sentinel pool's servers are"
                        + " the names its sentinels monitor (sentinel monitor <name> ...), \"name:weight [name]\"");
            }
            int weight;
            try {
                weight = Integer.parseInt(words[0].substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + line + "' has a weight that is not an integer");
            }
            if (weight <= 0) {
                throw new IllegalArgumentException("'" + line + "': weight must be > 0, got " + weight);
            }
            return new Master(words[0].substring(0, colon), weight,
                    words.length == 2 ? Optional.of(words[1]) : Optional.empty());
        }

        /**
         * What places the master's keys on the ring (ketama hashes it, modula sorts by it) and names it in stats:
         * its ring name, else its master name. Never its address: a failover moves no key.
         */
        public String identity() {
            return ringName.orElse(name);
        }

        /**
         * The server as a sharded pool sees it at {@code address}: its identity as its name, so that it takes the
         * place on the ring that a plain server of that name would.
         */
        public ServerSpec at(HostPort address) {
            return new ServerSpec(address, weight, Optional.of(identity()));
        }
    }
}
