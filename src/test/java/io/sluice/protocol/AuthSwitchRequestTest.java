package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * Protocol::AuthSwitchRequest (page_protocol_connection_phase_packets_protocol_auth_switch_request):
 * int<1> 0xfe, string[NUL] plugin name, string[EOF] plugin provided data. MySQL's built-in plugins send their
 * 20-byte scramble followed by a NUL, and libmysqlclient's caching_sha2_password client refuses a scramble that
 * is not exactly 21 bytes ending in NUL.
 */
class AuthSwitchRequestTest {

    /**
     * The example of the MySQL Internals manual ("2c 00 00 02" header stripped):
     * <pre>
     * fe                                   status tag
     * 6d 79 73 ... 72 64 00                "mysql_native_password" NUL
     * 7a 51 67 34 69 36 6f 4e 79 36        scramble "zQg4i6oNy6=rHN/>-b)A"
     * 3d 72 48 4e 2f 3e 2d 62 29 41
     * 00                                   NUL after the scramble
     * </pre>
     */
    static final String DOC_AUTH_SWITCH = """
            fe 6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00
            7a 51 67 34 69 36 6f 4e 79 36 3d 72 48 4e 2f 3e 2d 62 29 41
            00
            """;

    @Test
    void encodesTheDocumentationExample() {
        byte[] scramble = "zQg4i6oNy6=rHN/>-b)A".getBytes(StandardCharsets.US_ASCII);
        byte[] encoded = new AuthSwitchRequest("mysql_native_password", scramble).encode();
        assertThat(Hex.dump(encoded)).isEqualTo(Hex.dump(Hex.bytes(DOC_AUTH_SWITCH)));
        // 0x2c = 44 bytes, as in the documented packet header
        assertThat(encoded).hasSize(0x2c);
    }

    @Test
    void encodesACachingSha2SwitchAsMySql8SendsIt() {
        // A MySQL 8 capture (finagle-mysql's AuthSwitchRequest test): 2c 00 00 02, then
        //   fe, "caching_sha2_password" NUL, 20 scramble bytes, NUL
        byte[] scramble = Hex.bytes("0f 71 2e 02 5b 17 57 63 6b 19 4e 47 6a 0e 5b 01 40 72 26 41");
        byte[] encoded = new AuthSwitchRequest("caching_sha2_password", scramble).encode();
        assertThat(Hex.dump(encoded)).isEqualTo(Hex.dump(Hex.bytes("""
                fe 63 61 63 68 69 6e 67 5f 73 68 61 32 5f 70 61 73 73 77 6f 72 64 00
                0f 71 2e 02 5b 17 57 63 6b 19 4e 47 6a 0e 5b 01 40 72 26 41
                00
                """)));
    }

    @Test
    void isNotMistakenForAnEofPacket() {
        byte[] encoded = new AuthSwitchRequest("mysql_native_password", new byte[20]).encode();
        assertThat(encoded[0] & 0xff).isEqualTo(AuthSwitchRequest.HEADER);
        assertThat(EofPacket.is(encoded, encoded.length)).isFalse();
    }
}
