package io.rproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a configuration path may name, and the bounds on reading it: type, size, time. */
class ConfigFileTest {
    @Test
    void aRegularFileAndALinkToOneAreRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rproxy.toml");
        Files.writeString(file, "# é\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.toml"), file);

        assertEquals("# é\n", ConfigFile.read(file));
        assertEquals("# é\n", ConfigFile.read(link));
    }

    @Test
    void aFifoADeviceAndALinkToOneAreRefusedWithoutOpeningThem(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir.resolve("config.fifo"));
        Path link = Files.createSymbolicLink(dir.resolve("zero.toml"), Path.of("/dev/zero"));
        for (Path path : new Path[] {fifo, Path.of("/dev/zero"), link}) {
            long begin = System.nanoTime();
            String message = refusal(path);
            assertTrue(message.startsWith("is not a regular file"), message);
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(2), "refused at once: " + path);
        }
    }

    @Test
    void aFileOverTheLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("large.toml");
        Files.write(file, new byte[ConfigFile.MAX_BYTES + 1]);
        assertEquals("is larger than 4 MiB (" + (ConfigFile.MAX_BYTES + 1) + " bytes); a configuration file is "
                + "text of at most that", refusal(file));

        Files.write(file, new byte[ConfigFile.MAX_BYTES]);
        assertEquals(ConfigFile.MAX_BYTES, ConfigFile.read(file).length());
    }

    @Test
    void aFileWhoseSizeSaysLessThanItHoldsIsStillBounded() throws Exception {
        // /proc files report size 0; the read stops one byte past the limit whatever the size said.
        Path status = Path.of("/proc/self/status");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigFile.read(status, 16, ConfigFile.TIMEOUT));
        assertEquals("is larger than 16 bytes (more than that); a configuration file is text of at most that",
                e.problems().get(0).message());
    }

    @Test
    void aReadThatBlocksIsAbandonedAtTheTimeout(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir.resolve("blocks.fifo"));
        long begin = System.nanoTime();
        // Opening a FIFO for reading blocks in the kernel until a writer comes: what a stale mount does too.
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.within(fifo,
                Duration.ofMillis(300), () -> {
                    try (InputStream in = Files.newInputStream(fifo)) {
                        return in.readAllBytes();
                    }
                }));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertTrue(e.getMessage().contains("could not be read within 300 ms"), e.getMessage());
        assertTrue(millis < 2000, "abandoned after " + millis + " ms");
        // Let the abandoned reader go, so that it does not count against the next test's reads.
        try (FileOutputStream writer = new FileOutputStream(fifo.toFile())) {
            writer.write('#');
        }
    }

    private static String refusal(Path path) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.read(path));
        assertEquals(1, e.problems().size());
        assertEquals(path.toString(), e.problems().get(0).file());
        return e.problems().get(0).message();
    }

    private static Path mkfifo(Path path) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo " + path);
        return path;
    }
}
