package io.sluice.fuzz;

import io.netty.buffer.ByteBuf;
import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.PacketFramer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The packet layer read the plain way, from the whole stream at once, as the protocol documentation describes it
 * (page_protocol_basic_packets): the oracle {@link PacketFramerFuzzTest} holds {@link PacketFramer} to.
 */
final class ReferenceFramer {
    enum Outcome {
        /** Every byte belongs to a complete packet. */
        COMPLETE,
        /** The stream ends inside a header or a packet. */
        PARTIAL,
        /** A packet over the limit, read to its end (its bytes dropped) unless it declares more than the discard bound. */
        TOO_LARGE,
        /** A continuation chunk's sequence id did not follow its predecessor's. */
        OUT_OF_SEQUENCE
    }

    record Result(List<InboundPacket> packets, Outcome outcome, long declared) {
    }

    private final List<ByteBuf> pieces;
    private int piece;

    private ReferenceFramer(List<ByteBuf> pieces) {
        this.pieces = pieces;
    }

    static Result read(List<ByteBuf> stream, int limit) {
        return new ReferenceFramer(stream).read(limit);
    }

    private Result read(int limit) {
        List<InboundPacket> packets = new ArrayList<>();
        byte[] payload = null;
        // The size declared so far of a packet over the limit, whose bytes are read and dropped; -1 when none.
        long dropped = -1;
        int first = 0;
        int last = 0;
        while (true) {
            byte[] header = new byte[4];
            int got = take(header, 0, 4);
            if (got < 4) {
                return new Result(packets, got > 0 || payload != null || dropped >= 0 ? Outcome.PARTIAL : Outcome.COMPLETE, 0);
            }
            int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
            int sequenceId = header[3] & 0xff;
            boolean continuation = payload != null || dropped >= 0;
            if (continuation && sequenceId != ((last + 1) & 0xff)) {
                return new Result(packets, Outcome.OUT_OF_SEQUENCE, 0);
            }
            long total = continuation ? (dropped >= 0 ? dropped : payload.length) + (long) length : length;
            if (!continuation) {
                first = sequenceId;
            }
            last = sequenceId;
            if (dropped >= 0 || total > limit) {
                dropped = total;
                payload = null;
                if (total > PacketFramer.MAX_DISCARDED) {
                    // Past the bound on what is read and dropped: refused at this header, its bytes never awaited.
                    return new Result(packets, Outcome.TOO_LARGE, total);
                }
                if (take(new byte[length], 0, length) < length) {
                    return new Result(packets, Outcome.PARTIAL, 0);
                }
                if (length < PacketFramer.MAX_PHYSICAL_PAYLOAD) {
                    return new Result(packets, Outcome.TOO_LARGE, total);
                }
                continue;
            }
            int at = continuation ? payload.length : 0;
            payload = continuation ? Arrays.copyOf(payload, (int) total) : new byte[length];
            if (take(payload, at, length) < length) {
                return new Result(packets, Outcome.PARTIAL, 0);
            }
            if (length < PacketFramer.MAX_PHYSICAL_PAYLOAD) {
                packets.add(new InboundPacket(payload, first, last));
                payload = null;
            }
        }
    }

    /** Copies up to {@code n} bytes of the stream; fewer only at its end. */
    private int take(byte[] into, int offset, int n) {
        int done = 0;
        while (done < n && piece < pieces.size()) {
            ByteBuf b = pieces.get(piece);
            int k = Math.min(n - done, b.readableBytes());
            b.readBytes(into, offset + done, k);
            done += k;
            if (!b.isReadable()) {
                piece++;
            }
        }
        return done;
    }
}
