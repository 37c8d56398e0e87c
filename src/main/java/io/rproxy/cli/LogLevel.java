package io.rproxy.cli;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.event.Level;

/**
 * The process's log level, which SIGTTIN and SIGTTOU move one step at a time (as nutcracker's do) and
 * {@code rproxy nutcracker -v N} sets at start.
 *
 * <p>slf4j-simple fixes each logger's level when the logger is made and offers no way to change it later, so
 * {@link SteppedLogProvider} makes loggers that ask this class instead: a logger's level is the one slf4j-simple
 * configured for it, moved by {@link #shift()} steps. State is static on purpose: logging is one thing per JVM,
 * as slf4j's own configuration is. Any thread may call it (signal handlers do).
 */
final class LogLevel {
    /** slf4j-simple's levels, most verbose first, 10 apart (TRACE = 0 ... ERROR = 40). */
    static final List<Level> STEPS = List.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR);
    private static final int STEP = 10;
    /** Steps towards TRACE (positive) or ERROR (negative) from the configured level. */
    private static final AtomicInteger shift = new AtomicInteger();
    /** The level of loggers without a level of their own (slf4j-simple's defaultLogLevel); set by the provider. */
    private static volatile int base = 20;

    private LogLevel() {
    }

    static int shift() {
        return shift.get();
    }

    static void base(int configured) {
        base = configured;
    }

    /** Whether a logger configured at {@code configured} logs an event at {@code level} (slf4j-simple's ints). */
    static boolean enabled(int configured, int level) {
        int threshold = Math.clamp(configured - STEP * shift.get(), 0, 4 * STEP);
        return level >= threshold;
    }

    /** One step more verbose, down to TRACE; returns the level now in force for loggers without their own. */
    static Level raise() {
        return move(1);
    }

    /** One step less verbose, up to ERROR; returns the level now in force. */
    static Level lower() {
        return move(-1);
    }

    /** Sets the level of loggers without a level of their own. */
    static void set(Level level) {
        shift.set((base - STEPS.indexOf(level) * STEP) / STEP);
    }

    static Level current() {
        return STEPS.get(Math.clamp((base - STEP * shift.get()) / STEP, 0, STEPS.size() - 1));
    }

    /** Whether the loggers are ours; false when another slf4j provider was chosen (then the level stays). */
    static boolean adjustable() {
        return org.slf4j.LoggerFactory.getILoggerFactory() instanceof SteppedLogProvider.Factory;
    }

    private static Level move(int direction) {
        shift.updateAndGet(s -> {
            int next = base - STEP * (s + direction);
            return next < 0 || next > 4 * STEP ? s : s + direction;
        });
        return current();
    }

    /**
     * nutcracker's -v: 0-3 (emerg, alert, crit, error) log errors only, 4 warnings, 5 and 6 (notice, info) INFO, its
     * default 5 included, 7 debug, 8 and above (verbose ... pverbose) TRACE.
     */
    static Level ofNutcracker(int verbosity) {
        if (verbosity <= 3) {
            return Level.ERROR;
        }
        return switch (verbosity) {
            case 4 -> Level.WARN;
            case 5, 6 -> Level.INFO;
            case 7 -> Level.DEBUG;
            default -> Level.TRACE;
        };
    }
}
