package io.sluice.frontend;

import io.sluice.relay.ClientTransport;
import io.sluice.relay.ClientGoneException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.sluice.observe.Telemetry;
import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.PacketEncoder;
import io.sluice.protocol.PacketFramer;
import io.sluice.protocol.PayloadPiece;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The socket side of one client: frames incoming bytes into packets on the event loop and queues them for
 * the session's virtual thread; batches outgoing packets and applies backpressure.
 *
 * <p>Backpressure both ways: reading pauses while the session has {@link #QUEUE_PAUSE} packets or
 * {@code sluice.client.max-queued-bytes} queued, and a session writing faster than the client reads blocks (its
 * virtual thread parks) once {@link #HIGH_WATER} bytes are in flight, which in turn stops it reading from the
 * backend. So a slow client never makes Sluice buffer a result, and a fast one never makes it buffer its commands.
 *
 * <p>Until the session says the client has {@linkplain #authenticated() authenticated}, packets are limited to
 * {@code sluice.client.max-login-packet-size}: what anyone who reaches the port can make Sluice hold is small. After,
 * what the client's packets hold counts against the {@link PacketBudget} of all clients, and reading pauses while
 * that budget says so.
 */
final class ClientConnection implements ClientTransport {
    static final int HIGH_WATER = 512 * 1024;
    static final int LOW_WATER = 128 * 1024;
    private static final int FLUSH_THRESHOLD = 64 * 1024;
    /** A batch's first size on the loop: a result of a few rows without growing, and a size the pool keeps per thread. */
    private static final int DIRECT_BATCH = 2048;
    private static final int QUEUE_PAUSE = 8;
    /** What passes in pieces after authentication: long data, which Sluice relays without looking at it. */
    static final java.util.function.IntPredicate LONG_DATA = b -> b == io.sluice.protocol.CommandType.COM_STMT_SEND_LONG_DATA;
    /** While a LOAD DATA LOCAL file arrives: every packet is the file's. */
    static final java.util.function.IntPredicate FILE_DATA = b -> true;

    /** The name of Vert.x's handler in a client's pipeline: Sluice's go before it. */
    static final String VERTX_HANDLER = "handler";

    private final NetSocket socket;
    /** The client's channel, and where Sluice writes to it from (in front of TLS, if any); set by {@link #start}. */
    private Channel channel;
    private ChannelHandlerContext writer;
    private final Context context;
    private final PacketFramer framer;
    /**
     * Filled by the event loop, emptied by the session, which parks while it waits (see {@link #waiter}). A blocking
     * queue and a lock with conditions of their own cost some 200 bytes more per client, thousands of them idle.
     */
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    /**
     * The session's thread while it waits for a packet or for the client to read (one at a time: only the session
     * waits); unparked by whatever it may be waiting for. Set before it checks again, read after the change it waits
     * for is made, so that one side always sees the other.
     */
    private volatile Thread waiter;
    /** Payload bytes of the packets in the inbox. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final long maxQueuedBytes;
    private final int maxPacketSize;
    private final AtomicLong inFlight = new AtomicLong();
    private volatile boolean closed;
    private final AtomicBoolean readPaused = new AtomicBoolean();
    private final PacketBudget.Share packets;
    /** Reading paused by the packet budget; event loop only. */
    private boolean budgetPaused;
    /** Bytes read and not yet framed, for want of room in the packet budget; event loop only. */
    private ByteBuf unframed;
    /** Bytes of the packet being received, as last charged; event loop only. */
    private long partialCharged;
    /** Bytes of packets completed since the last charge; event loop only. */
    private long completedUncharged;
    /** Bytes the budget granted a growing buffer since the last charge (already taken); event loop only. */
    private long granted;
    /** Bytes of the packet the session is serving; session only. */
    private long serving;
    private boolean framingFailed;
    /** {@link #completed(InboundPacket)}, as the framer's sink: made once, not for every read. */
    private final java.util.function.Consumer<InboundPacket> onPacket = this::completed;
    private ByteBuf batch;
    private int sequenceId;

    private final Telemetry telemetry;
    private final boolean tlsOffered;
    private final long packetTimeoutMillis;
    /** How long an oversized packet being dropped may pause before it is refused without its end. */
    private static final long DISCARD_IDLE_MILLIS = 2_000;
    /** Bytes received so far: whether an oversized packet is still arriving. */
    private long bytesSeen;
    private long discardTimer = -1;
    private final long writeTimeoutNanos;
    private long packetsCompleted;
    private long packetTimer = -1;
    private boolean awaitingFirstPacket = true;
    private volatile boolean tls;
    /** The session has given its thread up until something arrives (see {@link #rest}). */
    private final AtomicBoolean resting = new AtomicBoolean();
    private volatile Runnable wake;
    /**
     * The timer that wakes a resting session at its deadline (idle timeout, end of a diagnostics hold); event loop only.
     * Netty's own rather than a Vert.x timer, which adds a handler, an id and an entry in a map of all timers to each of
     * thousands of idle clients. Armed lazily: it stays armed while the session works and rests again, and checks the
     * deadline of the rest it finds when it fires, so that a statement costs no timer set and cancelled (with the 8 h
     * idle timeout, one per statement, and a task to set it).
     */
    private ScheduledFuture<?> restTimer;
    /** When {@link #restTimer} fires ({@link System#nanoTime()}); event loop only. */
    private long restTimerAt;
    /** The deadline of the session's current rest ({@link System#nanoTime()}); 0: none. Set before it rests. */
    private volatile long restDeadline;
    /** What a relay on the event loop runs once the client has read enough ({@link #whenDrained}); event loop only. */
    private Runnable drainedOnLoop;

    /**
     * @param limits the client's packet limits and read-ahead, from {@code sluice.client.*}
     */
    ClientConnection(NetSocket socket, Limits limits, PacketBudget budget, Telemetry telemetry, boolean tlsOffered,
            java.time.Duration packetTimeout, java.time.Duration writeTimeout) {
        this.packetTimeoutMillis = Math.max(1, packetTimeout.toMillis());
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.socket = socket;
        this.telemetry = telemetry;
        this.tlsOffered = tlsOffered;
        this.context = Vertx.currentContext();
        this.maxPacketSize = limits.maxPacketSize();
        this.maxQueuedBytes = limits.maxQueuedBytes();
        this.packets = budget.share(() -> context.runOnContext(v -> resumeFromBudget()));
        // Before login an oversized packet is refused at its header: only after it is one read to its end, for an
        // answer in sequence (a client that logged in may have sent a big query by mistake; a stranger gets nothing).
        this.framer = new PacketFramer(limits.maxLoginPacketSize(), 0);
        framer.gate(this::mayGrow);
    }

    /**
     * What one client may make Sluice hold of what it sends: a packet before and after authentication, and the
     * complete packets queued for its session before reading pauses.
     */
    record Limits(int maxLoginPacketSize, int maxPacketSize, long maxQueuedBytes) {
        static Limits of(io.sluice.config.SluiceConfig.Client config) {
            int max = (int) Math.min(Integer.MAX_VALUE - 8, config.maxPacketSize().asLongValue());
            return new Limits((int) Math.min(max, config.maxLoginPacketSize().asLongValue()), max, config.maxQueuedBytes().asLongValue());
        }
    }

    @Override
    public void authenticated() {
        framer.limit(maxPacketSize, PacketFramer.MAX_DISCARDED);
        framer.passInPieces(LONG_DATA, this::completed);
    }

    @Override
    public void filePacketsFollow(boolean follow) {
        framer.passInPieces(follow ? FILE_DATA : LONG_DATA, this::completed);
    }

    /**
     * Starts reading; call on the socket's event loop. The client's bytes are taken in the pipeline, just before Vert.x's
     * own handler, which sees none of them: Vert.x would copy each read into a heap buffer of its own and hand it over
     * through its context, and wrap each write in a promise of its own, all per query (Vert.x still accepts the
     * connection, and closes it, flushing what was written first).
     */
    void start() {
        ChannelPipeline pipeline = ((NetSocketInternal) socket).channelHandlerContext().pipeline();
        Reader reader = new Reader();
        pipeline.addBefore(VERTX_HANDLER, "sluice-client", reader);
        channel = pipeline.channel();
        writer = pipeline.context(reader);
    }

    /** The first of the pipeline's handlers to see the client's plain bytes (after TLS, if any). */
    private final class Reader extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (framingFailed || closed) {
                bytes.release();
                return;
            }
            telemetry.clientBytes(bytes.readableBytes(), 0);
            bytesSeen += bytes.readableBytes();
            frame(bytes);
            if (unframed != bytes) {
                bytes.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            onClosed();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset by the client, say: the connection ends, as its close does, with nothing to log.
            socket.close();
        }
    }

    private void frame(ByteBuf bytes) {
        try {
            if (awaitingFirstPacket && tlsOffered) {
                framer.feedWhile(bytes, this::firstPacket);
            }
            framer.feed(bytes, onPacket);
            watchPartialPacket();
            watchDiscard();
            chargeReceived();
        } catch (RuntimeException e) {
            // Framing is lost for good: tell the session, which answers and closes, and read no more.
            framingFailed = true;
            reading(false);
            deliver(e);
            return;
        }
        if (bytes.isReadable()) {
            // The budget refused a packet's buffer room to grow: the rest waits, and reading stops, until it has room.
            unframed = bytes;
            budgetPaused = true;
            reading(false);
        }
        if (queueFull() && !readPaused.get()) {
            readPaused.set(true);
            reading(false);
            // The session may have taken packets between the check above and the flag: it then saw no pause to
            // undo, and nothing else would ever resume reading. Checked again after the flag is set, so that
            // either this loop or the session sees the other's change.
            if (!queueFull() && takeBackPause()) {
                resumeUnlessPaused();
            }
        }
    }

    /** A packet's buffer would grow by {@code bytes}: whether the budget has room for them (then they are taken). */
    private boolean mayGrow(long bytes) {
        if (!packets.grow(bytes)) {
            return false;
        }
        granted += bytes;
        return true;
    }

    /** What the bytes just framed hold, beyond what the budget already granted, charged to it. */
    private void chargeReceived() {
        long partial = framer.bytesHeld();
        packets.take(completedUncharged + partial - partialCharged - granted);
        partialCharged = partial;
        completedUncharged = 0;
        granted = 0;
    }

    /** The budget has room again: frame what was left, then read on unless something else holds reading. */
    private void resumeFromBudget() {
        budgetPaused = false;
        ByteBuf left = unframed;
        unframed = null;
        if (left != null) {
            if (!framingFailed && !closed) {
                frame(left);
            }
            if (unframed != left) {
                left.release();
            }
        }
        resumeUnlessPaused();
    }

    /** On the event loop: reading resumes unless the queue or the budget still holds it. */
    private void resumeUnlessPaused() {
        if (!readPaused.get() && !budgetPaused && !closed) {
            reading(true);
        }
    }

    private boolean queueFull() {
        return inbox.size() >= QUEUE_PAUSE || queuedBytes.get() >= maxQueuedBytes;
    }

    /** Clears the pause flag; true for the one caller (event loop or session) that then resumes reading. */
    private boolean takeBackPause() {
        return readPaused.compareAndSet(true, false);
    }

    private void completed(InboundPacket packet) {
        queue(packet, packet.length());
    }

    /** A piece passed on counts as progress, as a packet completed does: a long upload is not a slow one. */
    private void completed(PayloadPiece piece) {
        queue(piece, piece.length());
    }

    private void queue(Object packetOrPiece, int length) {
        packetsCompleted++;
        completedUncharged += length;
        queuedBytes.addAndGet(length);
        deliver(packetOrPiece);
    }

    /** On the event loop: something for the session, which is woken if it rests. */
    private void deliver(Object item) {
        inbox.add(item);
        unparkWaiter();
        if (resting.get() && resting.compareAndSet(true, false)) {
            wake.run();
        }
    }

    @Override
    public boolean rest(Runnable wake, long wakeAtNanos) {
        // Done with the last packet, as when asking for the next.
        doneServing();
        this.wake = wake;
        restDeadline = wakeAtNanos;
        resting.set(true);
        // Checked after the flag is set, as deliver() adds before it checks the flag: one of the two sees the other.
        if (!inbox.isEmpty() && resting.compareAndSet(true, false)) {
            return false;
        }
        if (wakeAtNanos != 0) {
            io.netty.channel.EventLoop loop = ((ContextInternal) context).nettyEventLoop();
            if (loop.inEventLoop()) {
                wakeAt(wakeAtNanos);
            } else {
                context.runOnContext(v -> wakeAt(wakeAtNanos));
            }
        }
        return true;
    }

    /**
     * On the event loop: has the timer fire by {@code nanos}, the resting session's deadline. A timer armed to fire
     * earlier stays: when it fires it looks at the deadline then (an early wake would be harmless too: it rests again).
     */
    private void wakeAt(long nanos) {
        if (!resting.get() || restTimer != null && restTimerAt - nanos <= 0) {
            return;
        }
        cancelRestTimer();
        armRestTimer(nanos);
    }

    private void armRestTimer(long nanos) {
        restTimerAt = nanos;
        restTimer = ((ContextInternal) context).nettyEventLoop().schedule(this::restTimerFired,
                Math.max(1, nanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** On the event loop: the session is woken if it rests past its deadline, and the timer armed again if it rests short of it. */
    private void restTimerFired() {
        restTimer = null;
        // The flag first: a session resting again meanwhile set its deadline before the flag.
        if (!resting.get()) {
            return;
        }
        long deadline = restDeadline;
        if (deadline == 0 || closed) {
            // Resting with no deadline: the next rest with one arms the timer again.
            return;
        }
        if (deadline - System.nanoTime() > 0) {
            armRestTimer(deadline);
        } else if (resting.compareAndSet(true, false)) {
            wake.run();
        }
    }

    private void cancelRestTimer() {
        if (restTimer != null) {
            restTimer.cancel(false);
            restTimer = null;
        }
    }

    /**
     * A packet begun and not finished gets {@code packet-timeout} to arrive whole: a client trickling its bytes
     * (slowloris) must not hold a connection open for ever.
     */
    private void watchPartialPacket() {
        if (packetTimer >= 0 || !framer.hasPartialPacket()) {
            return;
        }
        long at = packetsCompleted;
        packetTimer = context.owner().setTimer(packetTimeoutMillis, id -> {
            packetTimer = -1;
            if (framer.hasPartialPacket() && packetsCompleted == at) {
                abort();
            } else {
                watchPartialPacket();
            }
        });
    }

    /**
     * An oversized packet is read to its end so that its client, still writing it, then reads the refusal in
     * sequence (PyMySQL); a client that stops sending it mid-way (it announced more than it has) is refused once
     * nothing has arrived for {@link #DISCARD_IDLE_MILLIS}, as a server refuses at the header.
     */
    private void watchDiscard() {
        if (discardTimer >= 0 || !framer.isDiscarding()) {
            return;
        }
        long at = bytesSeen;
        discardTimer = context.owner().setTimer(DISCARD_IDLE_MILLIS, id -> {
            discardTimer = -1;
            if (framingFailed || !framer.isDiscarding()) {
                return;
            }
            if (bytesSeen == at) {
                framingFailed = true;
                reading(false);
                deliver(framer.abandonDiscard());
            } else {
                watchDiscard();
            }
        });
    }

    /**
     * The first packet says whether TLS follows: after an SSLRequest, {@link StartTlsHandler} has already put TLS
     * in the pipeline, so what arrives next is decrypted.
     */
    private boolean firstPacket(InboundPacket packet) {
        awaitingFirstPacket = false;
        // Before the packet is queued: the session reading it asks at once whether TLS is on.
        tls = HandshakeResponse.isSslRequest(packet.payload());
        completed(packet);
        return true;
    }

    @Override
    public boolean isTls() {
        return tls;
    }

    /** Reads from the client, or stops: what the socket buffers stays with the kernel, and TCP holds the client. */
    private void reading(boolean on) {
        channel.config().setAutoRead(on);
    }

    private void onClosed() {
        closed = true;
        if (unframed != null) {
            unframed.release();
            unframed = null;
        }
        // Not left armed for hours (the idle timeout) with the connection gone.
        cancelRestTimer();
        packets.giveAll();
        deliver(ClientGoneException.INSTANCE);
        signalDrained();
    }

    @Override
    public InboundPacket receive(long timeoutNanos) throws InterruptedException {
        Object next = take(timeoutNanos);
        if (next instanceof PayloadPiece) {
            throw new IllegalStateException("a piece of a payload where a packet was expected");
        }
        return (InboundPacket) next;
    }

    @Override
    public PayloadPiece receivePiece() throws InterruptedException {
        Object next = take(0);
        if (!(next instanceof PayloadPiece piece)) {
            throw new IllegalStateException("a packet where a piece of a payload was expected");
        }
        return piece;
    }

    @Override
    public InboundPacket receiveNow() {
        // Only the session takes from the inbox, and it rests: what is at its head now is what take() gets.
        return inbox.peek() instanceof InboundPacket ? (InboundPacket) takeQueued() : null;
    }

    @Override
    public boolean endQueued() {
        return inbox.peek() == ClientGoneException.INSTANCE;
    }

    @Override
    public InboundPacket peekCommand() {
        return inbox.peek() instanceof InboundPacket packet && packet.sequenceId() == 0 && !packet.isHead() ? packet : null;
    }

    /** Takes the packet {@link #peekCommand} showed: the session serves it now. */
    InboundPacket takeCommand() {
        return (InboundPacket) takeQueued();
    }

    @Override
    public io.netty.channel.EventLoop eventLoop() {
        return ((ContextInternal) context).nettyEventLoop();
    }

    @Override
    public InboundPacket takeCommand(int command) {
        return inbox.peek() instanceof InboundPacket packet && packet.sequenceId() == 0 && !packet.isHead() && packet.command() == command
                ? (InboundPacket) takeQueued() : null;
    }

    /** The next packet or piece, null when {@code timeoutNanos} (0: no limit) passes first. */
    private Object take(long timeoutNanos) throws InterruptedException {
        doneServing();
        Object next = poll(timeoutNanos);
        return next == null ? null : accountTaken(next);
    }

    /** The inbox's head, known to be there. */
    private Object takeQueued() {
        doneServing();
        return accountTaken(inbox.poll());
    }

    /** Asking for the next packet, the session is done with the last one: its bytes go back to the budget. */
    private void doneServing() {
        packets.give(serving);
        serving = 0;
    }

    /** Accounts for {@code next}, just taken from the inbox, as the packet the session now serves. */
    private Object accountTaken(Object next) {
        int length = next instanceof InboundPacket packet ? packet.length() : next instanceof PayloadPiece piece ? piece.length() : 0;
        queuedBytes.addAndGet(-length);
        serving = length;
        if (readPaused.get() && inbox.size() <= 1 && takeBackPause()) {
            // Not if the loop has paused again meanwhile: that pause is the session's to undo on a later take.
            context.runOnContext(v -> resumeUnlessPaused());
        }
        if (next instanceof RuntimeException e) {
            if (e == ClientGoneException.INSTANCE) {
                inbox.add(e);
            }
            throw e;
        }
        return next;
    }

    /** The next item, waiting for it up to {@code timeoutNanos} (0: no limit); null when none came in time. */
    private Object poll(long timeoutNanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Object next = inbox.poll();
        if (next != null) {
            return next;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        waiter = Thread.currentThread();
        try {
            while ((next = inbox.poll()) == null) {
                if (timeoutNanos <= 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    LockSupport.parkNanos(this, left);
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return next;
        } finally {
            waiter = null;
        }
    }

    private void unparkWaiter() {
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void sequence(int next) {
        sequenceId = next & 0xff;
    }

    @Override
    public int sequence() {
        return sequenceId;
    }

    @Override
    public void write(byte[] payload, int offset, int length) {
        sequenceId = PacketEncoder.write(batch(length), payload, offset, length, sequenceId);
        flushIfFull();
    }

    @Override
    public void startPart(int length) {
        sequenceId = PacketEncoder.writeHeader(batch(length), length, sequenceId);
    }

    @Override
    public void writePartBytes(byte[] bytes, int offset, int length) {
        batch(length).writeBytes(bytes, offset, length);
        flushIfFull();
    }

    private ByteBuf batch(int length) {
        if (batch == null) {
            int capacity = Math.min(length + 8, FLUSH_THRESHOLD * 2);
            // On the loop, from the loop's own cache of direct memory, which the socket writes as it is: heap memory would
            // be zeroed when taken, and copied into direct memory again to be written. A session's thread takes heap memory,
            // which needs no release: the pool has no cache for thousands of virtual threads.
            batch = channel.eventLoop().inEventLoop()
                    ? channel.alloc().directBuffer(Math.max(DIRECT_BATCH, capacity))
                    : Unpooled.buffer(Math.max(256, capacity));
        }
        return batch;
    }

    private void flushIfFull() {
        if (batch.readableBytes() >= FLUSH_THRESHOLD) {
            flush();
        }
    }

    @Override
    public void flush() {
        // On the event loop it never waits (the writes it would wait for complete on that loop): a relay there stops
        // reading from the backend instead, once it sees the client has too much unread (LoopRelay).
        if (!flushWithoutWaiting() && !eventLoop().inEventLoop()) {
            awaitDrained();
        }
    }

    @Override
    public boolean flushWithoutWaiting() {
        ByteBuf out = batch;
        batch = null;
        if (out == null) {
            return true;
        }
        if (!out.isReadable() || closed) {
            // Whoever writes the batch flushes it: so a batch left when the client is gone goes back here, with the
            // session's last flush (its close).
            out.release();
            return true;
        }
        long size = out.readableBytes();
        telemetry.clientBytes(0, size);
        inFlight.addAndGet(size);
        if (channel.eventLoop().inEventLoop()) {
            send(out, size);
        } else {
            // From a session's thread: in order with everything else written or closed on the loop, as a task of its
            // own (Netty's write tasks come from a per-thread recycler, not meant for thousands of virtual threads).
            channel.eventLoop().execute(() -> send(out, size));
        }
        return inFlight.get() <= HIGH_WATER;
    }

    /** On the event loop: {@code size} bytes out to the client. Netty releases them, whether or not the write succeeds. */
    private void send(ByteBuf out, long size) {
        writer.writeAndFlush(out).addListener(written -> {
            if (inFlight.addAndGet(-size) <= LOW_WATER) {
                signalDrained();
            }
        });
    }

    @Override
    public void whenDrained(Runnable then) {
        if (closed || inFlight.get() <= LOW_WATER) {
            then.run();
            return;
        }
        drainedOnLoop = then;
        if (writeTimeoutNanos > 0) {
            watchWrites(inFlight.get());
        }
    }

    /** While a relay on the loop waits for the client to read: a client that reads nothing for the write timeout is cut off. */
    private void watchWrites(long level) {
        ((ContextInternal) context).nettyEventLoop().schedule(() -> {
            if (drainedOnLoop == null) {
                return;
            }
            long now = inFlight.get();
            if (now < level) {
                watchWrites(now);
            } else {
                abort();
            }
        }, Math.max(1, writeTimeoutNanos), TimeUnit.NANOSECONDS);
    }

    /**
     * Parks the session until the client has read enough. A client that reads nothing for {@code write-timeout}
     * is disconnected: the session stops, and the backend it was streaming from is closed rather than held.
     */
    private void awaitDrained() {
        long lastLevel = inFlight.get();
        long deadline = System.nanoTime() + writeTimeoutNanos;
        waiter = Thread.currentThread();
        try {
            // Interrupted (Sluice stopping): the wait ends, the interrupt stays for the session's next wait.
            while (inFlight.get() > LOW_WATER && !closed && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(200));
                long level = inFlight.get();
                if (level < lastLevel) {
                    lastLevel = level;
                    deadline = System.nanoTime() + writeTimeoutNanos;
                } else if (System.nanoTime() > deadline) {
                    abort();
                }
            }
        } finally {
            waiter = null;
        }
        if (closed) {
            throw ClientGoneException.INSTANCE;
        }
    }

    private void signalDrained() {
        unparkWaiter();
        Runnable then = drainedOnLoop;
        if (then != null && (closed || inFlight.get() <= LOW_WATER)) {
            drainedOnLoop = null;
            then.run();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        flush();
        abort();
    }

    @Override
    public void abort() {
        closed = true;
        socket.close();
    }

    @Override
    public String remoteHost() {
        return socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().hostAddress();
    }
}
