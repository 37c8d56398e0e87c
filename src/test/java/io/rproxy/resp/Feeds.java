package io.rproxy.resp;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/** Ways of handing the same bytes to a reader: all at once (fast path) or in small fragments (slow path). */
final class Feeds {
    private Feeds() {
    }

    /** One way of feeding bytes; its name shows up in test names and failure messages. */
    record Feed(String name, Function<byte[], InputStream> open) {
        InputStream open(byte[] data) {
            return open.apply(data);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Feed> all() {
        List<Feed> feeds = new ArrayList<>();
        feeds.add(new Feed("whole", ByteArrayInputStream::new));
        for (long seed : new long[] {1, 7, 20240611}) {
            feeds.add(new Feed("fragments(seed " + seed + ")", data -> new FragmentedInputStream(data, seed, 7)));
        }
        feeds.add(new Feed("byte-by-byte", data -> new FragmentedInputStream(data, 0, 1)));
        return feeds;
    }

    /** Bytes of a string whose chars are all below 256, one byte per char, so tests can spell binary data. */
    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String string(byte[] latin1) {
        return new String(latin1, StandardCharsets.ISO_8859_1);
    }

    /**
     * Hands out between 1 and {@code maxFragment} bytes per read, chosen by a seeded Random, counting reads and
     * bytes. A read of zero bytes is a failure: RespReader retries a read that returns 0, and a socket returns 0 at
     * once for it, so it would spin.
     */
    static final class FragmentedInputStream extends InputStream {
        private final byte[] data;
        private final Random random;
        private final int maxFragment;
        private int position;
        private int reads;

        FragmentedInputStream(byte[] data, long seed, int maxFragment) {
            this.data = data;
            this.random = new Random(seed);
            this.maxFragment = maxFragment;
        }

        @Override
        public int read() {
            reads++;
            return position < data.length ? data[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            reads++;
            if (len == 0) {
                throw new AssertionError("read of 0 bytes: on a socket it returns 0 at once and the reader spins");
            }
            if (position == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + random.nextInt(maxFragment)), data.length - position);
            System.arraycopy(data, position, b, off, n);
            position += n;
            return n;
        }

        /** Calls of either read method so far. */
        int reads() {
            return reads;
        }

        /** Bytes handed out so far. */
        int handedOut() {
            return position;
        }
    }

    /** Hands out each chunk by itself (or in pieces), never two chunks in one read: a peer's separate writes. */
    static final class ChunkedInputStream extends InputStream {
        private final List<byte[]> chunks;
        private int chunk;
        private int position;

        ChunkedInputStream(List<byte[]> chunks) {
            this.chunks = chunks;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            while (chunk < chunks.size() && position == chunks.get(chunk).length) {
                chunk++;
                position = 0;
            }
            if (chunk == chunks.size()) {
                return -1;
            }
            byte[] current = chunks.get(chunk);
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }
    }
}
