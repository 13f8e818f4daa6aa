package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * ERR_Packet (page_protocol_basic_err_packet): int<1> 0xff, int<2> error_code, and with CLIENT_PROTOCOL_41
 * string[1] '#' and string[5] sql_state, then string<EOF> error_message.
 */
class ErrPacketTest {

    /**
     * The example of the documentation ("17 00 00 01" header stripped):
     * <pre>
     * ff              header
     * 48 04           error code 0x0448 = 1096 (ER_NO_TABLES_USED)
     * 23              '#'
     * 48 59 30 30 30  "HY000"
     * 4e 6f ...       "No tables used"
     * </pre>
     */
    static final String DOC_ERR = "ff 48 04 23 48 59 30 30 30 4e 6f 20 74 61 62 6c 65 73 20 75 73 65 64";

    @Test
    void decodesTheDocumentationExample() {
        byte[] b = Hex.bytes(DOC_ERR);
        ErrPacket err = ErrPacket.decode(b, b.length);
        assertThat(err.code()).isEqualTo(1096);
        assertThat(err.sqlState()).isEqualTo("HY000");
        assertThat(err.message()).isEqualTo("No tables used");
    }

    @Test
    void encodesTheDocumentationExample() {
        assertThat(Hex.dump(new ErrPacket(1096, "HY000", "No tables used").encode())).isEqualTo(DOC_ERR);
    }

    @Test
    void encodesAnErrorSluiceSends() {
        // ER_CON_COUNT_ERROR 1040 = 0x0410, SQLSTATE 08004, "Too many connections"
        assertThat(Hex.dump(new ErrPacket(ErrorCode.ER_CON_COUNT_ERROR, "08004", "Too many connections").encode()))
                .isEqualTo("ff 10 04 23 30 38 30 30 34 54 6f 6f 20 6d 61 6e 79 20 63 6f 6e 6e 65 63 74 69 6f 6e 73");
    }

    @Test
    void messageIsUtf8() {
        ErrPacket err = new ErrPacket(1146, "42S02", "Table 'shop.café' doesn't exist");
        byte[] b = err.encode();
        assertThat(ErrPacket.decode(b, b.length)).isEqualTo(err);
    }

    @Test
    void errWithoutSqlStateGetsHY000() {
        // Before capabilities are negotiated the server sends no SQL state, e.g.
        //   ff 6a 04   ER_HOST_NOT_PRIVILEGED 1130
        //   48 6f ...  "Host 'x' is not allowed to connect to this MySQL server"
        byte[] b = Hex.bytes("""
                ff 6a 04
                48 6f 73 74 20 27 78 27 20 69 73 20 6e 6f 74 20 61 6c 6c 6f 77 65 64 20 74 6f 20 63 6f 6e 6e 65
                63 74 20 74 6f 20 74 68 69 73 20 4d 79 53 51 4c 20 73 65 72 76 65 72
                """);
        ErrPacket err = ErrPacket.decode(b, b.length);
        assertThat(err.code()).isEqualTo(1130);
        assertThat(err.sqlState()).isEqualTo("HY000");
        assertThat(err.message()).isEqualTo("Host 'x' is not allowed to connect to this MySQL server");
    }

    @Test
    void emptyMessage() {
        byte[] b = Hex.bytes("ff 48 04 23 48 59 30 30 30");
        ErrPacket err = ErrPacket.decode(b, b.length);
        assertThat(err.message()).isEmpty();
        assertThat(err.sqlState()).isEqualTo("HY000");
    }

    @Test
    void onlyTheGivenLengthIsRead() {
        byte[] buffer = Hex.bytes(DOC_ERR + " 21 21");
        ErrPacket err = ErrPacket.decode(buffer, buffer.length - 2);
        assertThat(err.message()).isEqualTo("No tables used");
    }

    @Test
    void truncatedErrPacketsAreMalformed() {
        // no room for the error code
        assertThatThrownBy(() -> ErrPacket.decode(Hex.bytes("ff 48"), 2)).isInstanceOf(MalformedPacketException.class);
        // '#' announces five SQL-state characters, three follow
        assertThatThrownBy(() -> ErrPacket.decode(Hex.bytes("ff 48 04 23 48 59 30"), 7)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void isLooksAtTheHeaderByte() {
        assertThat(ErrPacket.is(Hex.bytes(DOC_ERR))).isTrue();
        assertThat(ErrPacket.is(Hex.bytes(OkPacketTest.DOC_OK))).isFalse();
        assertThat(ErrPacket.is(Hex.bytes("fe 00 00 02 00"))).isFalse();
        assertThat(ErrPacket.is(new byte[0])).isFalse();
    }
}
