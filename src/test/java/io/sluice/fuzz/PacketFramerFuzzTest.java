package io.sluice.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.protocol.Hex;
import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.MalformedPacketException;
import io.sluice.protocol.PacketFramer;
import io.sluice.protocol.PacketTooLargeException;
import io.sluice.testing.Allocation;

import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link PacketFramer} fed any byte stream in any pieces. Whatever the bytes and wherever they are cut:
 * <ul>
 *   <li>only {@link MalformedPacketException} and {@link PacketTooLargeException} escape;</li>
 *   <li>the packets and the outcome are those of a plain reading of the whole stream ({@link ReferenceFramer}), so
 *       where a stream is cut never changes what it means;</li>
 *   <li>the framer allocates in proportion to the bytes it was sent, whatever the headers declare: at most
 *       {@link PacketFramer#INITIAL_CAPACITY} per packet begun plus four times the bytes fed (a payload array
 *       doubles as bytes arrive, and the arrays it outgrew were at most as large again), so a header declaring a
 *       huge packet costs a few KiB until the packet's bytes actually come.</li>
 * </ul>
 * Runs may start with full 0xffffff-byte chunks (zeros, never copied by the test) so that multi-chunk packets and
 * their continuation headers are reached with small inputs, up to 64 of them: a packet declaring 1 GiB.
 */
class PacketFramerFuzzTest {
    /** The limit of most runs: a header announcing more must be refused before anything is allocated for it. */
    static final int SMALL_LIMIT = 1 << 20;
    /** Room for one full chunk and a continuation, so that multi-chunk framing is reached. */
    static final int LARGE_LIMIT = PacketFramer.MAX_PHYSICAL_PAYLOAD + (1 << 16);
    static final int MAX_FULL_CHUNKS = 64;
    /**
     * Passing in pieces is checked on runs of up to two full chunks: past the larger limit (one chunk and 64 KiB), the
     * rest is dropped as in {@link #check}, which reads the longer runs within the time an input has.
     */
    private static final int MAX_FULL_CHUNKS_IN_PIECES = 2;
    private static final int CHUNK_SELECTOR = 1023;
    static final int MAX_PIECES = 32;
    static final int MAX_PIECE = 4100;
    /** What a feed may allocate beyond the payloads it is owed: buffer wrappers, a few objects per packet. */
    private static final long SLACK = 64 * 1024;
    private static final byte[] ZEROS = new byte[PacketFramer.MAX_PHYSICAL_PAYLOAD];

    /**
     * One run: the framer's limit, full chunks sent first (sequence ids counting up from {@code firstSequenceId}),
     * then {@code stream} cut after each of {@code pieces} bytes (the rest in a last piece).
     */
    record Case(boolean largeLimit, int fullChunks, int firstSequenceId, int[] pieces, byte[] stream) {
        static Case from(FuzzedDataProvider data) {
            boolean large = data.consumeBoolean();
            // Full chunks cost 16 MiB each to send: in about one run of twenty, unless an input asks for them.
            int chunks = data.consumeInt(0, CHUNK_SELECTOR);
            chunks = chunks <= MAX_FULL_CHUNKS ? chunks : 0;
            int sequenceId = data.consumeInt(0, 255);
            int[] pieces = new int[data.consumeInt(1, MAX_PIECES) - 1];
            for (int i = 0; i < pieces.length; i++) {
                pieces[i] = data.consumeInt(0, MAX_PIECE);
            }
            return new Case(large, chunks, sequenceId, pieces, data.consumeRemainingAsBytes());
        }

        byte[] toInput() {
            FdpWriter w = new FdpWriter().bool(largeLimit).integer(fullChunks, 0, CHUNK_SELECTOR)
                    .integer(firstSequenceId, 0, 255).integer(pieces.length + 1, 1, MAX_PIECES);
            for (int p : pieces) {
                w.integer(p, 0, MAX_PIECE);
            }
            return w.bytes(stream).toByteArray();
        }

        int limit() {
            return largeLimit ? LARGE_LIMIT : SMALL_LIMIT;
        }

