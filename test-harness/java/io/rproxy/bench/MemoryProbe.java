package io.rproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory half of {@code test-harness/bench --memory}: measures a proxy process from outside, by its VmRSS in
 * /proc/PID/status, and prints Markdown for docs/benchmarks.md. No dependencies, so the script runs it with the
 * source launcher ({@code java MemoryProbe.java ...}); it is also compiled with the test sources, so it keeps
 * compiling. Runs on its main thread, plus one writer thread in {@code slow}.
 *
 * <pre>
 * idle      HOST PORT PID NAME N   RSS with none and with N idle clients (each PINGed once); one table row
 * histogram HOST PORT PID N        N idle clients held while {@code jcmd PID GC.class_histogram} runs; top rows
 * slow      HOST PORT PID NAME S   one client writes SETs for S seconds and never reads; RSS every second
 * </pre>
 */
public final class MemoryProbe {
    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long SETTLE_MS = 3000;

    private MemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: MemoryProbe idle|histogram|slow HOST PORT PID ...");
            System.exit(2);
        }
        InetSocketAddress address = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        long pid = Long.parseLong(args[3]);
        switch (args[0]) {
            case "idle" -> idle(address, pid, args[4], Integer.parseInt(args[5]));
            case "histogram" -> histogram(address, pid, Integer.parseInt(args[4]));
            case "slow" -> slow(address, pid, args[4], Integer.parseInt(args[5]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void idle(InetSocketAddress address, long pid, String name, int n) throws Exception {
        try (Socket first = ping(address)) {
            // one round trip so that whatever the proxy sets up on first use is in the baseline
        }
        Thread.sleep(SETTLE_MS);
        long before = rss(pid);
        List<Socket> clients = connect(address, n);
        try {
            Thread.sleep(SETTLE_MS);
            long after = rss(pid);
            System.out.printf("| %s | %.1f MiB | %.1f MiB | %,d |%n", name, before / 1048576.0, after / 1048576.0,
                    (after - before) / n);
        } finally {
            closeAll(clients);
        }
    }

    private static void histogram(InetSocketAddress address, long pid, int n) throws Exception {
        Thread.sleep(SETTLE_MS); // clients of an earlier probe may still be leaving
        long baseline = total(classHistogram(pid));
        List<Socket> clients = connect(address, n);
        try {
            Thread.sleep(SETTLE_MS);
            String out = classHistogram(pid);
            int rows = 0;
            for (String line : out.split("\n")) {
                // " num:  #instances  #bytes  class name (module)"
                String[] f = line.trim().split("\\s+");
                if (f.length < 4 || !f[0].endsWith(":") || !f[1].chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long bytes = Long.parseLong(f[2]);
                System.out.printf("| `%s` | %,d | %,d | %,.0f |%n", f[3], Long.parseLong(f[1]), bytes,
                        bytes / (double) n);
                if (++rows == 8) {
                    break;
                }
            }
            long grown = total(out) - baseline;
            System.out.printf("| all classes, minus the live heap with no clients | | %,d | %,.0f |%n", grown,
                    grown / (double) n);
        } finally {
            closeAll(clients);
        }
    }

    /** Live objects by class; the histogram's full GC runs first, so only what is reachable counts. */
    private static String classHistogram(long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        return out;
    }

    /** The histogram's last line: "Total  #instances  #bytes". */
    private static long total(String histogram) {
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals("Total")) {
                return Long.parseLong(f[2]);
            }
        }
        throw new IllegalStateException("no Total line in jcmd's class histogram:\n" + histogram);
    }

    private static void slow(InetSocketAddress address, long pid, String name, int seconds) throws Exception {
        byte[] chunk = setCommands(500, 100);
        AtomicLong sent = new AtomicLong();
        Socket socket = new Socket();
        socket.connect(address, 5000);
        Thread writer = Thread.ofPlatform().daemon().name("slow-client-writer").start(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                while (true) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // closed at the end of the measurement
            }
        });
        StringBuilder head = new StringBuilder("| " + name + ", second |");
        StringBuilder line = new StringBuilder("|---|");
        StringBuilder rssRow = new StringBuilder("| RSS, MiB |");
        StringBuilder sentRow = new StringBuilder("| sent by the client, MiB |");
        long start = System.nanoTime();
        long halfway = 0;
        long last = 0;
        for (int s = 0; s <= seconds; s++) {
            long due = start + s * 1_000_000_000L;
            long wait = (due - System.nanoTime()) / 1_000_000;
            if (wait > 0) {
                Thread.sleep(wait);
            }
            head.append(' ').append(s).append(" |");
            line.append("---:|");
            last = rss(pid);
            if (s == seconds / 2) {
                halfway = last;
            }
            rssRow.append(String.format(" %.0f |", last / 1048576.0));
            sentRow.append(String.format(" %.1f |", sent.get() / 1048576.0));
        }
        socket.close();
        writer.join(5000);
        System.out.println(head);
        System.out.println(line);
        System.out.println(rssRow);
        System.out.println(sentRow);
        // Bounded means the second half adds (next to) nothing: the proxy stopped taking what it cannot send.
        System.out.printf("%n%s's RSS over the second half of the run: %.0f -> %.0f MiB (%+.0f MiB).%n", name,
                halfway / 1048576.0, last / 1048576.0, (last - halfway) / 1048576.0);
    }

    /** {@code count} pipelined SETs of distinct keys with {@code valueSize}-byte values, as one buffer. */
    private static byte[] setCommands(int count, int valueSize) {
        String value = "v".repeat(valueSize);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String key = String.format("slow:%06d", i);
            sb.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n$")
                    .append(valueSize).append("\r\n").append(value).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static List<Socket> connect(InetSocketAddress address, int n) throws IOException {
        List<Socket> clients = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                clients.add(ping(address));
            }
        } catch (IOException e) {
            closeAll(clients);
            throw new IOException("connection " + clients.size() + " of " + n + " failed: " + e.getMessage(), e);
        }
        return clients;
    }

    /** A new connection that has had one PING answered. */
    private static Socket ping(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(PING);
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(PONG.length);
            if (!java.util.Arrays.equals(reply, PONG)) {
                throw new IOException("expected +PONG, got " + new String(reply, StandardCharsets.US_ASCII));
            }
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** VmRSS of a process, in bytes. */
    static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }
}
