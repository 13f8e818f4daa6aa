package io.sluice.backend;

import io.sluice.protocol.HandshakeV10;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The byte stream from a backend as Connector/J reads it: the server's first packet (its greeting) with some
 * capability flags cleared, everything after it untouched. Connector/J agrees to every capability of a certain
 * kind a server offers (CLIENT_QUERY_ATTRIBUTES, for one, changes the layout of every COM_QUERY) and has no
 * property to refuse it; a greeting that never offered it is the one place to say no.
 */
final class GreetingShapingInput extends FilterInputStream {
    /** A greeting is a hundred bytes or so; anything longer is not one, and passes unshaped. */
    private static final int MAX_GREETING = 64 * 1024;

    private final int cleared;
    private byte[] pending;
    private int served;

    GreetingShapingInput(InputStream in, int clearedCapabilities) {
        super(in);
        this.cleared = clearedCapabilities;
    }

    @Override
    public int read() throws IOException {
        if (greetingPending()) {
            return pending[served++] & 0xff;
        }
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (greetingPending()) {
            int n = Math.min(len, pending.length - served);
            System.arraycopy(pending, served, b, off, n);
            served += n;
            return n;
        }
        return super.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
        int buffered = pending == null ? 0 : pending.length - served;
        return buffered + super.available();
    }

    @Override
    public long skip(long n) throws IOException {
        // Connector/J never skips; reading keeps the greeting logic in one place.
        return read(new byte[(int) Math.min(n, 8192)]);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads and shapes the greeting on first use; true while some of it is still to be served. */
    private boolean greetingPending() throws IOException {
        if (pending == null) {
            pending = shapedGreeting();
        }
        return served < pending.length;
    }

    private byte[] shapedGreeting() throws IOException {
        byte[] header = in.readNBytes(4);
        int length = header.length < 4 ? -1 : (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        if (length < 0 || length > MAX_GREETING) {
            return header;
        }
        byte[] payload = in.readNBytes(length);
        byte[] shaped = payload.length == length ? HandshakeV10.withoutCapabilities(payload, cleared) : payload;
        byte[] packet = new byte[4 + shaped.length];
        System.arraycopy(header, 0, packet, 0, 4);
        System.arraycopy(shaped, 0, packet, 4, shaped.length);
        return packet;
    }
}
