package io.rproxy.pinning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * One JFR recording of {@code jdk.VirtualThreadPinned} (with stack traces, at a threshold) for a test session, read
 * back piecemeal: {@link #newPins} dumps what has been recorded so far and returns the pins not returned before,
 * attributed to the test class that asks. {@link #close} writes the whole recording and a report of every pin.
 *
 * <p>Used by the JUnit thread that runs test classes (one at a time); the lock only makes that explicit.
 */
final class PinRecording {
    static final String EVENT = "jdk.VirtualThreadPinned";

    private final Recording recording;
    private final Path dir;
    private final long thresholdMillis;
    private final String id = String.valueOf(ProcessHandle.current().pid());
    private final ReentrantLock lock = new ReentrantLock();
    /** Pins already returned, by {@link Pin#key()}; guarded by lock. */
    private final Set<String> seen = new HashSet<>();
    /** Every pin returned, with the class it was attributed to, for the report; guarded by lock. */
    private final List<String> report = new ArrayList<>();

    private PinRecording(Recording recording, Path dir, long thresholdMillis) {
        this.recording = recording;
        this.dir = dir;
        this.thresholdMillis = thresholdMillis;
    }

    static PinRecording start(Path dir, long thresholdMillis) {
        Recording recording = new Recording();
        recording.setName("rproxy-pinned-carriers");
        recording.enable(EVENT).withThreshold(Duration.ofMillis(thresholdMillis)).withStackTrace();
        recording.start();
        return new PinRecording(recording, dir, thresholdMillis);
    }

    long thresholdMillis() {
        return thresholdMillis;
    }

    /** The pins recorded since the last call (or the start), now attributed to {@code owner}. */
    List<Pin> newPins(String owner) {
        return newPins(owner, null);
    }

    /**
     * The pins recorded since the last call, attributed to {@code owner}; the report lists those that would count
     * as allowed when {@code allowedBecause} says why the owner pins on purpose.
     */
    List<Pin> newPins(String owner, String allowedBecause) {
        lock.lock();
        try {
            Path file = dir.resolve("latest-" + id + ".jfr");
            Files.createDirectories(dir);
            recording.dump(file);
            List<Pin> fresh = new ArrayList<>();
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (event.getEventType().getName().equals(EVENT)) {
                    Pin pin = Pin.of(event);
                    if (seen.add(pin.key())) {
                        fresh.add(pin);
                        String verdict = !pin.flagged() ? "ignored (" + pin.ignoredBecause() + ")"
                                : allowedBecause != null ? "allowed (" + allowedBecause + ")" : "FLAGGED";
                        report.add(verdict + " during " + owner + ": " + pin.describe());
                    }
                }
            }
            Files.deleteIfExists(file);
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the pinned-carrier recording", e);
        } finally {
            lock.unlock();
        }
    }

    /** Attributes what is left to the end of the session, writes {@code pins-<pid>.jfr} and {@code pins-<pid>.txt}. */
    void close() {
        lock.lock();
        try {
            newPins("the end of the session (after the last test class)");
            Path jfr = dir.resolve("pins-" + id + ".jfr");
            recording.dump(jfr);
            recording.close();
            long flagged = report.stream().filter(line -> line.startsWith("FLAGGED")).count();
            long allowed = report.stream().filter(line -> line.startsWith("allowed")).count();
            List<String> lines = new ArrayList<>();
            lines.add("rproxy pinned-carrier report, JVM " + id + " (" + ProcessHandle.current().info().commandLine()
                    .map(c -> c.length() > 120 ? c.substring(0, 120) + "..." : c).orElse("?") + ")");
            lines.add(report.size() + " virtual thread(s) pinned for " + thresholdMillis + " ms or more, " + flagged
                    + " flagged (rproxy main code on the stack, not class loading), " + allowed
                    + " allowed (pinned on purpose); recording: " + jfr.getFileName()
                    + " (jfr print --events " + EVENT + " " + jfr + ")");
            lines.add("");
            lines.addAll(report);
            Files.write(dir.resolve("pins-" + id + ".txt"), lines);
            if (flagged > 0) {
                System.err.println("pinned carriers: " + flagged + " pin(s) on rproxy code, see "
                        + dir.resolve("pins-" + id + ".txt"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing the pinned-carrier report", e);
        } finally {
            lock.unlock();
        }
    }
}
