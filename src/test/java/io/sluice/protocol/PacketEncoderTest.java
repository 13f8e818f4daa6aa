package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Sending payloads of 16 MiB or more (page_protocol_basic_packets): "If a MySQL client or server wants to send
 * data, it splits the data into packets of size 2^24 - 1 bytes and prepends a header to each chunk", and a
 * payload whose length is an exact multiple of 2^24 - 1 is followed by an empty packet.
 */
class PacketEncoderTest {
    private static final int MAX = PacketFramer.MAX_PHYSICAL_PAYLOAD;

    private static byte[] bytesOf(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    @Test
    void smallPayloadIsOnePacket() {
        ByteBuf out = Unpooled.buffer();
        // The OK packet of the documentation, sent as the answer's sequence id 2.
        int next = PacketEncoder.write(out, Hex.bytes("00 00 00 02 00 00 00"), 2);
        assertThat(Hex.dump(bytesOf(out))).isEqualTo("07 00 00 02 00 00 00 02 00 00 00");
        assertThat(next).isEqualTo(3);
    }

    @Test
    void commandPacketFromTheDocumentation() {
        byte[] wire = Hex.bytes(PacketFramerTest.COM_QUERY_VERSION_COMMENT);
        ByteBuf out = Unpooled.buffer();
        PacketEncoder.write(out, Arrays.copyOfRange(wire, 4, wire.length), 0);
        assertThat(bytesOf(out)).isEqualTo(wire);
    }

    @Test
    void emptyPayloadIsAnEmptyPacket() {
        ByteBuf out = Unpooled.buffer();
        int next = PacketEncoder.write(out, new byte[0], 4);
        assertThat(Hex.dump(bytesOf(out))).isEqualTo("00 00 00 04");
        assertThat(next).isEqualTo(5);
    }

    @Test
    void sequenceIdWrapsAt255() {
        ByteBuf out = Unpooled.buffer();
        int next = PacketEncoder.write(out, Hex.bytes("0e"), 255);
        assertThat(Hex.dump(bytesOf(out))).isEqualTo("01 00 00 ff 0e");
        assertThat(next).isZero();
    }

    @Test
    void writesOnlyTheGivenSlice() {
        ByteBuf out = Unpooled.buffer();
        int next = PacketEncoder.write(out, Hex.bytes("aa bb 01 02 03 cc"), 2, 3, 9);
        assertThat(Hex.dump(bytesOf(out))).isEqualTo("03 00 00 09 01 02 03");
        assertThat(next).isEqualTo(10);
    }

    /** A part of a payload that passes through in parts is one packet, however long: no empty packet is added. */
    @Test
    void aFullPartIsOnePacketWithNoEmptyPacketAfterIt() {
        byte[] part = new byte[MAX];
        part[0] = 7;
        ByteBuf out = Unpooled.buffer(MAX + 8);
        int next = PacketEncoder.writePart(out, part, 0, MAX, 3);
        byte[] wire = bytesOf(out);
        assertThat(wire).hasSize(MAX + 4);
        assertThat(Hex.dump(Arrays.copyOf(wire, 5))).isEqualTo("ff ff ff 03 07");
        assertThat(next).isEqualTo(4);
    }

    /** The last part ends the payload: shorter than a packet, and empty when the payload is whole packets long. */
    @Test
    void theLastPartMayBeEmpty() {
        ByteBuf out = Unpooled.buffer();
        assertThat(PacketEncoder.writePart(out, Hex.bytes("aa bb cc"), 1, 0, 255)).isZero();
        assertThat(PacketEncoder.writePart(out, Hex.bytes("aa bb cc"), 1, 2, 0)).isEqualTo(1);
        assertThat(Hex.dump(bytesOf(out))).isEqualTo("00 00 00 ff 02 00 00 00 bb cc");
    }

    @Test
    void aPartLongerThanAPacketIsRefused() {
        assertThatThrownBy(() -> PacketEncoder.writePart(Unpooled.buffer(), new byte[MAX + 1], 0, MAX + 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The physical packets in {@code wire}: [length, sequence id] pairs, checking each body is present. */
    private static List<int[]> headers(byte[] wire) {
        List<int[]> out = new ArrayList<>();
        int pos = 0;
        while (pos < wire.length) {
            int len = (wire[pos] & 0xff) | (wire[pos + 1] & 0xff) << 8 | (wire[pos + 2] & 0xff) << 16;
            out.add(new int[] {len, wire[pos + 3] & 0xff});
            pos += 4 + len;
        }
        assertThat(pos).as("the last packet ends exactly at the end of the output").isEqualTo(wire.length);
        return out;
    }

    @Test
    void payloadOneByteLongerThanAPacketIsSplitWithConsecutiveSequenceIds() {
        byte[] payload = new byte[MAX + 1];
        payload[0] = 1;
        payload[MAX - 1] = 2;
        payload[MAX] = 3;
        ByteBuf out = Unpooled.buffer(MAX + 16);
        int next = PacketEncoder.write(out, payload, 0);
        byte[] wire = bytesOf(out);

        List<int[]> headers = headers(wire);
        assertThat(headers).hasSize(2);
        // ff ff ff 00, then 01 00 00 01
        assertThat(headers.get(0)).containsExactly(MAX, 0);
        assertThat(headers.get(1)).containsExactly(1, 1);
        assertThat(next).isEqualTo(2);
        assertThat(Hex.dump(Arrays.copyOfRange(wire, 0, 4))).isEqualTo("ff ff ff 00");
        assertThat(wire[4]).isEqualTo((byte) 1);
        assertThat(wire[4 + MAX - 1]).isEqualTo((byte) 2);
        assertThat(Hex.dump(Arrays.copyOfRange(wire, 4 + MAX, wire.length))).isEqualTo("01 00 00 01 03");
    }

    @Test
    void payloadOfExactly0xffffffBytesIsFollowedByAnEmptyPacket() {
        ByteBuf out = Unpooled.buffer(MAX + 16);
        int next = PacketEncoder.write(out, new byte[MAX], 3);
        byte[] wire = bytesOf(out);
        List<int[]> headers = headers(wire);
        assertThat(headers).hasSize(2);
        assertThat(headers.get(0)).containsExactly(MAX, 3);
        assertThat(headers.get(1)).containsExactly(0, 4);
        assertThat(Hex.dump(Arrays.copyOfRange(wire, wire.length - 4, wire.length))).isEqualTo("00 00 00 04");
        assertThat(next).isEqualTo(5);
    }

    @Test
    void payloadOfTwoFullPacketsIsFollowedByAnEmptyPacket() {
        ByteBuf out = Unpooled.buffer(2 * MAX + 16);
        int next = PacketEncoder.write(out, new byte[2 * MAX], 0);
        List<int[]> headers = headers(bytesOf(out));
        assertThat(headers).hasSize(3);
        assertThat(headers.get(0)).containsExactly(MAX, 0);
        assertThat(headers.get(1)).containsExactly(MAX, 1);
        assertThat(headers.get(2)).containsExactly(0, 2);
        assertThat(next).isEqualTo(3);
    }

    @Test
    void sequenceIdWrapsInTheMiddleOfASplitPayload() {
        ByteBuf out = Unpooled.buffer(MAX + 16);
        int next = PacketEncoder.write(out, new byte[MAX + 5], 255);
        List<int[]> headers = headers(bytesOf(out));
        assertThat(headers.get(0)).containsExactly(MAX, 255);
        assertThat(headers.get(1)).containsExactly(5, 0);
        assertThat(next).isEqualTo(1);
    }

    @Test
    void framerReassemblesWhatTheEncoderSplits() {
        byte[] payload = new byte[MAX + 100];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i ^ (i >>> 9));
        }
        ByteBuf out = Unpooled.buffer(payload.length + 16);
        PacketEncoder.write(out, payload, 6);
        List<InboundPacket> packets = new ArrayList<>();
        new PacketFramer(32 << 20).feed(out, packets::add);
        assertThat(packets).hasSize(1);
        assertThat(Arrays.equals(packets.get(0).payload(), payload)).isTrue();
        assertThat(packets.get(0).sequenceId()).isEqualTo(6);
        assertThat(packets.get(0).lastSequenceId()).isEqualTo(7);
    }
}
