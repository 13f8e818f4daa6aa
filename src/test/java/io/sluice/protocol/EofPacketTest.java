package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * EOF_Packet (page_protocol_basic_eof_packet): int<1> 0xfe, then with CLIENT_PROTOCOL_41 int<2> warnings and
 * int<2> status_flags (warnings first, the reverse of OK). "EOF: header = 0xfe and length of packet < 9";
 * a longer packet starting with 0xfe is something else (a row whose first value is 16 MiB or longer, or an
 * auth switch request).
 */
class EofPacketTest {

    /** The documentation's example ("05 00 00 05" header stripped): 0 warnings, AUTOCOMMIT. */
    static final String DOC_EOF = "fe 00 00 02 00";

    @Test
    void isRecognisesTheDocumentationExample() {
        byte[] b = Hex.bytes(DOC_EOF);
        assertThat(EofPacket.is(b, b.length)).isTrue();
    }

    @Test
    void isAcceptsEveryLengthBelowNine() {
        for (int length = 1; length < 9; length++) {
            byte[] b = new byte[length];
            b[0] = (byte) 0xfe;
            assertThat(EofPacket.is(b, length)).as("0xfe packet of %d bytes", length).isTrue();
        }
    }

    @Test
    void isRejectsLongerPacketsStartingWith0xfe() {
        // 9 bytes: fe + int<8>, the smallest thing that could be a length-encoded integer, not an EOF
        byte[] nine = Hex.bytes("fe 00 00 00 01 00 00 00 00");
        assertThat(EofPacket.is(nine, 9)).isFalse();
        // an AuthSwitchRequest: fe "mysql_native_password" 00 <scramble> 00
        byte[] authSwitch = Hex.bytes(AuthSwitchRequestTest.DOC_AUTH_SWITCH);
        assertThat(EofPacket.is(authSwitch, authSwitch.length)).isFalse();
    }

    @Test
    void isLooksOnlyAtTheGivenLength() {
        // a reused buffer that is longer than the packet in it
        byte[] buffer = new byte[64];
        buffer[0] = (byte) 0xfe;
        assertThat(EofPacket.is(buffer, 5)).isTrue();
        assertThat(EofPacket.is(buffer, 64)).isFalse();
        assertThat(EofPacket.is(buffer, 0)).isFalse();
    }

    @Test
    void isRejectsOtherHeaders() {
        assertThat(EofPacket.is(Hex.bytes(OkPacketTest.DOC_OK), 7)).isFalse();
        assertThat(EofPacket.is(Hex.bytes("ff 48 04"), 3)).isFalse();
    }

    @Test
    void decodesWarningsBeforeStatus() {
        byte[] doc = Hex.bytes(DOC_EOF);
        assertThat(EofPacket.decode(doc, doc.length)).isEqualTo(new EofPacket(0, 2));
        // fe, warnings 0x0003, status 0x000a (AUTOCOMMIT | SERVER_MORE_RESULTS_EXISTS)
        byte[] b = Hex.bytes("fe 03 00 0a 00");
        EofPacket eof = EofPacket.decode(b, b.length);
        assertThat(eof.warnings()).isEqualTo(3);
        assertThat(eof.statusFlags()).isEqualTo(0x0a);
    }

    @Test
    void preProtocol41EofIsOneByte() {
        assertThat(EofPacket.decode(Hex.bytes("fe"), 1)).isEqualTo(new EofPacket(0, 0));
    }

    @Test
    void encodesTheDocumentationExample() {
        assertThat(Hex.dump(new EofPacket(0, ServerStatus.SERVER_STATUS_AUTOCOMMIT).encode())).isEqualTo(DOC_EOF);
        assertThat(Hex.dump(new EofPacket(0x0102, 0x0304).encode())).isEqualTo("fe 02 01 04 03");
    }
}
