package io.sluice.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a byte stream into logical packets: a 3-byte little-endian length, a 1-byte sequence id,
 * then the payload; a physical packet of exactly 0xffffff bytes means the payload continues in the next one.
 *
 * <p>Bytes may arrive in any pieces. A header's length is checked against the limit before anything else, and
 * the payload array grows with the bytes that actually arrive (doubling, never past what the headers declared),
 * so a peer declaring a huge packet and sending little of it costs what it sent, not what it declared: memory
 * held for a packet is at most twice its bytes received, or {@link #INITIAL_CAPACITY}. A completed payload is
 * exactly as long as declared. Continuation packets must carry consecutive sequence ids.
 *
 * <p>A packet over the limit is read to its end without being kept (up to a bound, {@link #MAX_DISCARDED} unless
 * the framer was made to refuse at once), so that the error answering it carries the sequence id a server would
 * use after the client's last packet (clients such as PyMySQL check it).
 *
 * <p>Growing a payload's array past {@link #INITIAL_CAPACITY} may be made to ask first ({@link #gate}): when refused,
 * the framer takes only what fits in the array it has and leaves the rest of its input unread, for the caller to feed
 * again once there is room.
 *
 * <p>A payload that needs no inspection as a whole (a COM_STMT_SEND_LONG_DATA, a LOAD DATA LOCAL file's packets) may be
 * passed on as it arrives ({@link #passInPieces}): once it fills {@link #PIECE} bytes, the framer hands on that head as
 * an {@link InboundPacket} and the rest as {@link PayloadPiece}s of at most {@link #PIECE} bytes each, so that it
 * holds no more than a piece of it whatever its length. The limit on a payload's length applies all the same.
 *
 * <p>Not thread-safe: one framer per connection, fed from one thread; only {@link #limit(int, long)} and
 * {@link #passInPieces} may be called from another.
 */
public final class PacketFramer {
    public static final int MAX_PHYSICAL_PAYLOAD = 0xffffff;
    /** The first array of a packet's payload, unless the packet is smaller; it grows as bytes arrive. */
    public static final int INITIAL_CAPACITY = 4096;
    /** Bytes of one oversized packet read and dropped at most before giving up on it at once. */
    public static final long MAX_DISCARDED = 1L << 30;
    /** The most of a payload passed on in pieces that the framer holds: the head's length, and each piece's at most. */
    public static final int PIECE = 64 * 1024;
    private static final byte[] NO_BYTES = new byte[0];

    private volatile int maxPayload;
    /** How much of an oversized packet is read and dropped before it is refused; 0 refuses at its header. */
    private volatile long maxDiscarded;
    private final byte[] header = new byte[4];
    private int headerFill;
    private byte[] payload;
    private int payloadFill;
    /** The payload length the headers of the current packet have announced so far. */
    private int declared;
    private int chunkRemaining;
    private boolean chunkIsFull;
    private int firstSequenceId;
    private int firstPacketLength;
    private int lastSequenceId;
    private boolean inPacket;
    /** Reading an oversized packet to its end, keeping nothing: its declared size so far; -1 when not. */
    private long discarding = -1;
    private java.util.function.Predicate<InboundPacket> sink;
    /** What {@link #feed} hands packets to, through {@link #takeAll}: made once, not for every read. */
    private Consumer<InboundPacket> consumer;
    private final java.util.function.Predicate<InboundPacket> takeAll = packet -> {
        consumer.accept(packet);
        return true;
    };
    private boolean stopped;
    /** Asked before an array grows past its first, with the bytes it would add: false leaves the input unread. */
    private java.util.function.LongPredicate mayGrow = bytes -> true;
    /** Which payloads, by their first byte, pass on in pieces once longer than {@link #PIECE}. */
    private volatile java.util.function.IntPredicate inPieces = firstByte -> false;
    private java.util.function.Consumer<PayloadPiece> pieces;
    /** The payload being received passes on in pieces: its head has gone. */
    private boolean streaming;
    /** The header of the physical packet the next piece starts, if it starts one: its length, else -1. */
    private int piecePacketLength = PayloadPiece.CONTINUES_PACKET;

    public PacketFramer(int maxPayload) {
        this(maxPayload, MAX_DISCARDED);
    }

    /** @param maxDiscarded bytes of an oversized packet read and dropped before refusing it; 0 refuses at its header */
    public PacketFramer(int maxPayload, long maxDiscarded) {
        this.maxPayload = maxPayload;
        this.maxDiscarded = maxDiscarded;
    }

    /**
     * Changes the largest payload accepted, and how much of a larger one is read to its end, for headers read from
     * now on: a client may send only small packets until it has authenticated. Safe from any thread.
     */
    public void limit(int maxPayload, long maxDiscarded) {
        this.maxPayload = maxPayload;
        this.maxDiscarded = maxDiscarded;
    }

    public int limit() {
        return maxPayload;
    }

    /** Makes the growth of a payload's array ask {@code mayGrow} first, with the bytes it would add. */
    public void gate(java.util.function.LongPredicate mayGrow) {
        this.mayGrow = mayGrow;
    }

    /**
     * Makes payloads longer than {@link #PIECE} whose first byte {@code firstByte} accepts pass on in pieces: their head
     * goes to the packet sink, the rest to {@code pieces}. Takes effect for payloads whose head has not gone yet; safe
     * from any thread.
     */
    public void passInPieces(java.util.function.IntPredicate firstByte, java.util.function.Consumer<PayloadPiece> pieces) {
        this.pieces = pieces;
        this.inPieces = firstByte;
    }

    /**
     * Consumes all readable bytes of {@code in}, handing every completed packet to {@code sink}.
     *
     * @throws PacketTooLargeException when a packet would exceed the limit
     * @throws MalformedPacketException when continuation packets break the sequence
     */
    public void feed(ByteBuf in, Consumer<InboundPacket> sink) {
        consumer = sink;
        feedWhile(in, takeAll);
    }

    /**
     * Like {@link #feed}, but stops after a packet for which {@code sink} answers false, leaving the bytes after
     * it unread in {@code in}: after a client's SSLRequest, what follows is TLS, not packets. Also stops, leaving
     * bytes unread, when the {@linkplain #gate gate} refuses a payload room to grow.
     */
    public void feedWhile(ByteBuf in, java.util.function.Predicate<InboundPacket> sink) {
        this.sink = sink;
        stopped = false;
        while (in.isReadable() && !stopped) {
            if (chunkRemaining == 0 && headerFill < 4) {
                int n = Math.min(4 - headerFill, in.readableBytes());
                in.readBytes(header, headerFill, n);
                headerFill += n;
                if (headerFill < 4) {
                    return;
                }
                startChunk();
                continue;
            }
            int n = Math.min(chunkRemaining, in.readableBytes());
            if (discarding >= 0) {
                in.skipBytes(n);
            } else {
                if (payloadFill == payload.length && payloadFill > 0 && passesOn()) {
                    passPiece(false);
                }
                n = room(payloadFill + n) - payloadFill;
                if (n == 0) {
                    return;
                }
                in.readBytes(payload, payloadFill, n);
                payloadFill += n;
            }
            chunkRemaining -= n;
            if (chunkRemaining == 0) {
                endChunk();
            }
        }
    }

    /** True while an oversized packet is being read to its end, its bytes dropped. */
    public boolean isDiscarding() {
        return discarding >= 0;
    }

    /**
     * Gives up reading an oversized packet to its end (its client stopped sending it): the refusal, in sequence
     * after the last header received. The connection cannot be framed any further.
     */
    public PacketTooLargeException abandonDiscard() {
        long dropped = discarding;
        discarding = -1;
        inPacket = false;
        return new PacketTooLargeException(dropped, maxPayload, lastSequenceId);
    }

    /** Whether the payload being received, its array full, goes on in pieces rather than growing. */
    private boolean passesOn() {
        return streaming || (payloadFill >= PIECE && inPieces.test(payload[0] & 0xff));
    }

    /**
     * Hands on what the array holds: the payload's head, or the next piece. The next piece's array is taken when its
     * bytes arrive (asking the gate, as any growth does).
     */
    private void passPiece(boolean last) {
        byte[] bytes = payloadFill == payload.length ? payload : Arrays.copyOf(payload, payloadFill);
        if (streaming) {
            PayloadPiece piece = new PayloadPiece(bytes, piecePacketLength, lastSequenceId, last);
            piecePacketLength = PayloadPiece.CONTINUES_PACKET;
            pieces.accept(piece);
        } else {
            streaming = true;
            stopped = !sink.test(new InboundPacket(bytes, firstSequenceId, firstSequenceId, firstPacketLength));
        }
        payload = last ? null : NO_BYTES;
        payloadFill = 0;
    }

    /** Bytes the packet being received holds now: its array, which grows with what arrives (nothing while dropping). */
    public int bytesHeld() {
        return payload == null ? 0 : payload.length;
    }

    /** True when part of a packet has been received but not all of it. */
    public boolean hasPartialPacket() {
        return inPacket || headerFill > 0;
    }

    private void startChunk() {
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        int sequenceId = header[3] & 0xff;
        int limit = maxPayload;
        headerFill = 0;
        if (inPacket) {
            if (sequenceId != ((lastSequenceId + 1) & 0xff)) {
                throw new MalformedPacketException("continuation packet has sequence id " + sequenceId + ", expected " + ((lastSequenceId + 1) & 0xff));
            }
            long total = (discarding >= 0 ? discarding : declared) + (long) length;
            if (discarding >= 0 || total > limit) {
                discard(total, limit, sequenceId);
            } else {
                declared = (int) total;
                piecePacketLength = length;
            }
        } else {
            inPacket = true;
            firstSequenceId = sequenceId;
            firstPacketLength = length;
            piecePacketLength = PayloadPiece.CONTINUES_PACKET;
            payloadFill = 0;
            if (length > limit) {
                discard(length, limit, sequenceId);
            } else {
                declared = length;
                payload = new byte[Math.min(length, INITIAL_CAPACITY)];
            }
        }
        lastSequenceId = sequenceId;
        chunkRemaining = length;
        chunkIsFull = length == MAX_PHYSICAL_PAYLOAD;
        if (length == 0) {
            endChunk();
        }
    }

    /** The packet is over the limit: from here on its bytes are dropped, up to a bound. */
    private void discard(long declaredSoFar, int limit, int sequenceId) {
        payload = null;
        streaming = false;
        discarding = declaredSoFar;
        if (declaredSoFar > maxDiscarded) {
            discarding = -1;
            inPacket = false;
            throw new PacketTooLargeException(declaredSoFar, limit, sequenceId);
        }
    }

    /**
     * Room for {@code needed} bytes: at least double the array, but never beyond what the headers declared. Returns
     * the fill the array allows: {@code needed}, or less when the gate refused it room to grow.
     */
    private int room(int needed) {
        if (needed <= payload.length) {
            return needed;
        }
        int capacity;
        if (streaming) {
            if (payload.length > 0) {
                // This piece is filled first, and goes when full.
                return payload.length;
            }
            // A new piece: as long as the rest of its physical packet, up to a piece.
            capacity = Math.min(PIECE, chunkRemaining);
        } else if (payloadFill == 0) {
            // The first array is filled before it grows: its first byte says whether the payload passes in pieces.
            return payload.length;
        } else {
            int doubled = (int) Math.min(Integer.MAX_VALUE - 8, 2L * payload.length);
            capacity = Math.min(declared, Math.max(needed, doubled));
            if (capacity > PIECE && inPieces.test(payload[0] & 0xff)) {
                // It will pass on in pieces: the head fills a piece, and goes.
                capacity = Math.max(PIECE, payload.length);
            }
        }
        if (!mayGrow.test(capacity - payload.length)) {
            return payload.length;
        }
        payload = Arrays.copyOf(payload, capacity);
        return Math.min(needed, capacity);
    }

    private void endChunk() {
        if (streaming) {
            // Each piece lies within one physical packet, so that it can be written on under that packet's header.
            passPiece(!chunkIsFull);
            if (!chunkIsFull) {
                streaming = false;
                inPacket = false;
            }
            return;
        }
        if (chunkIsFull) {
            return;
        }
        if (discarding >= 0) {
            long dropped = discarding;
            discarding = -1;
            inPacket = false;
            throw new PacketTooLargeException(dropped, maxPayload, lastSequenceId);
        }
        InboundPacket packet = new InboundPacket(payload, firstSequenceId, lastSequenceId);
        payload = null;
        payloadFill = 0;
        inPacket = false;
        stopped = !sink.test(packet);
    }
}
