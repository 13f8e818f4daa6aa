package io.sluice.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a byte stream into logical packets: a 3-byte little-endian length, a 1-byte sequence id,
 * then the payload; a physical packet of exactly 0xffffff bytes means the payload continues in the next one.
 *
 * <p>Bytes may arrive in any pieces. The payload array is allocated when a header announces its size and
 * only after that size is checked against the limit, so a peer declaring a huge packet costs nothing. A packet
 * over the limit is read to its end without being kept ({@link #MAX_DISCARDED} bytes at most), so that the
 * error answering it carries the sequence id a server would use after the client's last packet (clients such
 * as PyMySQL check it). Continuation packets must carry consecutive sequence ids. Not thread-safe: one framer
 * per connection, fed from one thread.
 */
public final class PacketFramer {
    public static final int MAX_PHYSICAL_PAYLOAD = 0xffffff;
    /** Bytes of one oversized packet read and dropped at most before giving up on it at once. */
    static final long MAX_DISCARDED = 1L << 30;

    private final int maxPayload;
    private final byte[] header = new byte[4];
    private int headerFill;
    private byte[] payload;
    private int payloadFill;
    private int chunkRemaining;
    private boolean chunkIsFull;
    private int firstSequenceId;
    private int lastSequenceId;
    private boolean inPacket;
    private java.util.function.Predicate<InboundPacket> sink;
    private boolean stopped;
    /** Reading an oversized packet to its end, keeping nothing: its declared size so far. */
    private long discarding = -1;

    public PacketFramer(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    /**
     * Consumes all readable bytes of {@code in}, handing every completed packet to {@code sink}.
     *
     * @throws PacketTooLargeException when a packet would exceed the limit
     * @throws MalformedPacketException when continuation packets break the sequence
     */
    public void feed(ByteBuf in, Consumer<InboundPacket> sink) {
        feedWhile(in, packet -> {
            sink.accept(packet);
            return true;
        });
    }

    /**
     * Like {@link #feed}, but stops after a packet for which {@code sink} answers false, leaving the bytes after
     * it unread in {@code in}: after a client's SSLRequest, what follows is TLS, not packets.
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
                in.readBytes(payload, payloadFill, n);
                payloadFill += n;
            }
            chunkRemaining -= n;
            if (chunkRemaining == 0) {
                endChunk();
            }
        }
    }

    /** True when part of a packet has been received but not all of it. */
    public boolean hasPartialPacket() {
        return inPacket || headerFill > 0;
    }

    private void startChunk() {
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        int sequenceId = header[3] & 0xff;
        headerFill = 0;
        if (inPacket) {
            if (sequenceId != ((lastSequenceId + 1) & 0xff)) {
                throw new MalformedPacketException("continuation packet has sequence id " + sequenceId + ", expected " + ((lastSequenceId + 1) & 0xff));
            }
            long total = (discarding >= 0 ? discarding : payloadFill) + (long) length;
            if (discarding >= 0 || total > maxPayload) {
                discard(total, sequenceId);
            } else {
                payload = Arrays.copyOf(payload, (int) total);
            }
        } else {
            inPacket = true;
            firstSequenceId = sequenceId;
            payloadFill = 0;
            if (length > maxPayload) {
                discard(length, sequenceId);
            } else {
                payload = new byte[length];
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
    private void discard(long declared, int sequenceId) {
        payload = null;
        discarding = declared;
        if (declared > MAX_DISCARDED) {
            throw new PacketTooLargeException(declared, maxPayload, sequenceId);
        }
    }

    private void endChunk() {
        if (chunkIsFull) {
            return;
        }
        if (discarding >= 0) {
            long declared = discarding;
            discarding = -1;
            inPacket = false;
            throw new PacketTooLargeException(declared, maxPayload, lastSequenceId);
        }
        InboundPacket packet = new InboundPacket(payload, firstSequenceId, lastSequenceId);
        payload = null;
        payloadFill = 0;
        inPacket = false;
        stopped = !sink.test(packet);
    }
}
