package io.rproxy.pinning;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test class that pins carriers on purpose (the detector's own test): {@link PinCheck} still attributes its
 * pins to it in the report, but does not fail it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface AllowPins {
    /** Why the class pins. */
    String value();
}
