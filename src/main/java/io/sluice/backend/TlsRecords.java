package io.sluice.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The TLS records of a lent backend connection ({@link ChannelLoan}) on the event loop: the connection's own
 * {@link SSLEngine}, the one {@link EngineChannel} ran the handshake on and uses in blocking mode, carries on with
 * the same session. Pure: it turns bytes into bytes and leaves reading and writing the channel to its caller.
 *
 * <p>Never starts a handshake: {@code beginHandshake()} on a take-over would be a key update (TLS 1.3) or a
 * renegotiation (TLS 1.2) per take-over. What the server may send after the handshake is followed: TLS 1.3 session
 * tickets (taken in, nothing to answer; no session is resumed from them, a connection's context is its own) and key
 * updates (the engine's answer, when the server asks for one, goes back through {@link Sink#toServer}). A TLS 1.2
 * renegotiation is refused with an {@link SSLException}: MariaDB and MySQL never start one, as EngineChannel assumes.
 *
 * <p>What it holds between reads is the tail of a record not read whole yet ({@link #heldRecordBytes()}); plaintext is
 * never held, each read's is handed out at once. A give-back while it holds a record's tail would leave those bytes
 * where EngineChannel cannot see them, so ChannelLoan refuses it.
 *
 * <p>Used on one event loop at a time; not thread-safe.
 */
final class TlsRecords {
    /** A TLS record's header: content type, version, length (two bytes, at offset 3). */
    private static final int HEADER = 5;
    private static final int LENGTH_OFFSET = 3;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Where the results of {@link #unwrap} go. */
    interface Sink {
        /** Application bytes, in order; the sink owns the buffer. */
        void plaintext(ByteBuf bytes);

        /** Records the engine has for the server (a key update's answer, close_notify's); the sink owns and sends them. */
        void toServer(ByteBuf records);
    }

    private final SSLEngine engine;
    /** The largest record; also what a wrap's output is grown by when too small. */
    private final int packetSize;
    /** Record bytes beyond the plaintext, per record, for sizing a wrap's output. */
    private final int recordOverhead;
    private final int maxPlaintext;
    /** Bytes of a record not read whole yet, kept for the next read; null when none. */
    private ByteBuf partial;
    /** The server sent close_notify: nothing more will come. */
    private boolean inboundClosed;

    TlsRecords(SSLEngine engine) {
        this.engine = engine;
        this.packetSize = engine.getSession().getPacketBufferSize();
        this.maxPlaintext = engine.getSession().getApplicationBufferSize();
        this.recordOverhead = Math.max(packetSize - maxPlaintext, HEADER);
    }

    /** Bytes of records read but not decrypted yet (a record whose tail has not come). */
    int heldRecordBytes() {
        return partial == null ? 0 : partial.readableBytes();
    }

    /** Whether the server has said goodbye (close_notify). */
    boolean inboundClosed() {
        return inboundClosed;
    }

    /** Whether the engine is between two messages of a post-handshake exchange (a key update half answered). */
    boolean midExchange() {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status != HandshakeStatus.NOT_HANDSHAKING && status != HandshakeStatus.FINISHED;
    }

    /**
     * Decrypts every whole record of {@code read} (after the tail kept from the last read), handing their plaintext to
     * {@code sink} as one buffer; the tail of a record not read whole is kept. Takes ownership of {@code read}.
     *
     * @throws SSLException a record that does not decrypt, or a renegotiation the server started
     */
    void unwrap(ByteBuf read, ByteBufAllocator alloc, Sink sink) throws SSLException {
        ByteBuf in = partial == null ? read : append(partial, read);
        partial = null;
        ByteBuf plain = null;
        try {
            while (!inboundClosed) {
                int record = wholeRecord(in);
                if (record < 0) {
                    break;
                }
                if (plain == null) {
                    // A record's plaintext is shorter than the record: all of this read's fits.
                    plain = alloc.buffer(in.readableBytes());
                }
                plain.ensureWritable(record);
                SSLEngineResult result = engine.unwrap(in.nioBuffer(in.readerIndex(), record), plain.internalNioBuffer(plain.writerIndex(), plain.writableBytes()));
                in.skipBytes(result.bytesConsumed());
                plain.writerIndex(plain.writerIndex() + result.bytesProduced());
                switch (result.getStatus()) {
                    case OK -> afterUnwrap(result.getHandshakeStatus(), alloc, sink);
                    case CLOSED -> {
                        inboundClosed = true;
                        // The engine answers close_notify with its own.
                        afterUnwrap(result.getHandshakeStatus(), alloc, sink);
                    }
                    // The engine's estimate of a record's plaintext can exceed the record: room for the largest.
                    case BUFFER_OVERFLOW -> plain.ensureWritable(maxPlaintext);
                    // A whole record was there; the engine wanting more means a record it cannot frame.
                    case BUFFER_UNDERFLOW -> throw new SSLException("The backend sent a TLS record the engine cannot read whole (" + record + " bytes)");
                }
            }
            if (plain != null && plain.isReadable()) {
                ByteBuf out = plain;
                plain = null;
                sink.plaintext(out);
            }
        } finally {
            if (plain != null) {
                plain.release();
            }
            keepTail(in, alloc);
        }
    }

    /**
     * Encrypts {@code plain} into records, in order with every record wrapped before. Takes ownership of {@code plain}.
     *
     * @throws SSLException the engine is closed, or the server started a renegotiation
     */
    ByteBuf wrap(ByteBuf plain, ByteBufAllocator alloc) throws SSLException {
        int length = plain.readableBytes();
        ByteBuf out = alloc.buffer(length + (length / maxPlaintext + 1) * recordOverhead);
        try {
            ByteBuffer[] src = plain.nioBuffers();
            while (true) {
                SSLEngineResult result = engine.wrap(src, out.internalNioBuffer(out.writerIndex(), out.writableBytes()));
                out.writerIndex(out.writerIndex() + result.bytesProduced());
                switch (result.getStatus()) {
                    case BUFFER_OVERFLOW -> {
                        out.ensureWritable(packetSize);
                        continue;
                    }
                    case CLOSED -> throw new SSLException("TLS to the backend is closed");
                    default -> {
                    }
                }
                HandshakeStatus status = runTasks(result.getHandshakeStatus());
                if (status == HandshakeStatus.NEED_UNWRAP && result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                    throw renegotiation();
                }
                // NEED_WRAP: the engine has a message of its own to send next (a key update it started).
                if (!hasRemaining(src) && status != HandshakeStatus.NEED_WRAP) {
                    ByteBuf records = out;
                    out = null;
                    return records;
                }
            }
        } finally {
            plain.release();
            if (out != null) {
                out.release();
            }
        }
    }

    /** Lets go of the kept tail, at the end of the connection. */
    void release() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    /** The length of the record at the start of {@code in}, header included; -1 when not all of it is there yet. */
    static int wholeRecord(ByteBuf in) {
        if (in.readableBytes() < HEADER) {
            return -1;
        }
        int record = HEADER + in.getUnsignedShort(in.readerIndex() + LENGTH_OFFSET);
        return in.readableBytes() >= record ? record : -1;
    }

    /** What the engine asks for after an unwrap: delegated tasks run, its own messages wrapped for the server. */
    private void afterUnwrap(HandshakeStatus status, ByteBufAllocator alloc, Sink sink) throws SSLException {
        status = runTasks(status);
        if (status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED) {
            return;
        }
        if (!"TLSv1.3".equals(engine.getSession().getProtocol()) && !inboundClosed) {
            // Before TLS 1.3 a handshake message after the handshake is a renegotiation (a HelloRequest).
            throw renegotiation();
        }
        if (status == HandshakeStatus.NEED_WRAP) {
            ByteBuf records = alloc.buffer(packetSize);
            try {
                while (status == HandshakeStatus.NEED_WRAP) {
                    SSLEngineResult result = engine.wrap(EMPTY, records.internalNioBuffer(records.writerIndex(), records.writableBytes()));
                    records.writerIndex(records.writerIndex() + result.bytesProduced());
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                        records.ensureWritable(packetSize);
                    } else if (result.getStatus() == SSLEngineResult.Status.CLOSED && result.bytesProduced() == 0) {
                        break;
                    }
                    status = runTasks(result.getHandshakeStatus());
                }
                ByteBuf out = records;
                records = null;
                sink.toServer(out);
            } finally {
                if (records != null) {
                    records.release();
                }
            }
        }
        // NEED_UNWRAP: the rest of a post-handshake message is in a record still to come.
    }

    private HandshakeStatus runTasks(HandshakeStatus status) {
        if (status != HandshakeStatus.NEED_TASK) {
            return status;
        }
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
        return engine.getHandshakeStatus();
    }

    /** Keeps what is left of {@code in} (a record's first bytes) for the next read, or lets it go. */
    private void keepTail(ByteBuf in, ByteBufAllocator alloc) {
        if (!in.isReadable() || inboundClosed) {
            in.release();
            return;
        }
        if (in.refCnt() == 1 && in.capacity() >= packetSize) {
            in.discardSomeReadBytes();
            partial = in;
            return;
        }
        // A read's own buffer is sized for the read; the record's tail gets room for the whole record.
        partial = alloc.buffer(Math.max(packetSize, in.readableBytes())).writeBytes(in);
        in.release();
    }

    private static ByteBuf append(ByteBuf kept, ByteBuf read) {
        try {
            return kept.ensureWritable(read.readableBytes()).writeBytes(read);
        } finally {
            read.release();
        }
    }

    private static boolean hasRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private static SSLException renegotiation() {
        return new SSLException("The backend started a TLS renegotiation, which Sluice does not take part in");
    }
}