        /** The stream as the framer receives it: each full chunk's header and payload, then the pieces. */
        List<ByteBuf> feeds() {
            List<ByteBuf> feeds = new ArrayList<>();
            for (int i = 0; i < fullChunks; i++) {
                feeds.add(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) (firstSequenceId + i)}));
                feeds.add(Unpooled.wrappedBuffer(ZEROS));
            }
            int at = 0;
            for (int p : pieces) {
                int n = Math.min(p, stream.length - at);
                feeds.add(Unpooled.wrappedBuffer(stream, at, n));
                at += n;
            }
            feeds.add(Unpooled.wrappedBuffer(stream, at, stream.length - at));
            return feeds;
        }

        @Override
        public String toString() {
            return "limit " + limit() + ", " + fullChunks + " full chunks from sequence id " + firstSequenceId + ", pieces "
                    + Arrays.toString(pieces) + ", stream [" + Hex.dump(Arrays.copyOf(stream, Math.min(stream.length, 256)))
                    + (stream.length > 256 ? " ..." : "") + "]";
        }
    }

    /** Each input (each seed in the test phase) within 10 s: while fuzzing, libFuzzer's -timeout. */
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @FuzzTest(maxDuration = "30s")
    void framesAnyStreamInAnyPieces(FuzzedDataProvider data) {
        Case c = Case.from(data);
        SeedCorpus.assertReadAsWritten(PacketFramerFuzzTest.class, data, c::toInput);
        check(c, true);
        if (c.fullChunks() <= MAX_FULL_CHUNKS_IN_PIECES) {
            checkInPieces(c);
        }
    }

    static {
        // Loading classes and linking string concatenations allocates, once per JVM: not what a feed costs.
        for (byte[] seed : new byte[][] {Hex.bytes("03 00 00 00 01 02 03 00"), Hex.bytes("ff ff ff 00"), Hex.bytes("02 00 00 05 61 62")}) {
            check(new Case(false, 0, 0, new int[] {1}, seed), false);
            check(new Case(true, 1, 4, new int[] {1}, seed), false);
        }
        // An oversized packet read to its end: the refusal's own first use links its message too.
        try {
            new PacketFramer(4).feed(io.netty.buffer.Unpooled.wrappedBuffer(Hex.bytes("05 00 00 00 01 02 03 04 05")), p -> { });
        } catch (PacketTooLargeException expected) {
            // Warmed up.
        }
    }

    static void check(Case c, boolean measure) {
        int limit = c.limit();
        PacketFramer framer = new PacketFramer(limit);
        List<InboundPacket> packets = new ArrayList<>();
        RuntimeException refusal = null;
        long fedSoFar = 0;
        long usedSoFar = 0;
        int feeds = 0;
        for (ByteBuf feed : c.feeds()) {
            int before = packets.size();
            int fed = feed.readableBytes();
            long start = Allocation.byCurrentThread();
            try {
                framer.feed(feed, packets::add);
            } catch (MalformedPacketException | PacketTooLargeException e) {
                refusal = e;
            }
            usedSoFar += Allocation.byCurrentThread() - start;
            fedSoFar += fed;
            feeds++;
            // Headers begin packets: one per 4 bytes fed at most, each with a first array of up to INITIAL_CAPACITY
            // (a packet that small gets an array of its own size). Everything else is paid for by bytes received.
            long packetsBegun = packets.size() + 1;
            long allowed = SLACK * feeds + (64L + PacketFramer.INITIAL_CAPACITY) * packetsBegun + 4 * fedSoFar;
            if (measure && usedSoFar > allowed) {
                throw new AssertionError("feeding " + fedSoFar + " bytes allocated " + usedSoFar + " bytes (allowed " + allowed + ", "
                        + (packets.size() - before) + " packets in the last feed)" + (refusal != null ? " and ended with " + refusal : "") + "; " + c);
            }
            if (refusal != null) {
                break;
            }
            if (feed.isReadable()) {
                throw new AssertionError("feed left " + feed.readableBytes() + " bytes unread; " + c);
            }
        }

        ReferenceFramer.Result expected = ReferenceFramer.read(c.feeds(), limit);
        assertAsTheReference(packets, expected, "packet", c);
        switch (expected.outcome()) {
            case TOO_LARGE -> {
                if (!(refusal instanceof PacketTooLargeException e) || e.declared() != expected.declared() || e.limit() != limit) {
                    throw new AssertionError("expected a refusal of " + expected.declared() + " bytes over " + limit + ", got " + refusal + "; " + c);
                }
            }
            case OUT_OF_SEQUENCE -> {
                if (!(refusal instanceof MalformedPacketException)) {
                    throw new AssertionError("expected a sequence error, got " + refusal + "; " + c);
                }
            }
            case COMPLETE, PARTIAL -> {
                if (refusal != null) {
                    throw new AssertionError("refused a valid stream: " + refusal + "; " + c);
                }
                if (framer.hasPartialPacket() != (expected.outcome() == ReferenceFramer.Outcome.PARTIAL)) {
                    throw new AssertionError("hasPartialPacket() is " + framer.hasPartialPacket() + ", expected " + expected.outcome() + "; " + c);
                }
            }
        }
    }

    /**
     * The same stream through a framer passing on in pieces every payload whose first byte is even (the zeros of the
     * full chunks among them): each payload, its head and pieces joined, is the reference's, with the same sequence
     * ids and outcome, and the framer never holds more than {@link PacketFramer#PIECE} of a payload that passes in
     * pieces.
     */
    static void checkInPieces(Case c) {
        int limit = c.limit();
        PacketFramer framer = new PacketFramer(limit);
        List<InboundPacket> packets = new ArrayList<>();
        java.io.ByteArrayOutputStream passing = new java.io.ByteArrayOutputStream();
        int[] passingIds = new int[2];
        boolean[] inPieces = {false};
        framer.passInPieces(b -> (b & 1) == 0, piece -> {
            if (!inPieces[0] || piece.length() > PacketFramer.PIECE || (piece.startsPacket() && piece.sequenceId() != ((passingIds[1] + 1) & 0xff))) {
                throw new AssertionError("piece " + piece.length() + " bytes, packet " + piece.packetLength() + ", sequence id "
                        + piece.sequenceId() + " out of place; " + c);
            }
            passing.writeBytes(piece.bytes());
            passingIds[1] = piece.sequenceId();
            if (piece.last()) {
                packets.add(new InboundPacket(passing.toByteArray(), passingIds[0], passingIds[1]));
                passing.reset();
                inPieces[0] = false;
            }
        });
        RuntimeException refusal = null;
        for (ByteBuf feed : c.feeds()) {
            try {
                framer.feed(feed, packet -> {
                    if (!packet.isHead()) {
                        packets.add(packet);
                        return;
                    }
                    if (inPieces[0] || packet.length() != PacketFramer.PIECE || packet.sequenceId() != packet.lastSequenceId()) {
                        throw new AssertionError("head of " + packet.length() + " bytes out of place; " + c);
                    }
                    inPieces[0] = true;
                    passing.writeBytes(packet.payload());
                    passingIds[0] = packet.sequenceId();
                    passingIds[1] = packet.sequenceId();
                });
            } catch (MalformedPacketException | PacketTooLargeException e) {
                refusal = e;
                break;
            }
            if (inPieces[0] && framer.bytesHeld() > PacketFramer.PIECE) {
                throw new AssertionError("holds " + framer.bytesHeld() + " bytes of a payload passing in pieces; " + c);
            }
        }
        ReferenceFramer.Result expected = ReferenceFramer.read(c.feeds(), limit);
        assertAsTheReference(packets, expected, "payload passed in pieces or whole", c);
        boolean refusedAsExpected = switch (expected.outcome()) {
            case TOO_LARGE -> refusal instanceof PacketTooLargeException e && e.declared() == expected.declared();
            case OUT_OF_SEQUENCE -> refusal instanceof MalformedPacketException;
            case COMPLETE, PARTIAL -> refusal == null
                    && framer.hasPartialPacket() == (expected.outcome() == ReferenceFramer.Outcome.PARTIAL);
        };
        if (!refusedAsExpected) {
            throw new AssertionError("passing in pieces ended with " + refusal + " (partial " + framer.hasPartialPacket() + "), expected "
                    + expected.outcome() + "; " + c);
        }
    }

    /** The payloads framed ({@code what} each is) are the reference's, with the same sequence ids. */
    private static void assertAsTheReference(List<InboundPacket> packets, ReferenceFramer.Result expected, String what, Case c) {
        if (packets.size() != expected.packets().size()) {
            throw new AssertionError(packets.size() + " of " + what + ", the reference reads " + expected.packets().size() + "; " + c);
        }
        for (int i = 0; i < packets.size(); i++) {
            InboundPacket got = packets.get(i);
            InboundPacket want = expected.packets().get(i);
            if (got.sequenceId() != want.sequenceId() || got.lastSequenceId() != want.lastSequenceId()
                    || !Arrays.equals(got.payload(), want.payload())) {
                throw new AssertionError(what + " " + i + " differs from the reference (sequence ids " + got.sequenceId() + "-"
                        + got.lastSequenceId() + " vs " + want.sequenceId() + "-" + want.lastSequenceId() + ", lengths "
                        + got.length() + " vs " + want.length() + "); " + c);
            }
        }
    }

    // ---- seed inputs ----

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] query = Hex.bytes("21 00 00 00 03 73 65 6c 65 63 74 20 40 40 76 65 72 73 69 6f 6e 5f 63 6f 6d 6d 65 6e 74 20 6c 69 6d 69 74 20 31");
        seeds.put("com-query-whole", small(query));
        seeds.put("com-query-byte-by-byte", new Case(false, 0, 0, ones(query.length), query).toInput());
        seeds.put("header-cut-after-1-2-3-bytes", new Case(false, 0, 0, new int[] {1, 1, 1, 2, 3}, query).toInput());
        seeds.put("empty-packet", small(Hex.bytes("00 00 00 00")));
        seeds.put("empty-packets-byte-by-byte", new Case(false, 0, 0, ones(16), Hex.bytes("00 00 00 00 00 00 00 01 00 00 00 02 00 00 00 03")).toInput());
        seeds.put("truncated-header", small(Hex.bytes("05 00")));
        seeds.put("truncated-payload", small(Hex.bytes("05 00 00 00 01 02")));
        seeds.put("header-declares-16MiB", small(Hex.bytes("ff ff ff 00")));
        seeds.put("header-declares-16MiB-minus-1", small(Hex.bytes("fe ff ff 00 03")));
        seeds.put("header-declares-limit", small(Hex.bytes("00 00 10 00 03 61")));
        seeds.put("header-declares-limit-plus-1", small(Hex.bytes("01 00 10 00 03 61")));
        seeds.put("packet-then-huge-header", small(Hex.bytes("01 00 00 00 0e ff ff ff 00")));
        seeds.put("full-chunk-refused-at-small-limit", new Case(false, 1, 0, new int[0], Hex.bytes("00 00 00 01")).toInput());
        seeds.put("full-chunk-then-continuation", new Case(true, 1, 7, new int[0], Hex.bytes("03 00 00 08 61 62 63")).toInput());
        seeds.put("full-chunk-then-empty-continuation", new Case(true, 1, 0, new int[0], Hex.bytes("00 00 00 01")).toInput());
        seeds.put("full-chunk-then-continuation-cut", new Case(true, 1, 0, new int[] {1, 2, 1}, Hex.bytes("02 00 00 01 61 62 00 00 00 00")).toInput());
        seeds.put("full-chunk-sequence-id-wraps", new Case(true, 1, 255, new int[0], Hex.bytes("01 00 00 00 61")).toInput());
        seeds.put("full-chunk-then-wrong-sequence-id", new Case(true, 1, 0, new int[0], Hex.bytes("05 00 00 05 61 62 63 64 65")).toInput());
        seeds.put("full-chunk-then-same-sequence-id", new Case(true, 1, 3, new int[0], Hex.bytes("01 00 00 03 61")).toInput());
        seeds.put("full-chunk-then-continuation-over-limit", new Case(true, 1, 0, new int[0], Hex.bytes("ff ff 00 01")).toInput());
        seeds.put("two-full-chunks-over-limit", new Case(true, 2, 0, new int[0], new byte[0]).toInput());
        seeds.put("declared-1GiB-small-limit", new Case(false, MAX_FULL_CHUNKS, 0, new int[0], new byte[0]).toInput());
        seeds.put("declared-1GiB-large-limit", new Case(true, MAX_FULL_CHUNKS, 0, new int[0], new byte[0]).toInput());
        // Found by fuzzing in CI: 1 GiB declared by full chunks, then a continuation's header takes it past the
        // discard bound while its payload has not arrived. Refused at that header, not awaited.
        seeds.put("continuation-past-discard-bound-payload-pending", new Case(true, MAX_FULL_CHUNKS, 0, new int[] {4020}, Hex.bytes("01 24 00 40 01 24 2d ff")).toInput());
        seeds.put("run-of-full-headers-without-payload", small(Hex.bytes("ff ff ff 00 ff ff ff 01 ff ff ff 02 ff ff ff 03")));
        seeds.put("response-stream-in-odd-pieces", new Case(false, 0, 0, new int[] {3, 5, 7, 11, 13}, Hex.bytes(
                "01 00 00 01 01",
                "17 00 00 02 03 64 65 66 00 00 00 01 31 00 0c 3f 00 01 00 00 00 08 81 00 00 00 00",
                "02 00 00 03 01 31",
                "07 00 00 04 fe 00 00 02 00 00 00")).toInput());
        return seeds;
    }

    private static byte[] small(byte[] stream) {
        return new Case(false, 0, 0, new int[0], stream).toInput();
    }

    private static int[] ones(int n) {
        int[] pieces = new int[Math.min(n, MAX_PIECES - 1)];
        Arrays.fill(pieces, 1);
        return pieces;
    }
}
