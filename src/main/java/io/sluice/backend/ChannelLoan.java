package io.sluice.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

import javax.net.ssl.SSLEngine;

/**
 * The socket of one backend connection, lent by Connector/J to a Netty event loop and given back: who owns it now
 * ({@link Owner}), and the Netty channel it is wrapped in while the loop does. Exactly one side uses the socket at a
 * time. Take-over happens only when Connector/J has nothing of it left unread (its read-ahead buffer and the kernel's
 * both empty); give-back only when the loop has nothing left unread either (the borrower consumed every byte it was
 * handed, and the kernel holds none). Either refusal means the two sides would disagree about where the byte stream
 * stands, so a give-back that finds bytes left closes the connection rather than return it.
 *
 * <p>A TLS connection is lent only when its engine is Sluice's ({@link BackendConnection#tlsEngine()}): the loop goes on
 * with the same engine and session through {@link TlsRecords}, and the borrower sees plaintext both ways, exactly as
 * over plain TCP ({@link #takeOver} says how to write). Who holds bytes of the stream is then one of three:
 * <ul>
 *   <li>Connector/J: its buffer ({@code available()} of its input stream) and {@link EngineChannel}'s (records read
 *   and not decrypted, plaintext not taken: {@link EngineChannel#held()}); a take-over needs both empty, and the kernel's
 *   too, so that the loop's first read starts at a record boundary;</li>
 *   <li>the loop: {@link TlsRecords} (a record's first bytes, {@link TlsRecords#heldRecordBytes()}) and the borrower
 *   (plaintext handed and not consumed, {@link Borrower#consumedAll()}); a give-back needs both empty, and the kernel's
 *   too, so that EngineChannel's next read starts at a record boundary, or it closes the connection;</li>
 *   <li>nobody, between the two: the kernel, checked at both ends.</li>
 * </ul>
 * No handshake is started at a take-over ({@code beginHandshake()} would mean a key update or a renegotiation each
 * time); the engine's session simply carries on. A TLS socket whose engine Sluice cannot reach (Connector/J's own
 * SSLSocket) is refused.
 *
 * <p>While lent, Connector/J must not touch the connection: {@link BackendConnection}'s packet methods fail with
 * {@link LoanException}, and any JDBC call that reaches the socket fails because the socket is in non-blocking mode
 * (the JDK refuses a blocking read or write before moving a byte); Connector/J then closes its connection, which reaches
 * the loop as the end of the stream ({@code GreetingShapingSocket.close}). Connector/J's {@code socketTimeout} does not
 * apply in non-blocking mode: while lent, timing out a backend that does not answer is the borrower's job. Nor does
 * Connector/J see what the loop relays: its cached session state (autocommit, schema) may be stale after a give-back.
 *
 * <p>The Netty channel is made once per physical connection, with one permanent handler that hands what it reads to
 * whichever {@link Borrower} holds the loan now: changing the pipeline of a deregistered channel would run
 * {@code handlerAdded} on the loop it left, racing the first read on the new one. Only the NIO transport can adopt a
 * {@link SocketChannel}; Quarkus in JVM mode uses it.
 *
 * <p>{@link #takeOver} runs on the loop that takes the socket; {@link #giveBack} and {@link #close} may be called
 * from any thread and do their work on the loop that holds it.
 */
public final class ChannelLoan {
    /**
     * How much one read of a backend socket takes: Netty's default grows to 64 KiB, a size its per-thread cache does
     * not keep, so each such read took its buffer from the shared arena, and now and then a new 4 MiB chunk, zeroed
     * (about 2 % of the loop's time in a read-only profile). MariaDB and MySQL send results in 16 KiB writes anyway.
     */
    private static final AdaptiveRecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(64, 2048, 16 * 1024);

    /** Who may read and write the socket. */
    public enum Owner {
        /** Connector/J (and through it Agroal): blocking mode, the socket's streams. */
        CONNECTOR_J,
        /** An event loop, through {@link #channel()}. */
        LOOP,
        /** Given back, but the loop has not deregistered the channel yet: nobody may use it. */
        RETURNING,
        /** Deregistered from one loop, on its way to rest on another ({@link #moveTo}): nobody may use it. */
        MOVING,
        /** Closed while lent or on a failed give-back: nobody ever will. */
        CLOSED
    }

