package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * MySQL packets (page_protocol_basic_packets): int<3> payload length, int<1> sequence id, payload.
 * A payload of 0xffffff bytes or more is sent as several packets; each full one (exactly 0xffffff bytes)
 * means "more follows", and the last is shorter (possibly empty).
 */
class PacketFramerTest {

    /** COM_QUERY "select @@version_comment limit 1" as the mysql client sends it after logging in (page_protocol_com_query). */
    static final String COM_QUERY_VERSION_COMMENT = """
            21 00 00 00 03 73 65 6c 65 63 74 20 40 40 76 65
            72 73 69 6f 6e 5f 63 6f 6d 6d 65 6e 74 20 6c 69
            6d 69 74 20 31
            """;

    /**
     * The answer to CALL multi() from page_protocol_command_phase_sp (two result sets of SELECT 1, then the OK of
     * the CALL): eleven packets, sequence ids 1 to 11, in one stream.
     */
    static final String CALL_MULTI_RESPONSE = """
            01 00 00 01 01
            17 00 00 02 03 64 65 66 00 00 00 01 31 00 0c 3f 00 01 00 00 00 08 81 00 00 00 00
            05 00 00 03 fe 00 00 0a 00
            02 00 00 04 01 31
            05 00 00 05 fe 00 00 0a 00
            01 00 00 06 01
            17 00 00 07 03 64 65 66 00 00 00 01 31 00 0c 3f 00 01 00 00 00 08 81 00 00 00 00
            05 00 00 08 fe 00 00 0a 00
            02 00 00 09 01 31
            05 00 00 0a fe 00 00 0a 00
            07 00 00 0b 00 01 00 02 00 00 00
            """;

    private static final int[] CALL_MULTI_LENGTHS = {1, 23, 5, 2, 5, 1, 23, 5, 2, 5, 7};

    private final List<InboundPacket> packets = new ArrayList<>();

