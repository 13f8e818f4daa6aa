package io.sluice.fuzz;

import java.io.ByteArrayOutputStream;

/**
 * Writes the bytes from which Jazzer's {@code FuzzedDataProvider} reads given values back, so that seed inputs can
 * be written as what they mean. The provider (Jazzer 0.30) takes byte arrays from the front of its input and
 * integers from the back, the first byte it takes for an integer being the most significant, and it takes only as
 * many bytes as the requested range needs ({@code consumeInt(0, 255)} one, {@code consumeInt(0, 4100)} two); a raw
 * value inside the range is returned as it is, one outside as {@code min + raw % (max - min + 1)}. Every fuzz test
 * reading a provider checks, when it replays a seed written here, that it reads what was written
 * ({@link SeedCorpus#assertReadAsWritten}), so a difference shows in {@code ./mvnw test}.
 */
final class FdpWriter {
    private final ByteArrayOutputStream front = new ByteArrayOutputStream();
    /** Integer bytes in the order the provider takes them; written reversed at the end of the input. */
    private final ByteArrayOutputStream back = new ByteArrayOutputStream();

    /** What {@code consumeInt(min, max)} returns {@code value} for. */
    FdpWriter integer(int value, int min, int max) {
        long range = (long) max - min;
        long v = (long) value - min;
        if (v < 0 || v > range) {
            throw new IllegalArgumentException(value + " is outside [" + min + ", " + max + "]");
        }
        int n = 0;
        while (n < 4 && (range >>> (8 * n)) > 0) {
            n++;
        }
        long raw = value;
        if (raw < 0 || n < 4 && raw >>> (8 * n) != 0) {
            // Too wide for the bytes the range takes: reach the value through the modulo, from a raw value outside the range.
            raw = v;
            if (raw >= min && raw <= max) {
                throw new IllegalArgumentException("cannot write " + value + " for [" + min + ", " + max + "]");
            }
        }
        for (int i = n - 1; i >= 0; i--) {
            back.write((int) (raw >>> (8 * i)));
        }
        return this;
    }

    /** What {@code consumeInt()} returns {@code value} for. */
    FdpWriter integer(int value) {
        for (int i = 3; i >= 0; i--) {
            back.write(value >>> (8 * i));
        }
        return this;
    }

    /** What {@code consumeBoolean()} returns {@code value} for. */
    FdpWriter bool(boolean value) {
        back.write(value ? 1 : 0);
        return this;
    }

    /** What {@code consumeBytes(n)} (with n at least the length) or {@code consumeRemainingAsBytes()} returns. */
    FdpWriter bytes(byte[] value) {
        front.writeBytes(value);
        return this;
    }

    byte[] toByteArray() {
        byte[] b = back.toByteArray();
        byte[] out = new byte[front.size() + b.length];
        System.arraycopy(front.toByteArray(), 0, out, 0, front.size());
        for (int i = 0; i < b.length; i++) {
            out[out.length - 1 - i] = b[i];
        }
        return out;
    }
}
