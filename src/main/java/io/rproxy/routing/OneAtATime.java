package io.rproxy.routing;

/** Bob Jenkins' one-at-a-time hash as twemproxy has it (nc_one_at_a_time.c): bytes are sign-extended chars. */
final class OneAtATime {
    private OneAtATime() {
    }

    static int hash(byte[] key, int offset, int length) {
        int value = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            value += key[i];
            value += value << 10;
            value ^= value >>> 6;
        }
        value += value << 3;
        value ^= value >>> 11;
        value += value << 15;
        return value;
    }
}