    private void feed(PacketFramer framer, byte[] bytes, int offset, int length) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes, offset, length);
        framer.feed(buf, packets::add);
        assertThat(buf.isReadable()).as("feed consumes every readable byte").isFalse();
    }

    private void feed(PacketFramer framer, byte[] bytes) {
        feed(framer, bytes, 0, bytes.length);
    }

    private void assertCallMultiPackets(byte[] wire) {
        assertThat(packets).hasSize(11);
        int pos = 0;
        for (int i = 0; i < 11; i++) {
            InboundPacket p = packets.get(i);
            assertThat(p.sequenceId()).as("sequence id of packet %d", i).isEqualTo(i + 1);
            assertThat(p.lastSequenceId()).isEqualTo(i + 1);
            assertThat(p.length()).as("length of packet %d", i).isEqualTo(CALL_MULTI_LENGTHS[i]);
            assertThat(p.payload()).isEqualTo(Arrays.copyOfRange(wire, pos + 4, pos + 4 + CALL_MULTI_LENGTHS[i]));
            pos += 4 + CALL_MULTI_LENGTHS[i];
        }
        assertThat(pos).isEqualTo(wire.length);
    }

    @Test
    void singleCommandPacketFromTheDocumentation() {
        PacketFramer framer = new PacketFramer(1 << 20);
        feed(framer, Hex.bytes(COM_QUERY_VERSION_COMMENT));

        assertThat(packets).hasSize(1);
        InboundPacket p = packets.get(0);
        // 0x21 = 33 bytes: the command byte and the 32-character statement
        assertThat(p.length()).isEqualTo(33);
        assertThat(p.sequenceId()).isZero();
        assertThat(p.command()).isEqualTo(CommandType.COM_QUERY);
        assertThat(new String(p.payload(), 1, 32, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("select @@version_comment limit 1");
        assertThat(p.nextSequenceId()).isEqualTo(1);
        assertThat(framer.hasPartialPacket()).isFalse();
    }

    @Test
    void severalPacketsInOneBuffer() {
        byte[] wire = Hex.bytes(CALL_MULTI_RESPONSE);
        PacketFramer framer = new PacketFramer(1 << 20);
        feed(framer, wire);
        assertCallMultiPackets(wire);
        assertThat(framer.hasPartialPacket()).isFalse();
    }

    @Test
    void oneByteAtATime() {
        byte[] wire = Hex.bytes(CALL_MULTI_RESPONSE);
        PacketFramer framer = new PacketFramer(1 << 20);
        for (int i = 0; i < wire.length; i++) {
            feed(framer, wire, i, 1);
        }
        assertCallMultiPackets(wire);
    }

    @Test
    void splitAtEveryPossiblePosition() {
        byte[] wire = Hex.bytes(CALL_MULTI_RESPONSE);
        for (int split = 0; split <= wire.length; split++) {
            packets.clear();
            PacketFramer framer = new PacketFramer(1 << 20);
            feed(framer, wire, 0, split);
            feed(framer, wire, split, wire.length - split);
            assertCallMultiPackets(wire);
        }
    }

    @Test
    void awkwardPieceSizes() {
        byte[] wire = Hex.bytes(CALL_MULTI_RESPONSE);
        for (int piece : new int[] {2, 3, 5, 7, 13}) {
            packets.clear();
            PacketFramer framer = new PacketFramer(1 << 20);
            for (int pos = 0; pos < wire.length; pos += piece) {
                feed(framer, wire, pos, Math.min(piece, wire.length - pos));
            }
            assertCallMultiPackets(wire);
        }
    }

    @Test
    void partialPacketIsKeptUntilTheRestArrives() {
        byte[] wire = Hex.bytes(COM_QUERY_VERSION_COMMENT);
        PacketFramer framer = new PacketFramer(1 << 20);
        assertThat(framer.hasPartialPacket()).isFalse();

        feed(framer, wire, 0, 2); // half a header
        assertThat(packets).isEmpty();
        assertThat(framer.hasPartialPacket()).isTrue();

        feed(framer, wire, 2, 2); // the header is complete, no payload yet
        assertThat(packets).isEmpty();
        assertThat(framer.hasPartialPacket()).isTrue();

        feed(framer, wire, 4, wire.length - 5); // all but the last payload byte
        assertThat(packets).isEmpty();
        assertThat(framer.hasPartialPacket()).isTrue();

        feed(framer, wire, wire.length - 1, 1);
        assertThat(packets).hasSize(1);
        assertThat(framer.hasPartialPacket()).isFalse();
    }

    @Test
    void emptyPacket() {
        // An empty payload is a whole packet: e.g. the empty file a client sends to end LOAD DATA LOCAL INFILE.
        PacketFramer framer = new PacketFramer(1 << 20);
        feed(framer, Hex.bytes("""
                00 00 00 05
                01 00 00 00 0e
                00 00 00 07
                """));
        assertThat(packets).hasSize(3);
        assertThat(packets.get(0).length()).isZero();
        assertThat(packets.get(0).sequenceId()).isEqualTo(5);
        assertThat(packets.get(0).command()).isEqualTo(-1);
        // COM_PING
        assertThat(packets.get(1).payload()).containsExactly(CommandType.COM_PING);
        assertThat(packets.get(2).length()).isZero();
        assertThat(packets.get(2).sequenceId()).isEqualTo(7);
        assertThat(framer.hasPartialPacket()).isFalse();
    }

    @Test
    void emptyPacketFedOneByteAtATime() {
        PacketFramer framer = new PacketFramer(16);
        byte[] wire = Hex.bytes("00 00 00 03");
        for (int i = 0; i < 3; i++) {
            feed(framer, wire, i, 1);
            assertThat(packets).isEmpty();
        }
        feed(framer, wire, 3, 1);
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).length()).isZero();
    }

    /** Header of a physical packet: int<3> length, int<1> sequence id. */
    private static byte[] header(int length, int sequenceId) {
        return new byte[] {(byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) sequenceId};
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void payloadOfExactly0xffffffBytesEndsWithAnEmptyPacket() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        byte[] body = pattern(max, 7);
        PacketFramer framer = new PacketFramer(32 << 20);

        // ff ff ff 00: a full packet, more follows
        feed(framer, Hex.bytes("ff ff ff 00"));
        for (int pos = 0; pos < max; pos += 1_000_003) {
            feed(framer, body, pos, Math.min(1_000_003, max - pos));
        }
        assertThat(packets).as("a full packet alone is not a complete payload").isEmpty();
        assertThat(framer.hasPartialPacket()).isTrue();

        // 00 00 00 01: the empty packet that ends it, sequence id 1
        byte[] end = Hex.bytes("00 00 00 01");
        feed(framer, end, 0, 3);
        assertThat(packets).isEmpty();
        feed(framer, end, 3, 1);

        assertThat(packets).hasSize(1);
        InboundPacket p = packets.get(0);
        assertThat(p.length()).isEqualTo(max);
        assertThat(Arrays.equals(p.payload(), body)).isTrue();
        assertThat(p.sequenceId()).isZero();
        assertThat(p.lastSequenceId()).isEqualTo(1);
        assertThat(p.nextSequenceId()).isEqualTo(2);
        assertThat(framer.hasPartialPacket()).isFalse();
    }

    @Test
    void payloadSpreadOverThreePackets() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        byte[] first = pattern(max, 1);
        byte[] second = pattern(max, 2);
        byte[] third = Hex.bytes("0a 0b 0c");
        PacketFramer framer = new PacketFramer(64 << 20);
        feed(framer, header(max, 7));
        feed(framer, first);
        feed(framer, header(max, 8));
        feed(framer, second);
        // 03 00 00 09: the short last packet
        feed(framer, header(3, 9));
        feed(framer, third);

        assertThat(packets).hasSize(1);
        InboundPacket p = packets.get(0);
        assertThat(p.length()).isEqualTo(2 * max + 3);
        assertThat(Arrays.equals(p.payload(), 0, max, first, 0, max)).isTrue();
        assertThat(Arrays.equals(p.payload(), max, 2 * max, second, 0, max)).isTrue();
        assertThat(Arrays.copyOfRange(p.payload(), 2 * max, 2 * max + 3)).isEqualTo(third);
        assertThat(p.sequenceId()).isEqualTo(7);
        assertThat(p.lastSequenceId()).isEqualTo(9);
        assertThat(p.nextSequenceId()).isEqualTo(10);
    }

    @Test
    void continuationSequenceIdWrapsFrom255To0() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        PacketFramer framer = new PacketFramer(32 << 20);
        feed(framer, header(max, 255));
        feed(framer, new byte[max]);
        feed(framer, header(1, 0));
        feed(framer, Hex.bytes("2a"));
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).sequenceId()).isEqualTo(255);
        assertThat(packets.get(0).lastSequenceId()).isZero();
        assertThat(packets.get(0).nextSequenceId()).isEqualTo(1);
    }

    @Test
    void continuationWithAWrongSequenceIdIsMalformed() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        PacketFramer framer = new PacketFramer(32 << 20);
        feed(framer, header(max, 0));
        feed(framer, new byte[max]);
        // the next packet must have sequence id 1; 5 breaks the sequence
        assertThatThrownBy(() -> framer.feed(Unpooled.wrappedBuffer(Hex.bytes("00 00 00 05")), packets::add))
                .isInstanceOf(MalformedPacketException.class);
        assertThat(packets).isEmpty();
    }

    @Test
    void continuationRepeatingTheSameSequenceIdIsMalformed() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        PacketFramer framer = new PacketFramer(32 << 20);
        feed(framer, header(max, 3));
        feed(framer, new byte[max]);
        assertThatThrownBy(() -> framer.feed(Unpooled.wrappedBuffer(header(1, 3)), packets::add))
                .isInstanceOf(MalformedPacketException.class);
    }

    /**
     * A packet over the limit is read to its end and dropped, never buffered: the error then carries the sequence
     * id after the client's last packet, as a server's answer would (PyMySQL checks it).
     */
    @Test
    void packetOverTheLimitIsDroppedToItsEndThenRefused() {
        PacketFramer framer = new PacketFramer(1024);
        // 01 04 00: 1025 bytes, one more than allowed.
        feed(framer, Hex.bytes("01 04 00 00"));
        feed(framer, new byte[1024]);
        assertThat(framer.hasPartialPacket()).isTrue();
        assertThatThrownBy(() -> framer.feed(Unpooled.wrappedBuffer(new byte[1]), packets::add))
                .isInstanceOfSatisfying(PacketTooLargeException.class, e -> {
                    assertThat(e.declared()).isEqualTo(1025);
                    assertThat(e.limit()).isEqualTo(1024);
                    assertThat(e.answerSequenceId()).isEqualTo(1);
                });
        assertThat(packets).isEmpty();
    }

    @Test
    void hugeDeclaredLengthIsNotAllocated() {
        PacketFramer framer = new PacketFramer(1 << 20);
        // ff ff ff: the largest physical packet, 16 MiB - 1, against a 1 MiB limit; its bytes pass through unkept.
        feed(framer, Hex.bytes("ff ff ff 00"));
        for (int i = 0; i < 16; i++) {
            feed(framer, new byte[1 << 20]);
        }
        assertThat(packets).isEmpty();
        assertThat(framer.hasPartialPacket()).isTrue();
    }

    @Test
    void packetExactlyAtTheLimitIsAccepted() {
        PacketFramer framer = new PacketFramer(1024);
        feed(framer, Hex.bytes("00 04 00 00"));
        feed(framer, new byte[1024]);
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).length()).isEqualTo(1024);
    }

    /** PyMySQL's case: a query split over several physical packets, over the limit; the answer follows the last one. */
    @Test
    void multiPacketPayloadCrossingTheLimitIsReadToItsLastPacket() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        PacketFramer framer = new PacketFramer(max + 10);
        feed(framer, header(max, 0));
        feed(framer, new byte[max]);
        // 0xffffff + 0xffffff: over the limit from the second header on; sequence ids 1, then 2 ends it
        feed(framer, header(max, 1));
        feed(framer, new byte[max]);
        feed(framer, Hex.bytes("0b 00 00 02"));
        assertThatThrownBy(() -> framer.feed(Unpooled.wrappedBuffer(new byte[11]), packets::add))
                .isInstanceOfSatisfying(PacketTooLargeException.class, e -> {
                    assertThat(e.declared()).isEqualTo(2L * max + 11);
                    assertThat(e.limit()).isEqualTo(max + 10);
                    assertThat(e.answerSequenceId()).isEqualTo(3);
                });
        assertThat(packets).isEmpty();
    }

    @Test
    void aPacketBeyondWhatIsReadAndDroppedIsRefusedAtOnce() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        PacketFramer framer = new PacketFramer(1024);
        long declared = 0;
        int sequence = 0;
        while (declared + max <= PacketFramer.MAX_DISCARDED) {
            feed(framer, header(max, sequence++));
            feed(framer, new byte[max]);
            declared += max;
        }
        int next = sequence;
        assertThatThrownBy(() -> framer.feed(Unpooled.wrappedBuffer(header(max, next)), packets::add))
                .isInstanceOfSatisfying(PacketTooLargeException.class, e -> assertThat(e.answerSequenceId()).isEqualTo((next + 1) & 0xff));
    }

    @Test
    void multiPacketPayloadEndingExactlyAtTheLimitIsAccepted() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        PacketFramer framer = new PacketFramer(max + 10);
        feed(framer, header(max, 0));
        feed(framer, new byte[max]);
        feed(framer, Hex.bytes("0a 00 00 01"));
        feed(framer, new byte[10]);
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).length()).isEqualTo(max + 10);
    }

    /** A client that announced more than it sends: the refusal is given up waiting for, in sequence after its last header. */
    @Test
    void anOversizedPacketAbandonedMidWayIsRefusedAfterItsLastHeader() {
        PacketFramer framer = new PacketFramer(100);
        feed(framer, header(50, 0));
        feed(framer, new byte[50]);
        assertThat(framer.isDiscarding()).isFalse();
        feed(framer, header(200, 3));
        feed(framer, new byte[20]);
        assertThat(framer.isDiscarding()).isTrue();
        PacketTooLargeException refusal = framer.abandonDiscard();
        assertThat(refusal.answerSequenceId()).isEqualTo(4);
        assertThat(framer.isDiscarding()).isFalse();
        assertThat(packets).hasSize(1);
    }

    @Test
    void limitBelowOnePhysicalPacketRejectsAFullPacket() {
        PacketFramer framer = new PacketFramer(PacketFramer.MAX_PHYSICAL_PAYLOAD - 1);
        feed(framer, header(PacketFramer.MAX_PHYSICAL_PAYLOAD, 0));
        feed(framer, new byte[PacketFramer.MAX_PHYSICAL_PAYLOAD]);
        assertThatThrownBy(() -> framer.feed(Unpooled.wrappedBuffer(header(0, 1)), packets::add))
                .isInstanceOfSatisfying(PacketTooLargeException.class, e -> assertThat(e.answerSequenceId()).isEqualTo(2));
    }

    @Test
    void packetsAfterAMultiPacketPayloadAreFramedNormally() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        PacketFramer framer = new PacketFramer(32 << 20);
        feed(framer, header(max, 0));
        feed(framer, new byte[max]);
        // the terminating empty packet and a COM_PING in the same buffer
        feed(framer, Hex.bytes("00 00 00 01  01 00 00 00 0e"));
        assertThat(packets).hasSize(2);
        assertThat(packets.get(0).length()).isEqualTo(max);
        assertThat(packets.get(1).payload()).containsExactly(0x0e);
        assertThat(packets.get(1).sequenceId()).isZero();
    }

    /**
     * A header is four bytes; what it declares is the peer's word only. A client announcing a 16 MiB packet and
     * sending a few bytes of it must cost a few KiB, not 16 MiB (before login, anyone can open a connection).
     */
    @Test
    void aDeclaredPacketCostsOnlyTheBytesThatArrive() {
        PacketFramer framer = new PacketFramer(64 << 20);
        feed(framer, header(PacketFramer.MAX_PHYSICAL_PAYLOAD, 0)); // warms up the feed path
        framer = new PacketFramer(64 << 20);
        long before = io.sluice.testing.Allocation.byCurrentThread();
        feed(framer, header(PacketFramer.MAX_PHYSICAL_PAYLOAD, 0));
        feed(framer, new byte[] {0x03, 'x', 'y'});
        long used = io.sluice.testing.Allocation.byCurrentThread() - before;
        assertThat(used).as("bytes allocated for a header and 3 bytes of a declared 16 MiB packet").isLessThan(64 * 1024);
        assertThat(framer.hasPartialPacket()).isTrue();
    }

    @Test
    void aPayloadGrowsWithItsBytesAndEndsExactlyAsLongAsDeclared() {
        int length = 3 * PacketFramer.INITIAL_CAPACITY + 17;
        byte[] body = pattern(length, 5);
        PacketFramer framer = new PacketFramer(1 << 20);
        feed(framer, header(length, 0));
        for (int pos = 0; pos < length; pos += 1000) {
            feed(framer, body, pos, Math.min(1000, length - pos));
        }
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).payload()).isEqualTo(body);
    }

    @Test
    void theLimitCanBeRaisedForLaterPackets() {
        PacketFramer framer = new PacketFramer(16, 0);
        assertThatThrownBy(() -> framer.feed(Unpooled.wrappedBuffer(header(17, 0)), packets::add))
                .as("refused at its header, as a login packet is")
                .isInstanceOf(PacketTooLargeException.class);
        PacketFramer raised = new PacketFramer(16, 0);
        feed(raised, Hex.bytes("01 00 00 01 41"));
        raised.limit(1024, PacketFramer.MAX_DISCARDED);
        feed(raised, header(17, 0));
        feed(raised, new byte[17]);
        assertThat(packets).hasSize(2);
        assertThat(packets.get(1).length()).isEqualTo(17);
    }

    @Test
    void aBufferRefusedRoomToGrowTakesWhatFitsAndLeavesTheRestUnread() {
        int length = 3 * PacketFramer.INITIAL_CAPACITY;
        byte[] body = pattern(length, 7);
        PacketFramer framer = new PacketFramer(1 << 20);
        List<Long> asked = new ArrayList<>();
        boolean[] room = {false};
        framer.gate(bytes -> {
            asked.add(bytes);
            return room[0];
        });
        ByteBuf wire = Unpooled.wrappedBuffer(header(length, 0), body);
        framer.feed(wire, packets::add);
        assertThat(packets).isEmpty();
        assertThat(wire.readableBytes()).as("left unread").isEqualTo(length - PacketFramer.INITIAL_CAPACITY);
        assertThat(framer.bytesHeld()).isEqualTo(PacketFramer.INITIAL_CAPACITY);
        // Room for all that arrived, as declared: the first array and 8 KiB more.
        assertThat(asked).as("the growth asked for").isNotEmpty().containsOnly(2L * PacketFramer.INITIAL_CAPACITY);

        room[0] = true;
        framer.feed(wire, packets::add);
        assertThat(wire.isReadable()).isFalse();
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).payload()).isEqualTo(body);
        assertThat(asked).as("asked again, granted").containsOnly(2L * PacketFramer.INITIAL_CAPACITY);
    }

    private final List<PayloadPiece> pieces = new ArrayList<>();

    /** A framer passing on COM_STMT_SEND_LONG_DATA in pieces, as a session after login asks. */
    private PacketFramer passingLongData(int limit) {
        PacketFramer framer = new PacketFramer(limit);
        framer.passInPieces(b -> b == CommandType.COM_STMT_SEND_LONG_DATA, pieces::add);
        return framer;
    }

    private static byte[] longData(int length, int seed) {
        byte[] payload = pattern(length, seed);
        payload[0] = (byte) CommandType.COM_STMT_SEND_LONG_DATA;
        return payload;
    }

    /** The head and every piece, joined: what a relay writes on. */
    private byte[] joined() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(packets.get(0).payload());
        pieces.forEach(p -> out.writeBytes(p.bytes()));
        return out.toByteArray();
    }

    @Test
    void aLongPayloadThatNeedsNoInspectionPassesOnInPiecesHoldingAPieceAtMost() {
        int length = 3 * PacketFramer.PIECE + 100;
        byte[] body = longData(length, 3);
        PacketFramer framer = passingLongData(1 << 20);
        feed(framer, header(length, 0));
        int held = 0;
        for (int pos = 0; pos < length; pos += 1000) {
            feed(framer, body, pos, Math.min(1000, length - pos));
            held = Math.max(held, framer.bytesHeld());
        }
        assertThat(held).isLessThanOrEqualTo(PacketFramer.PIECE);
        assertThat(packets).hasSize(1);
        InboundPacket head = packets.get(0);
        assertThat(head.isHead()).isTrue();
        assertThat(head.length()).isEqualTo(PacketFramer.PIECE);
        assertThat(head.firstPacketLength()).isEqualTo(length);
        assertThat(head.command()).isEqualTo(CommandType.COM_STMT_SEND_LONG_DATA);
        assertThat(pieces).extracting(PayloadPiece::length).containsExactly(PacketFramer.PIECE, PacketFramer.PIECE, 100);
        assertThat(pieces).extracting(PayloadPiece::last).containsExactly(false, false, true);
        assertThat(pieces).allMatch(p -> !p.startsPacket() && p.sequenceId() == 0);
        assertThat(joined()).isEqualTo(body);
        assertThat(framer.hasPartialPacket()).isFalse();
    }

    @Test
    void piecesOfAPayloadOfSeveralPacketsCarryTheHeadersOfThePacketsTheyStart() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        byte[] body = longData(max + 10, 4);
        PacketFramer framer = passingLongData(32 << 20);
        feed(framer, header(max, 0));
        feed(framer, body, 0, max);
        feed(framer, header(10, 1));
        feed(framer, body, max, 10);
        feed(framer, Hex.bytes("01 00 00 00 0e"));
        assertThat(packets).hasSize(2);
        assertThat(packets.get(0).firstPacketLength()).isEqualTo(max);
        assertThat(packets.get(1).payload()).as("framed normally after it").containsExactly(0x0e);
        PayloadPiece second = pieces.get(pieces.size() - 1);
        assertThat(second.packetLength()).isEqualTo(10);
        assertThat(second.sequenceId()).isEqualTo(1);
        assertThat(second.last()).isTrue();
        assertThat(pieces.subList(0, pieces.size() - 1)).allMatch(p -> !p.startsPacket() && !p.last() && p.sequenceId() == 0);
        assertThat(pieces).allMatch(p -> p.length() <= PacketFramer.PIECE);
        assertThat(joined()).isEqualTo(body);
    }

    @Test
    void aPayloadOfWholePacketsEndsWithAnEmptyPieceForItsEmptyLastPacket() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        byte[] body = longData(max, 5);
        PacketFramer framer = passingLongData(32 << 20);
        feed(framer, header(max, 0));
        feed(framer, body);
        assertThat(pieces).noneMatch(PayloadPiece::last);
        feed(framer, header(0, 1));
        PayloadPiece end = pieces.get(pieces.size() - 1);
        assertThat(end.length()).isZero();
        assertThat(end.packetLength()).isZero();
        assertThat(end.sequenceId()).isEqualTo(1);
        assertThat(end.last()).isTrue();
        assertThat(joined()).isEqualTo(body);
    }

    @Test
    void otherPayloadsAndShortOnesArriveWhole() {
        PacketFramer framer = passingLongData(1 << 20);
        byte[] query = pattern(2 * PacketFramer.PIECE, 6);
        query[0] = (byte) CommandType.COM_QUERY;
        byte[] shortData = longData(PacketFramer.PIECE, 7);
        feed(framer, header(query.length, 0));
        feed(framer, query);
        feed(framer, header(shortData.length, 0));
        feed(framer, shortData);
        assertThat(pieces).isEmpty();
        assertThat(packets).extracting(InboundPacket::isHead).containsExactly(false, false);
        assertThat(packets.get(0).payload()).isEqualTo(query);
        assertThat(packets.get(1).payload()).isEqualTo(shortData);
    }

    @Test
    void aPieceRefusedRoomWaitsUnreadUntilThereIsRoom() {
        int length = 2 * PacketFramer.PIECE + 1;
        byte[] body = longData(length, 8);
        PacketFramer framer = passingLongData(1 << 20);
        boolean[] room = {true};
        framer.gate(bytes -> room[0]);
        ByteBuf wire = Unpooled.wrappedBuffer(header(length, 0), Arrays.copyOf(body, PacketFramer.PIECE + 10));
        framer.feed(wire, packets::add);
        assertThat(packets).hasSize(1);
        assertThat(pieces).hasSize(0);
        assertThat(framer.bytesHeld()).isEqualTo(PacketFramer.PIECE);

        room[0] = false;
        ByteBuf rest = Unpooled.wrappedBuffer(body, PacketFramer.PIECE + 10, length - PacketFramer.PIECE - 10);
        framer.feed(rest, packets::add);
        assertThat(pieces).as("the first piece went").hasSize(1);
        assertThat(framer.bytesHeld()).as("no array for the next").isZero();
        assertThat(rest.readableBytes()).isEqualTo(length - 2 * PacketFramer.PIECE);

        room[0] = true;
        framer.feed(rest, packets::add);
        assertThat(rest.isReadable()).isFalse();
        assertThat(pieces).extracting(PayloadPiece::last).containsExactly(false, true);
        assertThat(joined()).isEqualTo(body);
    }

    @Test
    void aPayloadInPiecesIsStillHeldToTheLimit() {
        int max = PacketFramer.MAX_PHYSICAL_PAYLOAD;
        PacketFramer framer = passingLongData(max + 5);
        feed(framer, header(max, 0));
        feed(framer, longData(max, 9));
        feed(framer, header(10, 1));
        assertThatThrownBy(() -> framer.feed(Unpooled.wrappedBuffer(new byte[10]), packets::add))
                .isInstanceOfSatisfying(PacketTooLargeException.class, e -> assertThat(e.answerSequenceId()).isEqualTo(2));
        assertThat(pieces).noneMatch(PayloadPiece::last);
    }
}
