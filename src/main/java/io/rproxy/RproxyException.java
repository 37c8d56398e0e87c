package io.rproxy;

/**
 * Root of rproxy's own unchecked exceptions. The catch ladder at the top of each thread decides, by subtype,
 * what is logged and at which level; everything else that escapes is a bug and is logged with its stack.
 */
public class RproxyException extends RuntimeException {
    public RproxyException(String message) {
        super(message);
    }

    public RproxyException(String message, Throwable cause) {
        super(message, cause);
    }
}
