package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InboundPacketTest {

    @Test
    void commandIsTheFirstPayloadByteUnsigned() {
        assertThat(new InboundPacket(Hex.bytes("03 73 65 6c"), 0, 0).command()).isEqualTo(CommandType.COM_QUERY);
        assertThat(new InboundPacket(Hex.bytes("ff"), 0, 0).command()).isEqualTo(0xff);
        assertThat(new InboundPacket(new byte[0], 0, 0).command()).isEqualTo(-1);
    }

    @Test
    void lengthIsThePayloadLength() {
        assertThat(new InboundPacket(new byte[33], 0, 0).length()).isEqualTo(33);
        assertThat(new InboundPacket(new byte[0], 0, 0).length()).isZero();
    }

    @Test
    void answerContinuesFromTheLastPhysicalPacket() {
        // a command in one packet, sequence id 0: the answer starts at 1
        assertThat(new InboundPacket(new byte[1], 0, 0).nextSequenceId()).isEqualTo(1);
        // a command in two packets, 0 and 1: the answer starts at 2
        assertThat(new InboundPacket(new byte[1], 0, 1).nextSequenceId()).isEqualTo(2);
        // sequence ids are one byte and wrap
        assertThat(new InboundPacket(new byte[1], 254, 255).nextSequenceId()).isZero();
    }
}
