package io.sluice.testing.mysql8;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/**
 * One side of the face (client or MariaDB) as a stream of logical packets: payloads of 16 MiB and more are
 * joined on reading and split on writing, as a MySQL server's net layer does. Each side numbers its own
 * packets: the face rewrites sequence ids instead of copying them, because a payload it shortens or lengthens
 * may take fewer or more physical packets on one side than on the other.
 */
final class PacketStream implements AutoCloseable {
    static final int MAX_PHYSICAL = 0xffffff;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextSequence;

    PacketStream(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /** A new command starts: both sides count from 0 again. */
    void resetSequence() {
        nextSequence = 0;
    }

    /** Reads one logical payload; throws EOFException when the peer closed the connection between packets. */
    byte[] read() throws IOException {
        byte[] payload = readPhysical();
        if (payload.length < MAX_PHYSICAL) {
            return payload;
        }
        ByteArrayOutputStream joined = new ByteArrayOutputStream(payload.length * 2);
        joined.write(payload);
        byte[] next;
        do {
            next = readPhysical();
            joined.write(next);
        } while (next.length == MAX_PHYSICAL);
        return joined.toByteArray();
    }

    private byte[] readPhysical() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            throw new EOFException("peer closed the connection");
        }
        int length = b0 | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
        nextSequence = (in.readUnsignedByte() + 1) & 0xff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    /** Writes one logical payload with this side's next sequence ids, and flushes. */
    void write(byte[] payload) throws IOException {
        writeUnflushed(payload);
        out.flush();
    }

    /** Writes without flushing, for the packets of a result set that follow one another. */
    void writeUnflushed(byte[] payload) throws IOException {
        int offset = 0;
        while (true) {
            int chunk = Math.min(MAX_PHYSICAL, payload.length - offset);
            out.write(chunk);
            out.write(chunk >>> 8);
            out.write(chunk >>> 16);
            out.write(nextSequence);
            nextSequence = (nextSequence + 1) & 0xff;
            out.write(payload, offset, chunk);
            offset += chunk;
            // A payload that fills its last packet exactly is ended by an empty one.
            if (chunk < MAX_PHYSICAL) {
                return;
            }
        }
    }

    void flush() throws IOException {
        out.flush();
    }

    String remoteAddress() {
        return socket.getInetAddress().getHostAddress();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with this socket
        }
    }
}
