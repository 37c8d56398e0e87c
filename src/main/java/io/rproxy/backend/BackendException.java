package io.rproxy.backend;

import io.rproxy.RproxyException;

/** A backend could not be reached or refused our handshake (AUTH, SELECT). */
public final class BackendException extends RproxyException {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
