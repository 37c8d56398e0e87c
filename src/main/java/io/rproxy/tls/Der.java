package io.rproxy.tls;

import java.io.ByteArrayOutputStream;

/**
 * The few DER (ASN.1) steps that reading private keys needs: walking the elements of a SEQUENCE, and writing a
 * PKCS#8 PrivateKeyInfo around a PKCS#1 or SEC1 key. Bounds are checked on every length; a malformed input is
 * an {@link IllegalArgumentException} with what was wrong. Stateless apart from each reader's position.
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** [0], constructed: SEC1's parameters (the curve). */
    static final int CONTEXT_0 = 0xa0;

    private Der() {
    }

    /** One element: its tag and where its contents lie in {@code bytes}. */
    record Element(int tag, byte[] bytes, int start, int length) {
        byte[] contents() {
            byte[] copy = new byte[length];
            System.arraycopy(bytes, start, copy, 0, length);
            return copy;
        }

        /** A reader over this element's contents (a SEQUENCE's or a context tag's elements). */
        Reader children() {
            return new Reader(bytes, start, start + length);
        }

        Element expect(int expected, String what) {
            if (tag != expected) {
                throw new IllegalArgumentException(what + ": expected DER tag 0x" + Integer.toHexString(expected)
                        + ", found 0x" + Integer.toHexString(tag));
            }
            return this;
        }
    }

    /** Reads consecutive elements from {@code bytes[position, end)}. */
    static final class Reader {
        private final byte[] bytes;
        private int position;
        private final int end;

        Reader(byte[] bytes) {
            this(bytes, 0, bytes.length);
        }

        private Reader(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.position = start;
            this.end = end;
        }

        boolean hasMore() {
            return position < end;
        }

        Element next(String what) {
            if (end - position < 2) {
                throw new IllegalArgumentException(what + ": truncated DER");
            }
            int tag = bytes[position++] & 0xff;
            int first = bytes[position++] & 0xff;
            int length;
            if (first < 0x80) {
                length = first;
            } else {
                int octets = first & 0x7f;
                if (octets == 0 || octets > 3 || end - position < octets) {
                    throw new IllegalArgumentException(what + ": bad DER length");
                }
                length = 0;
                for (int i = 0; i < octets; i++) {
                    length = (length << 8) | (bytes[position++] & 0xff);
                }
            }
            if (length > end - position) {
                throw new IllegalArgumentException(what + ": DER length " + length + " runs past the end");
            }
            Element element = new Element(tag, bytes, position, length);
            position += length;
            return element;
        }
    }

    /** The element {@code tag} around {@code contents}. */
    static byte[] wrap(int tag, byte[]... contents) {
        int length = 0;
        for (byte[] part : contents) {
            length += part.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
        for (byte[] part : contents) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** An OBJECT IDENTIFIER's dotted form, e.g. {@code 1.2.840.10045.2.1}. */
    static String oid(Element element) {
        byte[] b = element.expect(OID, "object identifier").contents();
        if (b.length == 0) {
            throw new IllegalArgumentException("empty object identifier");
        }
        StringBuilder s = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (int i = 0; i < b.length; i++) {
            value = (value << 7) | (b[i] & 0x7f);
            if (value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("object identifier component too large");
            }
            if ((b[i] & 0x80) == 0) {
                if (first) {
                    int top = value < 40 ? 0 : value < 80 ? 1 : 2;
                    s.append(top).append('.').append(value - 40L * top);
                    first = false;
                } else {
                    s.append('.').append(value);
                }
                value = 0;
            }
        }
        if ((b[b.length - 1] & 0x80) != 0) {
            throw new IllegalArgumentException("truncated object identifier");
        }
        return s.toString();
    }

    /** The DER of an OBJECT IDENTIFIER given in dotted form (at least two components). */
    static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeBase128(out, Long.parseLong(parts[0]) * 40 + Long.parseLong(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            writeBase128(out, Long.parseLong(parts[i]));
        }
        return wrap(OID, out.toByteArray());
    }

    private static void writeBase128(ByteArrayOutputStream out, long value) {
        int groups = 1;
        for (long v = value >>> 7; v != 0; v >>>= 7) {
            groups++;
        }
        for (int i = groups - 1; i >= 0; i--) {
            int group = (int) ((value >>> (7 * i)) & 0x7f);
            out.write(i == 0 ? group : group | 0x80);
        }
    }
}