    /** Whoever uses the socket on the loop: the relay serving one client. Every method runs on that loop. */
    public interface Borrower {
        /** Bytes from the backend, in order. The borrower owns (and releases) the buffer. */
        void received(ByteBuf bytes);

        /**
         * Whether every byte {@link #received} so far has been consumed: the last response was scanned to its end, and
         * nothing of a further packet is held. Asked at give-back; false makes it close the connection.
         */
        boolean consumedAll();

        /** The connection closed while lent: the server went away, or it was {@linkplain #close closed}. */
        void closed();
    }

    private final SocketChannel socket;
    /** Connector/J's input stream: its read-ahead buffer plus, beneath it, the kernel's. */
    private final InputStream connectorJInput;
    private final boolean tls;
    /** The TLS engine of the connection, Sluice's; null over plain TCP, or with TLS Sluice cannot reach. */
    private final SSLEngine engine;
    /** {@link EngineChannel#held()}, through a JDK type (EngineSocket may come from another class loader). */
    private final IntSupplier heldByEngineSocket;
    private final long threadId;
    private volatile Owner owner = Owner.CONNECTOR_J;
    /** Made at the first take-over, kept for the life of the connection. */
    private volatile NioSocketChannel channel;
    /** The loop's side of the TLS session, made with the channel; null over plain TCP. Used on the loop only. */
    private TlsRecords records;
    /** Set and read on the loop that holds the channel. */
    private Borrower borrower;
    /** Where {@link #peerSpoke} reads; only the side taking the socket over uses it. */
    private final java.nio.ByteBuffer probe = java.nio.ByteBuffer.allocate(1);
    /** True on the loop while the borrower is handed bytes: a give-back from there waits until it has consumed them. */
    private boolean delivering;
    /** True on the loop while the channel hands on what it read; a {@link #rest} asked meanwhile waits for its end. */
    private boolean reading;
    private boolean restPending;

    /**
     * @param engine             with {@code tls}, the connection's engine when it is Sluice's, else null
     * @param heldByEngineSocket with {@code engine}, the bytes Sluice's TLS socket holds ({@link EngineChannel#held()})
     */
    ChannelLoan(SocketChannel socket, InputStream connectorJInput, boolean tls, SSLEngine engine, IntSupplier heldByEngineSocket, long threadId) {
        this.socket = socket;
        this.connectorJInput = connectorJInput;
        this.tls = tls;
        this.engine = tls ? engine : null;
        this.heldByEngineSocket = heldByEngineSocket;
        this.threadId = threadId;
    }

    public Owner owner() {
        return owner;
    }

    /** The Netty channel over the socket, for the borrower's writes (plaintext, see {@link #takeOver}); null before the first take-over. */
    public Channel channel() {
        return channel;
    }

