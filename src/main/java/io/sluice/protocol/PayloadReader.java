package io.sluice.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Reads the protocol's basic types from one packet payload. Every read is bounds-checked
 * against the payload's length, because lengths inside a client's packet are claims, not facts.
 */
public final class PayloadReader {
    private final byte[] bytes;
    private final int limit;
    private int position;

    public PayloadReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    public PayloadReader(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.position = offset;
        this.limit = offset + length;
    }

    public int position() {
        return position;
    }

    public int remaining() {
        return limit - position;
    }

    public boolean hasRemaining() {
        return position < limit;
    }

    public void skip(int n) {
        require(n);
        position += n;
    }

    public int peek() {
        require(1);
        return bytes[position] & 0xff;
    }

    public int readInt1() {
        require(1);
        return bytes[position++] & 0xff;
    }

    public int readInt2() {
        require(2);
        int v = (bytes[position] & 0xff) | (bytes[position + 1] & 0xff) << 8;
        position += 2;
        return v;
    }

    public int readInt3() {
        require(3);
        int v = (bytes[position] & 0xff) | (bytes[position + 1] & 0xff) << 8 | (bytes[position + 2] & 0xff) << 16;
        position += 3;
        return v;
    }

    public long readInt4() {
        require(4);
        long v = (bytes[position] & 0xffL) | (bytes[position + 1] & 0xffL) << 8 | (bytes[position + 2] & 0xffL) << 16
                | (bytes[position + 3] & 0xffL) << 24;
        position += 4;
        return v;
    }

    public long readInt8() {
        long low = readInt4();
        long high = readInt4();
        return low | high << 32;
    }

    /**
     * Length-encoded integer. 0xfb (NULL in a row) and 0xff (ERR) are not integers here;
     * values beyond {@link Long#MAX_VALUE} come back negative and are refused by the caller's bounds.
     */
    public long readLenenc() {
        int first = readInt1();
        return switch (first) {
            case 0xfc -> readInt2();
            case 0xfd -> readInt3();
            case 0xfe -> readInt8();
            case 0xfb, 0xff -> throw new MalformedPacketException("invalid length-encoded integer prefix 0x" + Integer.toHexString(first));
            default -> first;
        };
    }

    public byte[] readBytes(int n) {
        require(n);
        byte[] out = new byte[n];
        System.arraycopy(bytes, position, out, 0, n);
        position += n;
        return out;
    }

    public byte[] readLenencBytes() {
        long n = readLenenc();
        if (n < 0 || n > remaining()) {
            throw new MalformedPacketException("length-encoded string of " + n + " bytes exceeds the " + remaining() + " left in the packet");
        }
        return readBytes((int) n);
    }

    public String readLenencString() {
        return new String(readLenencBytes(), StandardCharsets.UTF_8);
    }

    public byte[] readNulTerminatedBytes() {
        int end = position;
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        if (end == limit) {
            throw new MalformedPacketException("string is not NUL-terminated");
        }
        byte[] out = new byte[end - position];
        System.arraycopy(bytes, position, out, 0, out.length);
        position = end + 1;
        return out;
    }

    public String readNulTerminatedString() {
        return new String(readNulTerminatedBytes(), StandardCharsets.UTF_8);
    }

    /** The rest of the payload; an empty array at the end. */
    public byte[] readRest() {
        return readBytes(remaining());
    }

    private void require(int n) {
        if (n < 0 || limit - position < n) {
            throw new MalformedPacketException("packet truncated: needed " + n + " more bytes, " + remaining() + " left");
        }
    }
}
