package io.sluice.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.sluice.backend.BackendException;
import io.sluice.backend.ChannelLoan;
import io.sluice.backend.LoanException;
import io.sluice.pool.PooledBackend;
import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.PacketFramer;
import io.sluice.protocol.PayloadPiece;
import io.sluice.protocol.ResponseScanner.Role;
import org.jboss.logging.Logger;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Relays one client command at a time on the client's own event loop: the backend's socket is lent there
 * ({@link ChannelLoan}), the command goes out, and the answer is framed, scanned, followed and rewritten for the client
 * packet by packet, exactly as {@link BackendLink#relay} does on the session's thread, through the same
 * {@link BackendLink#pass} and {@link BackendLink#answered}. At the answer's end the socket goes back to Connector/J,
 * so that whatever comes next (the pool, a thread's relay, validation) finds it as it always did.
 *
 * <p>Nothing here waits. A client slower than the backend stops reading from the backend ({@code autoRead} off) until
 * it has read enough; a long row passes through in pieces, never held whole ({@link PacketFramer#passInPieces}); the
 * backend's {@code socket-timeout}, which Connector/J no longer applies once the socket is non-blocking, is timed here.
 * What does not fit on the loop (a failure to report, a KILL still in flight) goes to the session's thread as a task
 * ({@link Ending}), once the socket is back with Connector/J or closed.
 */
public final class LoopRelay implements ChannelLoan.Borrower {
    private static final Logger LOG = Logger.getLogger(LoopRelay.class);
    /** Commands longer than this go through the session's thread, which sends them as Connector/J does. */
    public static final int MAX_COMMAND = PacketFramer.PIECE;

    /** How a relayed command ends, on the loop. */
    public interface Ending {
        /**
         * @param outcome  what the answer said ({@link BackendLink.Outcome#FAILED} when it broke off)
         * @param onThread null when the command is done on the loop; else what the session's thread must run before the
         *                 rest of the command's end (report a lost backend, wait for a KILL, end the session)
         */
        void relayed(BackendLink.Outcome outcome, Runnable onThread);
    }

    private final BackendLink link;
    private final ClientTransport client;
    private final EventLoop loop;
    private final long socketTimeoutNanos;
    /** Frames the backend's answers; rows longer than a piece pass on in pieces. A new one after an answer broke off. */
    private PacketFramer framer;
    private PooledBackend backend;
    private ChannelLoan loan;
    private Channel channel;
    private Answer answer;
    private int commandLength;
    private Ending ending;
    /** Bytes came that no command asked for: the loan's give-back then closes the connection. */
    private boolean unasked;
    /** A long row's pieces are passing. */
    private boolean inLongRow;
    /** Ended, well or not: what still comes (a close, a late timer) is not this command's. */
    private boolean over = true;
    private long lastHeard;
    /** {@link #packet}, as the framer's sink: made once, not for every read. */
    private final java.util.function.Consumer<InboundPacket> onPacket = this::packet;
    private ScheduledFuture<?> silenceTimer;

    public LoopRelay(BackendLink link, ClientTransport client, EventLoop loop, long socketTimeoutNanos) {
        this.link = link;
        this.client = client;
        this.loop = loop;
        this.socketTimeoutNanos = socketTimeoutNanos;
        this.framer = newFramer();
    }

    private PacketFramer newFramer() {
        PacketFramer f = new PacketFramer(Integer.MAX_VALUE - 8, 0);
        f.passInPieces(firstByte -> answer != null && answer.scanner().inRows(), this::piece);
        return f;
    }

    /** What {@link #borrow} did. */
    public enum Borrowing {
        /** The socket is this loop's: {@link #relay} may go on. */
        BORROWED,
        /** It cannot be taken over (see {@link #borrow}): the session's thread serves the command instead. */
        REFUSED,
        /** It rests on another loop, which moves it here first; the callback given runs here once it has. */
        MOVING
    }

    /**
     * Takes {@code backend}'s socket over onto the loop. Refused when it cannot be (something of it is unread, its TLS
     * is not Sluice's, the server closed it): nothing was sent, and the session's thread serves the command instead.
     * When it rests on another loop (parked there by another client, and taken by this one), it moves here first
     * ({@link ChannelLoan#moveTo}), with no thread: {@code movable} then runs on this loop, to borrow again.
     */
    public Borrowing borrow(PooledBackend backend, Runnable movable) {
        ChannelLoan l = backend.connection().loan();
        if (l.withLoop() && !l.on(loop)) {
            // Completes on this loop (or fails, the connection closed: the next borrow is then refused).
            l.moveTo(loop).whenComplete((moved, failure) -> {
                if (loop.inEventLoop()) {
                    movable.run();
                } else {
                    loop.execute(movable);
                }
            });
            return Borrowing.MOVING;
        }
        try {
            channel = l.takeOver(loop, this);
        } catch (LoanException e) {
            LOG.debugf("backend %d stays with Connector/J for this command: %s", backend.connection().threadId(), e.getMessage());
            return Borrowing.REFUSED;
        }
        this.backend = backend;
        this.loan = l;
        link.lease().lend();
        return Borrowing.BORROWED;
    }

    /** Sends the client's command ({@code length} bytes of {@code payload}) to the backend {@link #borrow}ed, and relays its answer. */
    public void relay(byte[] payload, int length, Ending ending) {
        this.ending = ending;
        this.commandLength = length;
        over = false;
        unasked = false;
        link.relayStarting(backend, payload, length);
        answer = link.answerTo(backend, payload[0] & 0xff, -1, null);
        ByteBuf packet = channel.alloc().buffer(4 + length);
        packet.writeMediumLE(length).writeByte(0).writeBytes(payload, 0, length);
        channel.writeAndFlush(packet);
        lastHeard = System.nanoTime();
        if (socketTimeoutNanos > 0) {
            watchSilence(socketTimeoutNanos);
        }
    }

    @Override
    public void received(ByteBuf bytes) {
        try {
            if (over) {
                unasked = true;
                return;
            }
            lastHeard = System.nanoTime();
            framer.feed(bytes, onPacket);
        } catch (RuntimeException e) {
            // A packet out of sequence, or one no answer has: the byte stream cannot be followed.
            LOG.debugf(e, "backend %d sent what cannot be relayed", backend.connection().threadId());
            broke(new BackendException(BackendException.Kind.CONNECTION_LOST,
                    "Lost connection to backend during query (it sent a malformed answer)", e), null);
            return;
        } finally {
            bytes.release();
        }
        if (over) {
            return;
        }
        if (client.isClosed()) {
            broke(null, "client left mid-response");
            return;
        }
        if (!client.flushWithoutWaiting()) {
            // The client reads slower than the backend answers: the backend waits (TCP holds it) until it catches up.
            channel.config().setAutoRead(false);
            client.whenDrained(this::clientCaughtUp);
        }
    }

    private void clientCaughtUp() {
        if (over) {
            return;
        }
        if (client.isClosed()) {
            broke(null, "client left mid-response");
            return;
        }
        channel.config().setAutoRead(true);
    }

    private void packet(InboundPacket packet) {
        if (over || answer.scanner().isComplete()) {
            unasked = true;
            return;
        }
        link.received(answer, packet.length());
        // A long row's head is seen with the length of its first physical packet, as the blocking relay sees it: a row
        // of 16 MiB or more may start with 0xfe, which only that length tells from the end of the rows.
        Role role = answer.see(packet.payload(), packet.isHead() ? packet.firstPacketLength() : packet.length());
        if (packet.isHead()) {
            // The start of a long row: the rest follows in pieces (see piece).
            inLongRow = true;
            answer.translator().startLongRow(packet.firstPacketLength());
            client.writePartBytes(packet.payload(), 0, packet.length());
            return;
        }
        if (role == Role.LOCAL_INFILE_REQUEST) {
            // LOAD statements go through the session's thread; one that asks anyway (in a multi-statement text,
            // say) is declined with an empty file, and its client gets the refusal of a client without the capability.
            ByteBuf empty = channel.alloc().buffer(4);
            empty.writeMediumLE(0).writeByte(packet.lastSequenceId() + 1);
            channel.writeAndFlush(empty);
            answer.declineFile();
            return;
        }
        link.pass(backend, answer, role, packet.payload(), packet.length());
        if (answer.scanner().isComplete()) {
            complete();
        }
    }

    private void piece(PayloadPiece piece) {
        if (piece.startsPacket()) {
            client.startPart(piece.packetLength());
            answer.received(4);
        }
        client.writePartBytes(piece.bytes(), 0, piece.length());
        answer.received(piece.length());
        if (piece.last()) {
            inLongRow = false;
        }
    }

    /** The answer's last packet was passed on: the socket goes back, then the command ends. */
    private void complete() {
        over = true;
        cancelSilenceTimer();
        Answer done = answer;
        answer = null;
        BackendLink.Outcome outcome = link.answered(backend, done);
        if (!link.answerNeedsFollowUp()) {
            // Out at once; otherwise the answer waits for the read that follows it, on the session's thread.
            client.flushWithoutWaiting();
        }
        link.relayEnded(done, commandLength);
        Ending then = ending;
        ending = null;
        Boolean killsSettled = link.kills().finishedIfNoneInFlight();
        if (Boolean.TRUE.equals(killsSettled) && link.staysOnLoop() && loan.rest()) {
            // The command ends here with no round trip, and the backend stays the client's (a transaction), or is
            // parked for its next statement: the socket rests on this loop till then, and the next statement here takes
            // no take-over (see ChannelLoan#rest). The session's thread, if it runs before, takes the socket back first
            // (LeaseHolder#reclaimFromLoop); so does whoever takes a parked one elsewhere (BackendPool).
            link.lease().lentBack();
            then.relayed(outcome, null);
            return;
        }
        loan.giveBack().whenComplete((v, failure) -> {
            link.lease().lentBack();
            if (failure != null) {
                LOG.debugf("backend %d: %s", backend.connection().threadId(), failure.getMessage());
                String reason = failure.getMessage();
                then.relayed(outcome, () -> {
                    link.kills().finished();
                    link.answeredThenLost(reason);
                });
            } else if (killsSettled == null) {
                then.relayed(outcome, () -> {
                    if (!link.kills().finished()) {
                        link.relayBroke(null, BackendLink.UNSETTLED_KILL);
                    }
                });
            } else if (!killsSettled) {
                then.relayed(outcome, () -> link.relayBroke(null, BackendLink.UNSETTLED_KILL));
            } else {
                then.relayed(outcome, null);
            }
        });
    }

    /**
     * The command breaks off: the backend failed under it ({@code lost}), or the client left ({@code reason}). The socket
     * is closed (it is mid-answer); the session's thread tells the client, or ends the session.
     */
    private void broke(BackendException lost, String reason) {
        if (over) {
            return;
        }
        over = true;
        cancelSilenceTimer();
        Answer partial = answer;
        answer = null;
        // What it held of a packet belonged to that answer; the next backend's starts afresh.
        framer = newFramer();
        inLongRow = false;
        Ending then = ending;
        ending = null;
        loan.close().whenComplete((v, e) -> {
            link.lease().lentBack();
            link.relayEnded(partial, commandLength);
            then.relayed(BackendLink.Outcome.FAILED, () -> {
                link.kills().finished();
                link.relayBroke(lost, reason);
                if (lost == null) {
                    throw ClientGoneException.INSTANCE;
                }
            });
        });
    }

    @Override
    public boolean consumedAll() {
        return over && !unasked && !inLongRow && !framer.hasPartialPacket();
    }

    @Override
    public void closed() {
        broke(new BackendException(BackendException.Kind.CONNECTION_LOST, "Lost connection to backend during query (closed by the server)", null), null);
    }

    /** Connector/J's socketTimeout, which does not apply to a non-blocking socket: a backend silent that long is given up. */
    private void watchSilence(long delayNanos) {
        silenceTimer = loop.schedule(() -> {
            silenceTimer = null;
            if (over) {
                return;
            }
            long silent = System.nanoTime() - lastHeard;
            if (silent < socketTimeoutNanos) {
                watchSilence(socketTimeoutNanos - silent);
                return;
            }
            broke(new BackendException(BackendException.Kind.CONNECTION_LOST, "Lost connection to backend during query (Read timed out)", null), null);
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelSilenceTimer() {
        if (silenceTimer != null) {
            silenceTimer.cancel(false);
            silenceTimer = null;
        }
    }
}