    /**
     * Lends the socket to {@code loop}, where {@code borrower} receives what the backend sends from now on. Must be
     * called on {@code loop}, and returns with the channel registered there. In Sluice the loop is a Vert.x one
     * ({@code vertx.nettyEventLoopGroup()}, or a client channel's {@code eventLoop()}), NIO in JVM mode.
     *
     * @return the channel to write to: what the borrower writes is plaintext, MySQL packets, over TLS as over plain
     * TCP; with TLS the channel's handler wraps it into records, in the order written, on the loop
     * @throws LoanException when Connector/J does not hold the connection, it or Sluice's TLS socket or the kernel has
     *                       bytes of it unread, the connection uses TLS on an engine Sluice cannot reach, or the loop
     *                       is not a NIO one
     */
    public Channel takeOver(EventLoop loop, Borrower borrower) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("take-over must run on the event loop that takes the connection");
        }
        if (!(loop instanceof NioEventLoop)) {
            throw refused("the event loop is not a NIO one (" + loop.getClass().getName() + "), which alone can adopt a SocketChannel");
        }
        if (owner == Owner.LOOP && this.borrower == null && !restPending && channel.eventLoop() == loop) {
            // Resting here since the last command (see rest): the next one needs no take-over at all.
            if (!channel.isActive()) {
                throw refused("the server closed it while it rested on the event loop");
            }
            this.borrower = borrower;
            if (!channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
            return channel;
        }
        if (owner != Owner.CONNECTOR_J) {
            throw refused("it is " + owner + (owner == Owner.LOOP ? " on another loop" : ""));
        }
        if (tls && (engine == null || heldByEngineSocket == null)) {
            throw refused("it uses TLS on an engine Sluice cannot reach (not " + ProbingSocketFactory.class.getSimpleName() + "'s)");
        }
        if (socket == null) {
            throw refused("its socket has no channel (not made by " + ProbingSocketFactory.class.getSimpleName() + ")");
        }
        int unread = unreadByConnectorJ();
        if (unread != 0) {
            throw refused(unread < 0 ? "its socket is broken" : "Connector/J has " + unread + " bytes of it unread");
        }
        if (tls) {
            String held = heldAtTakeOver();
            if (held != null) {
                throw refused(held);
            }
        }
        try {
            if (channel == null) {
                if (tls) {
                    records = new TlsRecords(engine);
                }
                // Sets non-blocking mode itself.
                channel = new NioSocketChannel(socket);
                channel.config().setRecvByteBufAllocator(READS);
                channel.pipeline().addLast(new Relay());
            } else {
                socket.configureBlocking(false);
            }
        } catch (IOException | ChannelException e) {
            throw refused("its socket cannot go non-blocking (" + e.getMessage() + ")");
        }
        if (peerSpoke()) {
            // Between commands nothing is due from the server: a byte, or the end of the stream, means it closed the
            // connection (a restart, a failover, wait_timeout) or broke the protocol. Either way it is done with.
            owner = Owner.CLOSED;
            channel.unsafe().closeForcibly();
            throw refused("the server closed it, or sent bytes nobody asked for");
        }
        this.borrower = borrower;
        owner = Owner.LOOP;
        // On its own loop, registration completes before register() returns.
        var registered = loop.register(channel);
        if (!registered.isSuccess()) {
            this.borrower = null;
            owner = Owner.CLOSED;
            channel.unsafe().closeForcibly();
            throw refused("registering it on the event loop failed (" + registered.cause() + ")");
        }
        // A borrower may have left reading off (backpressure). Turned on only now, once registered: before, the read it
        // starts would run on the loop the channel left, racing this one.
        if (!channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
        return channel;
    }

    /**
     * The borrower is done, but the connection stays where it is for a next command (its client's, in a transaction or
     * after parking it, or another client's on this loop that takes it over): the socket
     * stays on the loop, registered, with nobody to hand bytes to, until the next {@link #takeOver} there or a
     * {@link #giveBack}. Between commands the server has nothing to say: what it sends meanwhile, or its closing the
     * connection, closes the channel (see Relay), which the next take-over then refuses. Must be called on the loop.
     *
     * @return false, with the connection closed, when the borrower left bytes it received unconsumed
     */
    public boolean rest() {
        if (owner != Owner.LOOP || borrower == null) {
            return false;
        }
        if (reading) {
            // From the borrower's received() (at an answer's end, the usual place): the rest of what the channel read
            // must reach the borrower first, or consumedAll() would answer for part of it (see Relay#channelRead).
            restPending = true;
            return true;
        }
        return restNow();
    }

    private boolean restNow() {
        Borrower lastBorrower = borrower;
        borrower = null;
        if (!lastBorrower.consumedAll()) {
            owner = Owner.CLOSED;
            channel.close();
            return false;
        }
        return true;
    }

    /** Whether the socket rests on its loop with no borrower ({@link #rest}), to be given back before Connector/J uses it. */
    public boolean resting() {
        return owner == Owner.LOOP && borrower == null;
    }

    /**
     * Whether an event loop has the socket, or is giving it back: Connector/J may not use it before {@link #reclaim}.
     * From any thread; between commands (the only time anyone else asks) the loop has it only resting.
     */
    public boolean withLoop() {
        Owner now = owner;
        return now == Owner.LOOP || now == Owner.RETURNING || now == Owner.MOVING;
    }

    /** Whether the socket is registered on {@code loop}: a borrower there takes it over with no system call. */
    public boolean on(java.util.concurrent.Executor loop) {
        Channel ch = channel;
        return owner == Owner.LOOP && ch != null && ch.eventLoop() == loop;
    }

    /**
     * Whether waiting here for a {@link #giveBack} could stall an event loop (this thread is a Netty one): the caller
     * then goes on when the give-back's future completes instead.
     */
    public static boolean mustNotWait() {
        return Thread.currentThread() instanceof io.netty.util.concurrent.FastThreadLocalThread;
    }

    /**
     * For a thread that may wait (not {@link #mustNotWait}): a socket that rests on an event loop goes back to
     * Connector/J, and this returns once it has. False when it was closed instead (the server closed it while it
     * rested, or bytes came that nobody asked for); true when Connector/J had it already.
     */
    public boolean reclaim() {
        if (owner == Owner.CLOSED) {
            return false;
        }
        if (!withLoop()) {
            return true;
        }
        try {
            // Not interruptible: a session ended by shutdown still gives its backend back, which needs it here first.
            giveBack().join();
            return true;
        } catch (java.util.concurrent.CompletionException e) {
            return false;
        }
    }

    /**
     * Gives the socket back to Connector/J: the borrower is let go (anything read from now on closes the connection),
     * the channel deregistered from its loop and the socket put back in blocking mode. The returned future completes
     * once Connector/J may use the connection (deregistration runs as a later task of the loop). It fails with {@link LoanException}, and the connection is closed, when the borrower
     * has not consumed every byte or the kernel holds bytes nobody read: the byte stream could no longer be followed.
     */
    public CompletableFuture<Void> giveBack() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null) {
            done.completeExceptionally(new LoanException("Cannot give back backend connection " + threadId + ": it was never lent"));
            return done;
        }
        if (ch.eventLoop().inEventLoop() && !delivering) {
            returnOnLoop(done);
        } else {
            // From a borrower's received() (at a response's end, the usual place), the rest of the bytes it is being handed
            // must be fed first, or consumedAll() would answer for part of them.
            ch.eventLoop().execute(() -> returnOnLoop(done));
        }
        return done;
    }

    /**
     * Moves a socket resting on its loop ({@link #rest}) to rest on {@code to} instead, for a client there: deregistered
     * from the one loop and registered on the other, with no give-back to Connector/J between. The checks a give-back
     * and a take-over make still apply, at less cost: the borrower consumed everything (checked at the rest), the TLS
     * records hold nothing, and the server said nothing meanwhile (one non-blocking read on {@code to}, before it
     * registers). A give-back and take-over instead cost two FIONREAD ioctls and two switches of blocking mode more;
     * with 32 clients on 20 connections over two loops, about one statement in five moved a socket.
     *
     * @return completes on {@code to} once the socket rests there (the next take-over there needs no system call);
     * fails with {@link LoanException}, and the connection is closed, when the socket did not rest, or the server
     * spoke or closed meanwhile
     */
    public CompletableFuture<Void> moveTo(EventLoop to) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null) {
            done.completeExceptionally(new LoanException("Cannot move backend connection " + threadId + ": it was never lent"));
            return done;
        }
        ch.eventLoop().execute(() -> moveOnLoop(to, done));
        return done;
    }

    private void moveOnLoop(EventLoop to, CompletableFuture<Void> done) {
        if (owner != Owner.LOOP || borrower != null || restPending) {
            done.completeExceptionally(new LoanException("Cannot move backend connection " + threadId + ": it is "
                    + (owner == Owner.LOOP ? "lent" : owner)));
            return;
        }
        if (tlsHoldsBytes(done)) {
            return;
        }
        owner = Owner.MOVING;
        channel.deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess()) {
                discard(done, "deregistering failed (" + deregistered.cause() + ")");
                return;
            }
            to.execute(() -> {
                if (owner != Owner.MOVING) {
                    done.completeExceptionally(new LoanException("Backend connection " + threadId + " was closed while it moved"));
                    return;
                }
                if (peerSpoke()) {
                    owner = Owner.CLOSED;
                    channel.unsafe().closeForcibly();
                    done.completeExceptionally(new LoanException("Backend connection " + threadId
                            + " closed instead of moved: the server closed it, or sent bytes nobody asked for"));
                    return;
                }
                var registered = to.register(channel);
                if (!registered.isSuccess()) {
                    owner = Owner.CLOSED;
                    channel.unsafe().closeForcibly();
                    done.completeExceptionally(new LoanException("Backend connection " + threadId
                            + " closed instead of moved: registering it failed (" + registered.cause() + ")"));
                    return;
                }
                owner = Owner.LOOP;
                done.complete(null);
            });
        });
    }

    /** With TLS, whether the loop's records hold something (see heldAtGiveBack): then the connection is discarded. */
    private boolean tlsHoldsBytes(CompletableFuture<Void> done) {
        String held = records == null ? null : heldAtGiveBack();
        if (held != null) {
            discard(done, held);
        }
        return held != null;
    }

    private void returnOnLoop(CompletableFuture<Void> done) {
        if (owner != Owner.LOOP) {
            done.completeExceptionally(new LoanException("Cannot give back backend connection " + threadId + ": it is " + owner));
            return;
        }
        Borrower lastBorrower = borrower;
        owner = Owner.RETURNING;
        borrower = null;
        // A loan resting on the loop (lastBorrower null) had its borrower's bytes checked when it came to rest.
        if (lastBorrower != null && !lastBorrower.consumedAll()) {
            discard(done, "its borrower left bytes it received unconsumed");
            return;
        }
        if (tlsHoldsBytes(done)) {
            return;
        }
        // Anything read before deregistration takes effect finds no borrower and closes the channel (Relay).
        channel.deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess()) {
                discard(done, "deregistering failed (" + deregistered.cause() + ")");
                return;
            }
            if (!socket.isOpen() || socket.socket().isInputShutdown() || socket.socket().isOutputShutdown()) {
                // Closed meanwhile, or shut down by Connector/J closing it while lent (GreetingShapingSocket#close).
                discard(done, "it was closed while lent");
                return;
            }
            // Over plain TCP Connector/J's input reaches down to the kernel's buffer; with TLS it stops at EngineSocket's.
            int unread = tls ? unreadInKernel() : unreadByConnectorJ();
            if (unread != 0) {
                discard(done, unread < 0 ? "its socket is broken" : "the kernel holds " + unread + " bytes nobody read");
                return;
            }
            try {
                // Possible now: deregistration cancelled the channel's only selection key.
                socket.configureBlocking(true);
            } catch (IOException | RuntimeException e) {
                discard(done, "its socket cannot go back to blocking mode (" + e + ")");
                return;
            }
            owner = Owner.CONNECTOR_J;
            done.complete(null);
        });
    }

    /** Closes a connection whose byte stream cannot be followed any more; Connector/J then finds its socket closed. */
    private void discard(CompletableFuture<Void> done, String why) {
        owner = Owner.CLOSED;
        channel.close();
        done.completeExceptionally(new LoanException("Backend connection " + threadId + " closed instead of given back: " + why));
    }

    /**
     * Closes the connection's socket through the loop that holds it, so that the borrower is told ({@link Borrower#closed})
     * and the loop lets go of the channel; for a connection Connector/J holds, nothing (it closes its socket itself).
     * The future completes once the socket is closed.
     */
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null || owner == Owner.CONNECTOR_J) {
            closed.complete(null);
            return closed;
        }
        owner = Owner.CLOSED;
        if (!ch.isOpen()) {
            // Closed already, its borrower told. Among them a channel closed at the first take-over, which found the
            // server gone: never registered, it has no loop to close through (Netty would throw IllegalStateException).
            closed.complete(null);
            return closed;
        }
        ch.close().addListener(f -> closed.complete(null));
        return closed;
    }

    /**
     * Whether the server sent anything, or closed the connection, while nothing was asked of it: one read of the
     * socket, in non-blocking mode, that finds nothing (the usual case) costs one system call and takes nothing.
     */
    private boolean peerSpoke() {
        try {
            return socket.read(probe.clear()) != 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Bytes of the connection nobody has read: Connector/J's buffer plus the kernel's; -1 when the socket fails. */
    private int unreadByConnectorJ() {
        try {
            return connectorJInput.available();
        } catch (IOException e) {
            return -1;
        }
    }

    /** With TLS, why Sluice's TLS socket or the kernel would keep bytes from the loop's first read; null when neither. */
    private String heldAtTakeOver() {
        int held = heldByEngineSocket.getAsInt();
        if (held == Integer.MAX_VALUE) {
            return "a read of its TLS socket is under way";
        }
        if (held != 0) {
            return "Sluice's TLS socket holds " + held + " bytes of it (records not decrypted, or plaintext not read)";
        }
        if (records != null && records.heldRecordBytes() != 0) {
            // Cannot happen: a give-back leaving bytes there closes the connection. Checked so that it stays so.
            return "the event loop's TLS records hold " + records.heldRecordBytes() + " bytes of it";
        }
        int kernel = unreadInKernel();
        if (kernel != 0) {
            return kernel < 0 ? "its socket is broken" : "the kernel holds " + kernel + " bytes of it unread";
        }
        return null;
    }

    /** With TLS, why the loop's side would keep bytes from EngineSocket's next read, or leave the session mid-exchange. */
    private String heldAtGiveBack() {
        if (records.inboundClosed()) {
            return "the server closed TLS (close_notify)";
        }
        if (records.heldRecordBytes() != 0) {
            return "the event loop's TLS records hold " + records.heldRecordBytes() + " bytes of a record not decrypted";
        }
        if (records.midExchange()) {
            return "its TLS session is in the middle of a post-handshake exchange (" + engine.getHandshakeStatus() + ")";
        }
        return null;
    }

    /** Bytes the kernel holds for the socket; -1 when it fails. */
    private int unreadInKernel() {
        try {
            return socket.socket().getInputStream().available();
        } catch (IOException e) {
            return -1;
        }
    }

    private LoanException refused(String why) {
        return new LoanException("Backend connection " + threadId + " cannot be lent to the event loop: " + why);
    }

    /**
     * The one handler of the channel: what is read goes to the current borrower, and what is written is the borrower's
     * plaintext; with TLS both go through {@link #records}. Runs on the channel's loop.
     */
    private final class Relay extends ChannelDuplexHandler implements TlsRecords.Sink {
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            reading = true;
            try {
                read(ctx, msg);
            } finally {
                reading = false;
                if (restPending) {
                    restPending = false;
                    if (owner == Owner.LOOP && borrower != null) {
                        restNow();
                    }
                }
            }
        }

        private void read(ChannelHandlerContext ctx, Object msg) throws javax.net.ssl.SSLException {
            if (borrower == null) {
                // Bytes between a give-back and the deregistration, nobody asked for: the stream cannot be followed.
                ((ByteBuf) msg).release();
                owner = Owner.CLOSED;
                ctx.close();
                return;
            }
            if (records == null) {
                plaintext((ByteBuf) msg);
                return;
            }
            records.unwrap((ByteBuf) msg, ctx.alloc(), this);
            if (records.inboundClosed()) {
                // close_notify (its answer is on its way): the server is done with the connection.
                ctx.close();
            }
        }

        /** Plaintext from the backend, for the borrower; a give-back it starts waits until it has been handed all of it. */
        @Override
        public void plaintext(ByteBuf bytes) {
            Borrower current = borrower;
            if (current == null) {
                // Given back or resting mid-read: bytes nobody asked for, and the stream cannot be followed.
                bytes.release();
                owner = Owner.CLOSED;
                ctx.close();
                return;
            }
            delivering = true;
            try {
                current.received(bytes);
            } finally {
                delivering = false;
            }
        }

        /** The engine's own records (a key update's answer, close_notify's), sent at once. */
        @Override
        public void toServer(ByteBuf bytes) {
            ctx.writeAndFlush(bytes);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (records != null && msg instanceof ByteBuf plain) {
                ByteBuf wrapped;
                try {
                    wrapped = records.wrap(plain, ctx.alloc());
                } catch (javax.net.ssl.SSLException e) {
                    // The session cannot carry this write, nor anything after it.
                    promise.setFailure(e);
                    ctx.close();
                    return;
                }
                ctx.write(wrapped, promise);
            } else if (records != null) {
                // Anything but bytes (a file region, say) would go out unencrypted.
                io.netty.util.ReferenceCountUtil.release(msg);
                promise.setFailure(new IllegalArgumentException("Only ByteBufs can be written to a TLS backend connection, not " + msg.getClass().getName()));
            } else {
                ctx.write(msg, promise);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            owner = Owner.CLOSED;
            if (records != null) {
                records.release();
            }
            Borrower current = borrower;
            borrower = null;
            if (current != null) {
                current.closed();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset, a failed write, a record that does not decrypt: the connection is gone; the borrower hears of it
            // as a close.
            ctx.close();
        }
    }
}
