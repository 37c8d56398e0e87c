package io.rproxy.cli;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.simple.SimpleLogger;
import org.slf4j.simple.SimpleLoggerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * slf4j-simple (its output format, its simplelogger.properties) with loggers whose level can move at run time:
 * each asks {@link LogLevel} instead of keeping the level it was made with. {@link Main} selects it through
 * slf4j's {@code slf4j.provider} property before the first logger is made; it extends slf4j-simple only through
 * the protected constructor and level check that slf4j-simple offers for subclasses. Loggers are made on whatever
 * thread first asks for one.
 */
public final class SteppedLogProvider implements SLF4JServiceProvider {
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private Factory factory;

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        factory = new Factory();
        // A logger without a level of its own has slf4j-simple's defaultLogLevel: what SIGTTIN/SIGTTOU report.
        LogLevel.base(((SteppedLogger) factory.getLogger("rproxy")).configured());
    }

    /** slf4j-simple's factory (one logger per name) making {@link SteppedLogger}s. */
    static final class Factory extends SimpleLoggerFactory {
        @Override
        protected Logger createLogger(String name) {
            return new SteppedLogger(name);
        }
    }

    /**
     * A SimpleLogger whose level is the configured one moved by {@link LogLevel#shift()}; except {@link Signals}'s,
     * which keeps its configured level, so that "log level lowered to ERROR" is still written (nutcracker writes
     * its signal notices whatever the level, too).
     */
    static final class SteppedLogger extends SimpleLogger {
        private static final long serialVersionUID = 1L;
        private final boolean fixed;

        SteppedLogger(String name) {
            super(name);
            this.fixed = name.equals(Signals.class.getName());
        }

        int configured() {
            return currentLogLevel;
        }

        @Override
        protected boolean isLevelEnabled(int level) {
            return fixed ? level >= currentLogLevel : LogLevel.enabled(currentLogLevel, level);
        }
    }
}
