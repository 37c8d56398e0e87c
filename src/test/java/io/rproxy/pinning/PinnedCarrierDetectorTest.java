package io.rproxy.pinning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespLimits;
import io.rproxy.resp.RespReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The pinned-carrier detector catches a real pin: a virtual thread that blocks inside a class initializer pins its
 * carrier on JDK 25 too (JEP 491 freed {@code synchronized}, not a VM call such as {@code <clinit>}), here under
 * {@link RespReader#readCommand()}, so the pin has rproxy main code on its stack.
 */
@AllowPins(PinnedCarrierDetectorTest.ON_PURPOSE)
class PinnedCarrierDetectorTest {
    static final String ON_PURPOSE = "pins on purpose to show that the detector sees it";

    /** Blocks this long in the initializer: far past the 5 ms threshold, however loaded the machine. */
    private static final long PIN_MILLIS = 50;

    /** Whether {@link PinningFixture} is being run by this test (and not by a stray pattern on the command line). */
    private static volatile boolean fixtureWanted;

    @Test
    void aPinUnderRproxyCodeIsReportedAndFailsTheCheck() {
        PinRecording recording = requireRecording();
        recording.newPins("before " + getClass().getName(), ON_PURPOSE);

        readThroughAPinningStream("deliberate-pin-reader");

        Pin pin = onlyPinOf(recording.newPins(getClass().getName(), ON_PURPOSE), "deliberate-pin-reader");
        assertTrue(pin.duration().compareTo(Duration.ofMillis(PIN_MILLIS)) >= 0, pin.describe());
        assertTrue(pin.flagged(), pin.describe());
        assertTrue(pin.frames().stream().anyMatch(f -> f.rproxyMain() && f.type().equals(RespReader.class.getName())),
                pin.describe());
        AssertionError failure = PinCheck.failure("SomeIT", List.of(pin), recording.thresholdMillis());
        assertNotNull(failure, "the check must fail on it");
        assertTrue(failure.getMessage().contains("io.rproxy.resp.RespReader.readCommand"), failure.getMessage());
    }

    @Test
    void aPinInTestCodeOnlyIsRecordedButPasses() {
        PinRecording recording = requireRecording();
        recording.newPins("before " + getClass().getName(), ON_PURPOSE);

        runVirtual("deliberate-pin-test-only", PinnedCarrierDetectorTest::initialiseSlowClass);

        Pin pin = onlyPinOf(recording.newPins(getClass().getName(), ON_PURPOSE), "deliberate-pin-test-only");
        assertFalse(pin.onRproxyCode(), pin.describe());
        assertFalse(pin.flagged(), pin.describe());
        assertNull(PinCheck.failure("SomeIT", List.of(pin), recording.thresholdMillis()));
    }

    @Test
    void classLoadingByTheJdkIsIgnoredButRproxyInitialisersCount() {
        Pin.Frame jdkLoader = new Pin.Frame("jdk.internal.loader.BuiltinClassLoader", "loadClassOrNull", 590, false);
        Pin.Frame rproxy = new Pin.Frame("io.rproxy.admin.Listener", "serve", 80, true);
        Pin.Frame rproxyInit = new Pin.Frame("io.rproxy.command.CommandTable", "<clinit>", 12, true);
        assertEquals("loading a class, once per class and process",
                pin("Native frame or <clinit> on stack", "LockSupport.park", jdkLoader, rproxy).ignoredBecause());
        assertEquals("waiting for another thread to initialise a class, once per class and process",
                pin("Waited for initialization of io.rproxy.proxy.ReplyWriter by another thread", "Object.wait",
                        rproxy).ignoredBecause());
        assertEquals("entering the JVM's class initialisation lock, once per class and process",
                pin("Freeze or preempt failed (2)", "Contended monitor enter", rproxy).ignoredBecause());
        assertNull(pin("VM call to io.rproxy.command.CommandTable.<clinit> on stack", "LockSupport.park",
                rproxyInit, rproxy).ignoredBecause(), "rproxy's initialiser blocks: rproxy's to fix");
        assertNull(pin("Monitor held", "LockSupport.park", rproxy).ignoredBecause(), "synchronized, on JDK 21");
        assertEquals("no rproxy main code on the stack",
                pin("Native frame or <clinit> on stack", "LockSupport.park",
                        new Pin.Frame("io.rproxy.harness.X", "run", 1, false))
                        .ignoredBecause());
    }

    private static Pin pin(String reason, String operation, Pin.Frame... frames) {
        return new Pin(java.time.Instant.EPOCH, Duration.ofMillis(10), "client-1", "worker-1", reason, operation,
                List.of(frames), false);
    }

    @Test
    void rproxyMainCodeIsToldFromTestCode() {
        assertTrue(Pin.isRproxyMain(RespReader.class.getName()));
        assertTrue(Pin.isRproxyMain("io.rproxy.resp.RespReader$$Lambda.0x000000008f1530d8"));
        assertFalse(Pin.isRproxyMain(PinnedCarrierDetectorTest.class.getName()), "test code");
        assertFalse(Pin.isRproxyMain("io.rproxy.harness.RunningProxy"), "the harness is test code");
        assertFalse(Pin.isRproxyMain("java.lang.Thread"));
        assertFalse(Pin.isRproxyMain("io.rproxy.NoSuchClass"));
    }

    @Test
    void theTestClassDuringWhichRproxyCodePinnedFails() {
        requireRecording();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        fixtureWanted = true;
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(PinningFixture.class)).build(), listener);
        } finally {
            fixtureWanted = false;
        }
        TestExecutionSummary summary = listener.getSummary();
        assertEquals(1, summary.getTestsSucceededCount(), "the fixture's own test passes");
        assertEquals(1, summary.getContainersFailedCount(), "and its class fails in PinCheck's afterAll");
        Throwable failure = summary.getFailures().get(0).getException();
        assertTrue(failure.getMessage().contains("during " + PinningFixture.class.getName())
                && failure.getMessage().contains("io.rproxy.resp.RespReader"), failure.getMessage());
    }

    /** A test class that pins under rproxy code, run by {@link #theTestClassDuringWhichRproxyCodePinnedFails}. */
    static class PinningFixture {
        @Test
        void readsThroughAPinningStream() {
            Assumptions.assumeTrue(fixtureWanted, "run only by PinnedCarrierDetectorTest");
            readThroughAPinningStream("deliberate-pin-fixture");
        }
    }

    private static PinRecording requireRecording() {
        Assumptions.assumeFalse("off".equals(System.getProperty("rproxy.pinning")), "rproxy.pinning=off");
        PinRecording recording = PinnedCarrierDetector.recording();
        assertNotNull(recording, "no recording: is PinnedCarrierDetector in META-INF/services/"
                + "org.junit.platform.launcher.LauncherSessionListener?");
        return recording;
    }

    private static Pin onlyPinOf(List<Pin> pins, String thread) {
        List<Pin> ours = pins.stream().filter(p -> p.thread().equals(thread)).toList();
        assertEquals(1, ours.size(), "pins of " + thread + ": " + ours + " among " + pins);
        return ours.get(0);
    }

    /** A virtual thread reads one command with a RespReader whose stream initialises a fresh slow class. */
    private static void readThroughAPinningStream(String threadName) {
        runVirtual(threadName, () -> {
            try {
                RespCommand command = new RespReader(new PinningStream(), RespLimits.DEFAULT).readCommand();
                assertEquals("ping", command.name());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void runVirtual(String name, Runnable task) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofVirtual().name(name).unstarted(task);
        thread.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (failure.get() != null) {
            throw new AssertionError(name + " failed", failure.get());
        }
    }

    /** Hands out {@code PING\r\n}, first initialising a fresh {@link SlowInit}: the pin happens inside read(). */
    private static final class PinningStream extends InputStream {
        private final byte[] data = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
        private int position;

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position == 0) {
                initialiseSlowClass();
            }
            if (position == data.length) {
                return -1;
            }
            int n = Math.min(len, data.length - position);
            System.arraycopy(data, position, b, off, n);
            position += n;
            return n;
        }
    }

    /** Sleeps in its initializer. Each use defines a fresh copy, since a class is initialised once per loader. */
    static final class SlowInit {
        static {
            try {
                Thread.sleep(PIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private SlowInit() {
        }
    }

    private static void initialiseSlowClass() {
        String resource = SlowInit.class.getName().substring(SlowInit.class.getPackageName().length() + 1) + ".class";
        try (InputStream in = SlowInit.class.getResourceAsStream(resource)) {
            byte[] bytes = in.readAllBytes();
            OneClassLoader loader = new OneClassLoader();
            Class<?> fresh = loader.define(SlowInit.class.getName(), bytes);
            Class.forName(fresh.getName(), true, loader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /** Defines one class itself; loadClass then finds it before asking its parent. */
    private static final class OneClassLoader extends ClassLoader {
        OneClassLoader() {
            super(PinnedCarrierDetectorTest.class.getClassLoader());
        }

        Class<?> define(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}
