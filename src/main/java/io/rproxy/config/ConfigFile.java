package io.rproxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a configuration file's text with bounds, because a path from the admin port (LOAD, RELOAD) or SIGHUP may
 * name anything: only a regular file is read (a FIFO or a terminal blocks its reader until someone writes, and
 * {@code /dev/zero} never ends), at most {@link #MAX_BYTES} of it, and within {@link #TIMEOUT}.
 *
 * <p>The read runs on a platform daemon thread {@code config-read} of its own and the caller waits for it with
 * a timeout (a virtual caller parks, so its carrier stays free). A read that does not finish in time (a stale
 * network mount, a file swapped for a FIFO after the check) is abandoned: its thread may stay blocked in the
 * kernel, but it holds no lock and does not keep the JVM from exiting. At most {@link #MAX_STUCK} such threads
 * are left; past that a read is refused without starting another. Any thread may call {@link #read}.
 */
final class ConfigFile {
    /**
     * 4 MiB: the largest plausible configuration (a few thousand pools or servers at ~60 bytes a line) is a few
     * hundred KB, while the text is kept in memory (CONFIG ACTIVE, the sha256) and TOML parsing costs some ten
     * times the text in objects, twice during a reload: this keeps a wrong path from costing the proxy much heap.
     */
    static final int MAX_BYTES = 4 * 1024 * 1024;
    /** A local file of 4 MiB reads in milliseconds; this much is only reached by a read that hangs. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Abandoned reads whose threads are still blocked; a bound so that repeated LOADs cannot pile up threads. */
    static final int MAX_STUCK = 4;
    /** Reads under way in this JVM, stuck ones included: static because the threads it counts are the JVM's. */
    private static final AtomicInteger running = new AtomicInteger();

    private ConfigFile() {
    }

    /** The file's text; ConfigException with the reason it cannot be read (one problem, line 0). */
    static String read(Path file) {
        return read(file, MAX_BYTES, TIMEOUT);
    }

    static String read(Path file, int maxBytes, Duration timeout) {
        return decode(file, within(file, timeout, () -> readBounded(file, maxBytes, "a configuration file is text")));
    }

    /**
     * The bytes of a file a configuration names (a TLS certificate or key), read within the same bounds: a regular
     * file of at most {@code maxBytes}, within {@link #TIMEOUT}; ConfigException naming {@code file} otherwise.
     */
    static byte[] readBytes(Path file, int maxBytes, String what) {
        return within(file, TIMEOUT, () -> readBounded(file, maxBytes, what));
    }

    /** Runs {@code read} on a {@code config-read} thread and waits for it at most {@code timeout}. */
    static byte[] within(Path file, Duration timeout, java.util.concurrent.Callable<byte[]> read) {
        if (running.incrementAndGet() > MAX_STUCK) {
            running.decrementAndGet();
            throw problem(file, "refused: " + MAX_STUCK + " earlier configuration reads are still blocked "
                    + "(a stale network mount?)");
        }
        FutureTask<byte[]> task = new FutureTask<>(read);
        Thread.ofPlatform().name("config-read").daemon().start(() -> {
            try {
                task.run();
            } finally {
                running.decrementAndGet();
            }
        });
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw problem(file, "could not be read within " + timeout.toMillis() + " ms (a stale network mount, "
                    + "or a file whose read blocks?); refused");
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw problem(file, "the read was interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConfigException refused) {
                throw refused;
            }
            throw problem(file, "cannot read the file: " + e.getCause());
        }
    }

    private static byte[] readBounded(Path file, int maxBytes, String what) {
        try {
            // Follows symbolic links: a link to a regular file is fine, a link to /dev/stdin is not.
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw problem(file, "is a directory, not a file");
            }
            if (!attributes.isRegularFile()) {
                throw problem(file, "is not a regular file (a FIFO, device or socket?); a configuration is "
                        + "read only from a regular file");
            }
            if (attributes.size() > maxBytes) {
                throw tooLarge(file, maxBytes, attributes.size() + " bytes", what);
            }
            try (InputStream in = Files.newInputStream(file)) {
                // One byte more than allowed tells a file that grew since the check (or a /proc file, size 0).
                byte[] bytes = in.readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    throw tooLarge(file, maxBytes, "more than that", what);
                }
                return bytes;
            }
        } catch (NoSuchFileException e) {
            throw problem(file, "no such file (looked for " + file.toAbsolutePath() + ")");
        } catch (AccessDeniedException e) {
            throw problem(file, "permission denied: cannot read the file");
        } catch (IOException e) {
            throw problem(file, "cannot read the file: " + e.getMessage());
        }
    }

    private static ConfigException tooLarge(Path file, int maxBytes, String size, String what) {
        return problem(file, "is larger than " + (maxBytes >= 1024 * 1024 ? maxBytes / (1024 * 1024) + " MiB"
                : maxBytes + " bytes") + " (" + size + "); " + what + " of at most that");
    }

    private static String decode(Path file, byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw problem(file, "is not UTF-8 text, as TOML requires");
        }
    }

    private static ConfigException problem(Path file, String message) {
        return new ConfigException(List.of(new ConfigProblem(file.toString(), 0, "", message)));
    }
}
