package io.rproxy.cli;

import java.util.Properties;

/**
 * How many OS threads carry rproxy's virtual threads, and how many pollers wait on their sockets. Both are settings
 * of the whole JVM ({@value #PARALLELISM}, {@value #READ_POLLERS}) that count only when made before the first
 * virtual thread starts, so {@code run} makes them first. A {@code -D} given to the JVM wins.
 *
 * <p>The default is half the cores, at least one: the kernel's TCP work for the proxy's sockets (about four fifths
 * of its CPU on loopback) and the servers need the other half. On 2 cores, shared with two redis-servers and
 * redis-benchmark (50 clients, pipeline 1), one carrier served about 66k requests/s against 52k with the JDK's
 * default of two, at 12 instead of 17 us of CPU per request, and at pipeline 16 560k against 500k: with one carrier
 * a reply wakes its client on the same OS thread instead of waking another. One poller per carrier (the JDK makes
 * one per core) took another 5%.
 */
final class CarrierThreads {
    static final String PARALLELISM = "jdk.virtualThreadScheduler.parallelism";
    static final String READ_POLLERS = "jdk.readPollers";

    private CarrierThreads() {
    }

    /** The default for a machine with {@code cores} cores. */
    static int defaultCount(int cores) {
        return Math.max(1, cores / 2);
    }

    /**
     * Sets the carrier and poller counts in {@code properties} (the system properties) unless they are set already.
     *
     * @param requested the carriers asked for; 0 for {@link #defaultCount}
     * @return the carrier count in effect
     */
    static int configure(int requested, int cores, Properties properties) {
        if (requested < 0) {
            throw new IllegalArgumentException("carrier threads must be 1 or more (0 for the default), not "
                    + requested);
        }
        int carriers = requested > 0 ? requested : defaultCount(cores);
        String given = properties.getProperty(PARALLELISM);
        if (given != null) {
            try {
                carriers = Integer.parseInt(given.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + PARALLELISM + "=" + given + " is not a number", e);
            }
        } else {
            properties.setProperty(PARALLELISM, Integer.toString(carriers));
        }
        if (properties.getProperty(READ_POLLERS) == null) {
            // The JDK wants a power of two here.
            properties.setProperty(READ_POLLERS, Integer.toString(Integer.highestOneBit(carriers)));
        }
        return carriers;
    }
}
