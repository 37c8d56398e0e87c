package io.rproxy.pinning;

import java.security.CodeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;

/**
 * One {@code jdk.VirtualThreadPinned} event: how long the virtual thread blocked while pinned, why (JDK 24+ says:
 * {@code pinnedReason}, {@code blockingOperation}), and its stack, each frame marked when it is rproxy's main code
 * (a class from the same place as {@code io.rproxy.resp.RespReader}: target/classes or the jar, not test-classes).
 *
 * <p>Immutable; built by the thread that reads the recording.
 */
record Pin(Instant start, Duration duration, String thread, String carrier, String reason, String operation,
        List<Frame> frames, boolean truncated) {

    /** Frames shown by {@link #describe()}; the recording has them all (up to JFR's stack depth, 64). */
    private static final int FRAMES_SHOWN = 40;

    /** Where rproxy's main classes come from in this JVM. */
    private static final String MAIN_CODE = location(io.rproxy.resp.RespReader.class);
    private static final Map<String, Boolean> MAIN_CLASSES = new ConcurrentHashMap<>();

    record Frame(String type, String method, int line, boolean rproxyMain) {
        @Override
        public String toString() {
            return type + "." + method + "(line " + line + ")" + (rproxyMain ? "   <- rproxy" : "");
        }
    }

    static Pin of(RecordedEvent event) {
        List<Frame> frames = new ArrayList<>();
        RecordedStackTrace stack = event.getStackTrace();
        if (stack != null) {
            for (RecordedFrame frame : stack.getFrames()) {
                if (frame.getMethod() == null) {
                    continue;
                }
                String type = frame.getMethod().getType().getName();
                frames.add(new Frame(type, frame.getMethod().getName(), frame.getLineNumber(), isRproxyMain(type)));
            }
        }
        return new Pin(event.getStartTime(), event.getDuration(), threadName(event, "eventThread"),
                threadName(event, "carrierThread"), string(event, "pinnedReason"), string(event, "blockingOperation"),
                List.copyOf(frames), stack != null && stack.isTruncated());
    }

    boolean onRproxyCode() {
        return frames.stream().anyMatch(Frame::rproxyMain);
    }

    /** Whether the pin fails the test class it happened in: see {@link #ignoredBecause()}. */
    boolean flagged() {
        return ignoredBecause() == null;
    }

    /**
     * Why the pin does not count, or null when it does: no rproxy main code on the stack (a test's own thread), or
     * the JVM loading, linking or initialising a class for the first time while another thread waits for it (two
     * clients' first requests meeting on the same class). Those happen once per class and process and a loaded
     * machine stretches them past any threshold (0.9 ms on a quiet run here, seen at 103 ms under load). Still
     * counted: a pin inside an initialiser ({@code VM call to io.rproxy....<clinit>}), which is rproxy's to fix.
     */
    String ignoredBecause() {
        if (!onRproxyCode()) {
            return "no rproxy main code on the stack";
        }
        if (reason.startsWith("Waited for initialization of ")) {
            return "waiting for another thread to initialise a class, once per class and process";
        }
        if (operation.equals("Contended monitor enter") && reason.startsWith("Freeze or preempt failed")) {
            // JDK 24+ unmounts a virtual thread that waits for a monitor unless a VM call is in progress: here
            // the JVM's own class initialisation lock.
            return "entering the JVM's class initialisation lock, once per class and process";
        }
        for (Frame frame : frames) {
            if (frame.rproxyMain()) {
                break;
            }
            if (frame.type().startsWith("jdk.internal.loader.")
                    || (frame.type().equals("java.lang.ClassLoader") && frame.method().equals("loadClass"))) {
                return "loading a class, once per class and process";
            }
        }
        return null;
    }

    /** Identifies the event across dumps of one recording. */
    String key() {
        return thread + "@" + start.getEpochSecond() + "." + start.getNano() + "+" + duration.toNanos();
    }

    /** One line of what and why, then the frames. */
    String describe() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%.1f ms on %s (carrier %s) at %s: %s, blocked in %s%s", duration.toNanos() / 1e6,
                thread, carrier, start, reason, operation, truncated ? ", stack truncated" : ""));
        for (int i = 0; i < frames.size() && i < FRAMES_SHOWN; i++) {
            out.append("\n        at ").append(frames.get(i));
        }
        if (frames.size() > FRAMES_SHOWN) {
            out.append("\n        ... ").append(frames.size() - FRAMES_SHOWN).append(" more");
        }
        return out.toString();
    }

    /** Whether the named class (a frame's type) is rproxy's main code rather than a test's, the JDK's or a library's. */
    static boolean isRproxyMain(String className) {
        if (!className.startsWith("io.rproxy.")) {
            return false;
        }
        // A lambda's hidden class, io.rproxy.X$$Lambda/0x..., stands for the class that wrote the lambda.
        int hidden = className.indexOf("$$");
        String name = hidden < 0 ? className : className.substring(0, hidden);
        return MAIN_CLASSES.computeIfAbsent(name, n -> {
            try {
                return Objects.equals(MAIN_CODE, location(Class.forName(n, false, Pin.class.getClassLoader())));
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        });
    }

    /** The class's code source as text: URL.equals would look host names up. */
    private static String location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null ? null : source.getLocation().toString();
    }

    private static String threadName(RecordedEvent event, String field) {
        if (!event.hasField(field)) {
            return "?";
        }
        RecordedThread thread = event.getValue(field);
        return thread == null ? "?" : thread.getJavaName();
    }

    private static String string(RecordedEvent event, String field) {
        return event.hasField(field) ? Objects.toString(event.getValue(field)) : "?";
    }
}
