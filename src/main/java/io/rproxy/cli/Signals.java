package io.rproxy.cli;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import sun.misc.Signal;

/**
 * What {@code rproxy run} does on each signal an operator, a runbook written for nutcracker or an init system
 * may send. Left at their default action, SIGTTIN and SIGTTOU would stop the whole process (every client waits
 * until a SIGCONT), SIGUSR1 and SIGALRM would kill it and SIGUSR2 crash the JVM. So:
 * <ul>
 *   <li>SIGHUP reloads the configuration file (rproxy's documented meaning; nutcracker reopens its log);
 *   <li>SIGTTIN / SIGTTOU raise / lower the log level one step, as nutcracker does;
 *   <li>SIGUSR1, SIGUSR2 and SIGALRM are logged and otherwise ignored (nutcracker ignores USR1 and USR2 too);
 *   <li>SIGINT and SIGTERM stop the proxy without losing a reply (the JVM's shutdown hooks);
 *   <li>SIGPIPE is ignored by the JVM already (a closed peer is an I/O error on its socket), and SIGQUIT prints
 *       a thread dump to stdout and carries on (the JVM keeps that signal for itself).
 * </ul>
 * The JVM runs each handler on a short-lived thread of its own, so a slow reload stalls nothing else.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);
    static final List<String> IGNORED = List.of("USR1", "USR2", "ALRM");

    private Signals() {
    }

    /** Installs every handler; {@code hangup} is what SIGHUP does. */
    static void install(Runnable hangup) {
        handle("HUP", hangup);
        handle("TTIN", () -> log.info("SIGTTIN: log level raised to {}", changed(LogLevel.raise())));
        handle("TTOU", () -> log.info("SIGTTOU: log level lowered to {}", changed(LogLevel.lower())));
        for (String name : IGNORED) {
            handle(name, () -> log.info("SIG{} received and ignored (it has no meaning for rproxy)", name));
        }
    }

    private static String changed(Level level) {
        return LogLevel.adjustable() ? level.toString()
                : level + " (not in effect: slf4j uses another provider than rproxy's)";
    }

    private static void handle(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), signal -> {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    log.error("SIG{}: handling it failed", name, e);
                }
            });
        } catch (IllegalArgumentException e) {
            log.warn("SIG{} cannot be handled here ({}); it keeps its default action", name, e.getMessage());
        }
    }
}
