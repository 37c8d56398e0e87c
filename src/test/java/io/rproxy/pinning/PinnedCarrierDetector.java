package io.rproxy.pinning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
 * <p>Before recording, one virtual thread blocks in a socket read, so that the JDK's one-time set-up of virtual
 * thread I/O (the class {@code sun.nio.ch.Poller}) is done: otherwise the first two virtual threads to block on a
 * socket in the JVM, in whichever test comes first, pin while one waits for the other to initialise it (seen: 103 ms
 * under load). That pin is the JDK's start-up, not the request path's; rproxy meets it once per process.
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
                warmUpVirtualThreadIo();
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

    /** A virtual thread's blocking socket read (timed out after 20 ms), for the JDK's one-time I/O set-up. */
    @SuppressWarnings("try") // the client socket only has to be connected, and closed afterwards
    private static void warmUpVirtualThreadIo() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 1, loopback);
                Socket client = new Socket(loopback, server.getLocalPort());
                Socket accepted = server.accept()) {
            Thread reader = Thread.ofVirtual().name("pinning-warm-up").start(() -> {
                try {
                    accepted.setSoTimeout(20);
                    accepted.getInputStream().read();
                } catch (SocketTimeoutException expected) {
                    // Nothing is sent: the read parked on the poller, which is all it was for.
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            reader.join();
        } catch (IOException e) {
            throw new UncheckedIOException("warming up virtual thread I/O", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
