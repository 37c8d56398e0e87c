package io.rproxy.pinning;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Records, for the whole test run of a JVM (every surefire and failsafe fork: registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}), the JFR event
 * {@code jdk.VirtualThreadPinned} of every virtual thread that blocked for {@value #DEFAULT_THRESHOLD_MILLIS} ms or
 * more while pinned to its carrier. {@link PinCheck} fails each test class during which such a pin had rproxy's
 * own code on its stack; at the end of the session the recording and a report are written to
 * {@code target/pinning/} (test-harness/README.md, "Pinned carriers").
 *
 * <p>System properties: {@code rproxy.pinning=off} turns it off, {@code rproxy.pinning.threshold} (milliseconds)
 * sets the shortest pin recorded, {@code rproxy.pinning.dir} where the files go.
 *
 * <p>Called by the JUnit launcher's thread; a nested launcher session (a test that runs tests) shares the
 * outer session's recording.
 */
public final class PinnedCarrierDetector implements LauncherSessionListener {
    static final long DEFAULT_THRESHOLD_MILLIS = 5;

    private static final ReentrantLock LOCK = new ReentrantLock();
    /** The recording of the outermost open session, or null; guarded by LOCK. */
    private static PinRecording recording;
    /** Open sessions, nested ones included; guarded by LOCK. */
    private static int depth;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if ("off".equals(System.getProperty("rproxy.pinning"))) {
            return;
        }
        LOCK.lock();
        try {
            if (depth++ == 0) {
                long threshold = Long.getLong("rproxy.pinning.threshold", DEFAULT_THRESHOLD_MILLIS);
                Path dir = Path.of(System.getProperty("rproxy.pinning.dir", "target/pinning"));
                recording = PinRecording.start(dir, threshold);
            }
        } finally {
            LOCK.unlock();
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if ("off".equals(System.getProperty("rproxy.pinning"))) {
            return;
        }
        PinRecording finished = null;
        LOCK.lock();
        try {
            if (depth > 0 && --depth == 0) {
                finished = recording;
                recording = null;
            }
        } finally {
            LOCK.unlock();
        }
        if (finished != null) {
            finished.close();
        }
    }

    /** The recording of this JVM's test session, or null when none is running (turned off, or no launcher). */
    static PinRecording recording() {
        LOCK.lock();
        try {
            return recording;
        } finally {
            LOCK.unlock();
        }
    }
}
