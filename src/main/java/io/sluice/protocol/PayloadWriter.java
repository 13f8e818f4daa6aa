package io.sluice.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds one packet payload from the protocol's basic types. */
public final class PayloadWriter {
    private byte[] bytes;
    private int position;

    public PayloadWriter() {
        this(64);
    }

    public PayloadWriter(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    public int length() {
        return position;
    }

    public PayloadWriter int1(int v) {
        ensure(1);
        bytes[position++] = (byte) v;
        return this;
    }

    public PayloadWriter int2(int v) {
        ensure(2);
        bytes[position++] = (byte) v;
        bytes[position++] = (byte) (v >>> 8);
        return this;
    }

    public PayloadWriter int3(int v) {
        ensure(3);
        bytes[position++] = (byte) v;
        bytes[position++] = (byte) (v >>> 8);
        bytes[position++] = (byte) (v >>> 16);
        return this;
    }

    public PayloadWriter int4(long v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            bytes[position++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    public PayloadWriter int8(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[position++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    public PayloadWriter lenenc(long v) {
        if (v >= 0 && v < 0xfb) {
            return int1((int) v);
        } else if (v >= 0 && v < (1 << 16)) {
            return int1(0xfc).int2((int) v);
        } else if (v >= 0 && v < (1 << 24)) {
            return int1(0xfd).int3((int) v);
        }
        return int1(0xfe).int8(v);
    }

    public PayloadWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public PayloadWriter bytes(byte[] b, int offset, int length) {
        ensure(length);
        System.arraycopy(b, offset, bytes, position, length);
        position += length;
        return this;
    }

    public PayloadWriter zeros(int n) {
        ensure(n);
        position += n;
        return this;
    }

    public PayloadWriter lenencBytes(byte[] b) {
        return lenenc(b.length).bytes(b);
    }

    public PayloadWriter lenencString(String s) {
        return lenencBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public PayloadWriter nulTerminated(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8)).int1(0);
    }

    public PayloadWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, position);
    }

    private void ensure(int n) {
        if (position + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, position + n));
        }
    }
}
