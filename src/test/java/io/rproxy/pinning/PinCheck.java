package io.rproxy.pinning;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Fails a test class during which a virtual thread was pinned to its carrier, past the threshold, with rproxy's main
 * code on its stack (the request path, not a test's own threads). Registered for every test class by JUnit's
 * extension auto-detection ({@code junit-platform.properties}, {@code META-INF/services/
 * org.junit.jupiter.api.extension.Extension}); the recording is {@link PinnedCarrierDetector}'s. A failure in
 * afterAll fails the class, so surefire or failsafe fails the build and names the class.
 *
 * <p>Run by the JUnit thread that ran the class.
 */
public final class PinCheck implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        PinRecording recording = PinnedCarrierDetector.recording();
        if (recording == null) {
            return;
        }
        Class<?> testClass = context.getRequiredTestClass();
        List<Pin> pins = recording.newPins(testClass.getName(), allowedBecause(testClass));
        if (AnnotationSupport.isAnnotated(testClass, AllowPins.class)) {
            return;
        }
        AssertionError failure = failure(testClass.getName(), pins, recording.thresholdMillis());
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Why the class pins on purpose, for the report: its own {@link AllowPins}, or an enclosing class's (a fixture
     * that the detector's test runs, and which must still fail). Null for every other class.
     */
    private static String allowedBecause(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            AllowPins allow = c.getAnnotation(AllowPins.class);
            if (allow != null) {
                return allow.value();
            }
        }
        return null;
    }

    /** The failure for these pins of the class, or null when none is {@link Pin#flagged() flagged}. */
    static AssertionError failure(String testClass, List<Pin> pins, long thresholdMillis) {
        List<Pin> flagged = pins.stream().filter(Pin::flagged).toList();
        if (flagged.isEmpty()) {
            return null;
        }
        StringBuilder message = new StringBuilder().append(flagged.size())
                .append(" virtual thread(s) pinned their carrier for ").append(thresholdMillis)
                .append(" ms or more with rproxy code on the stack during ").append(testClass)
                .append(" (test-harness/README.md, \"Pinned carriers\"):");
        for (Pin pin : flagged) {
            message.append("\n    ").append(pin.describe());
        }
        return new AssertionError(message.toString());
    }
}
