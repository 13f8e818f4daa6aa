package io.sluice.relay;

import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.PayloadPiece;

/**
 * What a client session needs from its connection: packets in, packets out with sequence ids, close.
 * Called only from the session's own thread.
 */
public interface ClientTransport {

    /**
     * Next packet from the client, or null when {@code timeoutNanos} (0 = no limit) passes first.
     *
     * @throws ClientGoneException when the client closed the connection
     * @throws RuntimeException    the framing error that ended reading (packet too large, bad sequence)
     */
    InboundPacket receive(long timeoutNanos) throws InterruptedException;

    /**
     * The next piece of the payload whose {@linkplain InboundPacket#isHead() head} {@link #receive} returned last, up
     * to the one that is {@linkplain PayloadPiece#last() last}. Waits as long as it takes: the packet timeout bounds a
     * client that stops sending.
     *
     * @throws ClientGoneException when the client closed the connection
     * @throws RuntimeException    the framing error that ended reading
     */
    PayloadPiece receivePiece() throws InterruptedException;

    /** Reads and drops the rest of a payload whose head was received, if it was one. */
    default void skipRest(InboundPacket packet) throws InterruptedException {
        if (packet.isHead()) {
            while (!receivePiece().last()) {
                // dropped
            }
        }
    }

    /**
     * Long payloads pass in pieces ({@link #receivePiece}) rather than whole: after authentication a
     * COM_STMT_SEND_LONG_DATA, and while a LOAD DATA LOCAL file's packets arrive ({@code follow}), every packet, its
     * bytes being the file's. Set before the request for the file is flushed, and cleared after its last packet.
     */
    void filePacketsFollow(boolean follow);

    /**
     * The client has authenticated: from now on it may send packets up to {@code sluice.client.max-packet-size},
     * no longer only up to {@code sluice.client.max-login-packet-size}. Call before answering the login with OK,
     * so that whatever the client sends after reading it is judged by the new limit.
     */
    void authenticated();

    /**
     * The session gives its thread up until the next packet or the end of the connection arrives, or until
     * {@code wakeAtNanos} ({@link System#nanoTime()}; 0: no time), when {@code wake} is run, once. False when
     * something is there already: the session carries on with it.
     */
    default boolean rest(Runnable wake, long wakeAtNanos) {
        return false;
    }

    /**
     * The next packet, taken, if a whole one is queued already; null otherwise (nothing yet, a piece, or the end of the
     * connection, which stay for {@link #receive}). Never waits: for the event loop, while the session rests.
     */
    default InboundPacket receiveNow() {
        return null;
    }

    /** Whether the end of the connection is queued next. Never waits: for the event loop, while the session rests. */
    default boolean endQueued() {
        return false;
    }

    /**
     * The next packet, taken, if it is a whole one that starts a command ({@code command}, sequence id 0); null
     * otherwise. Never waits: for the event loop, while the session rests.
     */
    default InboundPacket takeCommand(int command) {
        return null;
    }

    /**
     * The next packet, not taken, if it is a whole one that starts a command (sequence id 0); null otherwise. Never
     * waits: for the event loop, while the session rests.
     */
    default InboundPacket peekCommand() {
        return null;
    }

    /** The Netty event loop the connection lives on, for a relay there; null when it has none. */
    default io.netty.channel.EventLoop eventLoop() {
        return null;
    }

    /**
     * Sends what is queued, never waiting: for the event loop. False when the client has more unread than it may
     * have ({@link #flush} would wait): then {@link #whenDrained} says when it has read enough.
     */
    default boolean flushWithoutWaiting() {
        flush();
        return true;
    }

    /**
     * On the event loop: runs {@code then} there, once, when the client has read enough of what was sent, or its
     * connection ended. A client that reads nothing for {@code sluice.client.write-timeout} is disconnected.
     */
    default void whenDrained(Runnable then) {
        then.run();
    }

    /** Sets the sequence id of the next packet written. */
    void sequence(int next);

    int sequence();

    /** Queues one logical packet (split if 16 MB or larger); written out by {@link #flush()} or when the batch grows. */
    void write(byte[] payload, int offset, int length);

    default void write(byte[] payload) {
        write(payload, 0, payload.length);
    }

    /**
     * Starts one physical packet of {@code length} bytes, which {@link #writePartBytes} then fills, as the backend's
     * packets pass through in pieces (a long row): a part of 0xffffff bytes is followed by more of the same
     * payload, a shorter one (maybe empty) ends it. Nothing is held longer than a piece.
     */
    void startPart(int length);

    /** Bytes of the packet {@link #startPart} started, in order. */
    void writePartBytes(byte[] bytes, int offset, int length);

    /** Sends what is queued; off the event loop, blocks while too much is still unread by the client. */
    void flush();

    boolean isClosed();

    /** Flushes and closes; from the session's own thread. */
    void close();

    /** Closes the socket without flushing; safe from any thread (kills, shutdown). */
    void abort();

    String remoteHost();

    /** Whether the client upgraded the connection to TLS (after its SSLRequest). */
    default boolean isTls() {
        return false;
    }
}
