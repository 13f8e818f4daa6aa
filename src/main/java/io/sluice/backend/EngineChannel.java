package io.sluice.backend;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Blocking TLS over a backend's {@link SocketChannel}, through an {@link SSLEngine}: the handshake, then
 * application bytes in and out, for Connector/J's streams ({@link EngineSocket}).
 *
 * <p>Records are read through the channel's socket stream rather than {@code channel.read}: that stream honours
 * the socket's SO_TIMEOUT, which Connector/J's connect, login and socket timeouts and {@code isValid(seconds)}
 * rely on (a blocking {@code channel.read} would wait for ever).
 *
 * <p>While an event loop holds the channel ({@link ChannelLoan}: non-blocking mode), the engine is the loop's
 * ({@link TlsRecords}): reads and writes here are refused before they touch the engine or a buffer, and close_notify is
 * not sent from here. This side holds no bytes of the stream meanwhile: a take-over is refused unless
 * {@link #held()} is 0, so the loop starts at a record boundary, and a give-back only happens at one, so this side
 * carries on where the loop stopped.
 *
 * <p>Reads and writes may come from different threads (Connector/J writes a statement while nothing reads; a
 * close may come from another thread), so each direction has its own lock; the engine itself allows a wrap and an
 * unwrap at the same time.
 */
final class EngineChannel {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final SocketChannel channel;
    private final InputStream records;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Bytes read from the channel, not yet unwrapped; kept ready to read (position to limit). */
    private ByteBuffer netIn;
    /** Application bytes unwrapped, not yet taken; kept ready to read. */
    private ByteBuffer appIn;
    /** Records wrapped, about to be written; kept ready to fill. */
    private ByteBuffer netOut;

    EngineChannel(SSLEngine engine, Socket channelSocket) throws IOException {
        this.engine = engine;
        this.channel = channelSocket.getChannel();
        this.records = channelSocket.getInputStream();
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet).flip();
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(packet);
    }

    SSLEngine engine() {
        return engine;
    }

    SocketChannel channel() {
        return channel;
    }

    /**
     * Runs the handshake to its end. On failure the alert the engine has for the server goes out (so that the
     * server's log says why), then the failure is thrown.
     */
    void handshake() throws IOException {
        readLock.lock();
        writeLock.lock();
        try {
            engine.beginHandshake();
            HandshakeStatus status = engine.getHandshakeStatus();
            while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
                status = switch (status) {
                    case NEED_WRAP -> wrap(EMPTY).getHandshakeStatus();
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        SSLEngineResult result = unwrap(true);
                        if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw new SSLHandshakeException("The backend closed TLS during the handshake");
                        }
                        yield result.getHandshakeStatus();
                    }
                    case NEED_TASK -> runTasks();
                    default -> throw new IllegalStateException(status.toString());
                };
            }
        } catch (IOException | RuntimeException e) {
            sendAlert();
            throw e;
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
    }

    /** Reads application bytes: at least one, blocking until some come; -1 once the server has closed. */
    int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        requireBlocking();
        readLock.lock();
        try {
            while (!appIn.hasRemaining()) {
                SSLEngineResult result = unwrap(false);
                if (result == null || result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    return -1;
                }
                // After the handshake the server may still send handshake messages: TLS 1.3 session tickets (no
                // answer) and key updates (answered with one of ours).
                afterUnwrap(result.getHandshakeStatus());
            }
            int n = Math.min(len, appIn.remaining());
            appIn.get(b, off, n);
            return n;
        } finally {
            readLock.unlock();
        }
    }

    /** Application bytes already unwrapped, which a read returns without blocking. */
    int available() {
        return appIn.remaining();
    }

    /**
     * Bytes of the stream this side has read and not handed out: application bytes unwrapped but not taken, and
     * record bytes not unwrapped yet (which {@link #available()} does not count). A take-over needs 0. While a read is
     * under way in another thread its buffers cannot be looked at, and the answer is {@link Integer#MAX_VALUE}.
     */
    int held() {
        if (!readLock.tryLock()) {
            return Integer.MAX_VALUE;
        }
        try {
            return appIn.remaining() + netIn.remaining();
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Whether an event loop holds the channel: only a loan makes it non-blocking. Then the engine is the loop's, and a
     * read or write from here (Connector/J's) is refused before it touches the engine, as the socket of a plain
     * connection refuses it before moving a byte; the channel's own write would otherwise go through.
     */
    boolean lentToEventLoop() {
        return GreetingShapingSocket.lentToEventLoop(channel);
    }

    private void requireBlocking() {
        if (lentToEventLoop()) {
            throw new java.nio.channels.IllegalBlockingModeException();
        }
    }

    void write(byte[] b, int off, int len) throws IOException {
        requireBlocking();
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        writeLock.lock();
        try {
            while (src.hasRemaining()) {
                SSLEngineResult result = wrap(src);
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new SocketException("TLS connection to the backend is closed");
                }
                if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                    runTasks();
                } else if (result.bytesConsumed() == 0 && result.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                    // A TLS 1.2 renegotiation the server started, which would need a read before this write could go
                    // on; MariaDB and MySQL never start one. Better an error than a write that spins.
                    throw new SSLException("The backend started a TLS renegotiation, which Sluice does not take part in");
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Sends close_notify, the goodbye that tells the server the connection ended on purpose. Skipped when a write is
     * under way in another thread (an abort while a statement goes out): waiting for it could hang the close. Not
     * while lent: the engine's records are the loop's to order, and the socket's close reaches the loop anyway.
     */
    void closeOutbound() {
        if (lentToEventLoop()) {
            return;
        }
        engine.closeOutbound();
        if (!writeLock.tryLock()) {
            return;
        }
        try {
            drainOutbound();
        } finally {
            writeLock.unlock();
        }
    }

    /** The server said goodbye (or the stream ended): nothing more will be read. */
    void closeInbound() {
        try {
            engine.closeInbound();
        } catch (SSLException ignored) {
            // No close_notify came: a truncation the caller cannot act on, since it closes anyway.
        }
    }

    private void sendAlert() {
        engine.closeOutbound();
        drainOutbound();
    }

    /** Writes what the engine has left to say after closeOutbound: an alert, close_notify. Best effort. */
    private void drainOutbound() {
        try {
            while (!engine.isOutboundDone() && wrap(EMPTY).bytesProduced() > 0) {
                // Each pass writes what the engine produced.
            }
        } catch (IOException | RuntimeException ignored) {
            // The server went first, or the channel is broken: what the caller does next goes ahead all the same.
        }
    }

    /** Wraps bytes of {@code src} (none: a handshake or closing message) into records and writes them out. */
    private SSLEngineResult wrap(ByteBuffer src) throws IOException {
        while (true) {
            SSLEngineResult result = engine.wrap(src, netOut);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                if (netOut.position() == 0) {
                    netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2, engine.getSession().getPacketBufferSize()));
                } else {
                    flush();
                }
                continue;
            }
            flush();
            return result;
        }
    }

    private void flush() throws IOException {
        netOut.flip();
        try {
            while (netOut.hasRemaining()) {
                channel.write(netOut);
            }
        } finally {
            netOut.clear();
        }
    }

    /**
     * Unwraps the next record into {@link #appIn}, reading from the channel until a whole one is there.
     *
     * @return null when the stream ended outside the handshake
     * @throws EOFException when it ended during the handshake
     */
    private SSLEngineResult unwrap(boolean handshaking) throws IOException {
        while (true) {
            appIn.compact();
            SSLEngineResult result;
            try {
                result = engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
            }
            switch (result.getStatus()) {
                case OK, CLOSED -> {
                    return result;
                }
                case BUFFER_OVERFLOW -> appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                case BUFFER_UNDERFLOW -> {
                    if (!fill()) {
                        closeInbound();
                        if (handshaking) {
                            throw new EOFException("The backend closed the connection during the TLS handshake");
                        }
                        return null;
                    }
                }
            }
        }
    }

    /** Reads more of the channel into {@link #netIn}; false at the end of the stream. */
    private boolean fill() throws IOException {
        if (netIn.position() == 0 && netIn.limit() == netIn.capacity()) {
            netIn = grow(netIn, engine.getSession().getPacketBufferSize());
        }
        netIn.compact();
        try {
            int n = records.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
            if (n < 0) {
                return false;
            }
            netIn.position(netIn.position() + n);
            return true;
        } finally {
            netIn.flip();
        }
    }

    private void afterUnwrap(HandshakeStatus status) throws IOException {
        while (true) {
            switch (status) {
                case NEED_TASK -> status = runTasks();
                case NEED_WRAP -> {
                    writeLock.lock();
                    try {
                        status = wrap(EMPTY).getHandshakeStatus();
                    } finally {
                        writeLock.unlock();
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }

    private HandshakeStatus runTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
        return engine.getHandshakeStatus();
    }

    /** A buffer with room for at least {@code room} bytes more than the ready ones it takes over. */
    private static ByteBuffer grow(ByteBuffer ready, int room) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(ready.capacity() * 2, ready.remaining() + room));
        bigger.put(ready).flip();
        return bigger;
    }
}
