package io.rproxy.harness;

/** Thrown when the test harness cannot provide what a test asked for: a missing tool, a server that will not start. */
public final class HarnessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HarnessException(String message) {
        super(message);
    }

    public HarnessException(String message, Throwable cause) {
        super(message, cause);
    }
}
