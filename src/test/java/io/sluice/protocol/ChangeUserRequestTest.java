package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * COM_CHANGE_USER (page_protocol_com_change_user), as libmysqlclient's send_change_user_packet() builds it:
 * <pre>
 * int<1>      0x11
 * string<NUL> user
 * if CLIENT_SECURE_CONNECTION: int<1> auth_plugin_data_len, string[len] auth_plugin_data
 *                              (an empty answer is the single byte 00)
 * else:                        string<NUL> auth_plugin_data
 * string<NUL> database
 * int<2>      character_set
 * if CLIENT_PLUGIN_AUTH:   string<NUL> auth_plugin_name
 * if CLIENT_CONNECT_ATTRS: int<lenenc> length, then string<lenenc> key/value pairs
 * </pre>
 * Unlike the handshake response, the answer's length is one byte even with CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA.
 */
class ChangeUserRequestTest {

    private static final int CAPS = CapabilityFlags.CLIENT_PROTOCOL_41 | CapabilityFlags.CLIENT_SECURE_CONNECTION
            | CapabilityFlags.CLIENT_PLUGIN_AUTH | CapabilityFlags.CLIENT_CONNECT_ATTRS
            | CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA;

    /**
     * <pre>
     * 11                                   COM_CHANGE_USER
     * 72 6f 6f 74 00                       "root"
     * 14 + 20 bytes                        mysql_native_password answer (go-sql-driver's vector for "secret")
     * 74 65 73 74 00                       database "test"
     * 21 00                                character set 33, utf8mb3_general_ci
     * "mysql_native_password" NUL
     * 0a  04 5f 70 69 64  04 34 32 34 32   attributes, 10 bytes: _pid=4242
     * </pre>
     */
    static final String CHANGE_USER = """
            11
            72 6f 6f 74 00
            14 35 b1 8c 9f fb bd 7f 35 6d fc ac 32 d3 c0 f0 a4 1a 30 cf 2d
            74 65 73 74 00
            21 00
            6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00
            0a 04 5f 70 69 64 04 34 32 34 32
            """;

    @Test
    void decodesAFullRequest() {
        ChangeUserRequest r = ChangeUserRequest.decode(Hex.bytes(CHANGE_USER), CAPS);
        assertThat(r.username()).isEqualTo("root");
        assertThat(Hex.dump(r.authResponse())).isEqualTo("35 b1 8c 9f fb bd 7f 35 6d fc ac 32 d3 c0 f0 a4 1a 30 cf 2d");
        assertThat(r.database()).isEqualTo("test");
        assertThat(r.collationId()).isEqualTo(33);
        assertThat(r.authPluginName()).isEqualTo("mysql_native_password");
        assertThat(r.attributes()).containsExactly(Map.entry("_pid", "4242"));
    }

    @Test
    void emptyPasswordAndNoDatabase() {
        // 11, "app" NUL, 00 (no answer), NUL (no database), ff 00 (utf8mb4_0900_ai_ci), "caching_sha2_password" NUL
        byte[] b = Hex.bytes("""
                11 61 70 70 00
                00
                00
                ff 00
                63 61 63 68 69 6e 67 5f 73 68 61 32 5f 70 61 73 73 77 6f 72 64 00
                """);
        ChangeUserRequest r = ChangeUserRequest.decode(b, CAPS);
        assertThat(r.username()).isEqualTo("app");
        assertThat(r.authResponse()).isEmpty();
        assertThat(r.database()).isNull();
        assertThat(r.collationId()).isEqualTo(255);
        assertThat(r.authPluginName()).isEqualTo("caching_sha2_password");
        assertThat(r.attributes()).isEmpty();
    }

    @Test
    void answerLengthIsOneByteEvenWithLenencClientData() {
        // A caching_sha2_password answer of 32 bytes: 20 is a plain length here, not a lenenc prefix.
        byte[] b = Hex.bytes("""
                11 61 70 70 00
                20 66 20 05 23 8f a1 8c f1 ab e8 38 8b 2b 0e 6b c4 f9 aa 93 3c dc cc 78 b2 d6 0f b8 96 1a 3d 39 eb
                73 68 6f 70 00
                ff 00
                63 61 63 68 69 6e 67 5f 73 68 61 32 5f 70 61 73 73 77 6f 72 64 00
                """);
        ChangeUserRequest r = ChangeUserRequest.decode(b, CAPS);
        assertThat(r.authResponse()).hasSize(32);
        assertThat(r.database()).isEqualTo("shop");
    }

    @Test
    void withoutSecureConnectionTheAnswerIsNulTerminated() {
        // a pre-4.1 scramble: 8 bytes and a NUL
        byte[] b = Hex.bytes("""
                11 72 6f 6f 74 00
                41 42 43 44 45 46 47 48 00
                74 65 73 74 00
                08 00
                """);
        ChangeUserRequest r = ChangeUserRequest.decode(b, CapabilityFlags.CLIENT_PROTOCOL_41);
        assertThat(Hex.dump(r.authResponse())).isEqualTo("41 42 43 44 45 46 47 48");
        assertThat(r.database()).isEqualTo("test");
        assertThat(r.collationId()).isEqualTo(8);
        assertThat(r.authPluginName()).isNull();
    }

    @Test
    void fieldsOfCapabilitiesNotNegotiatedAreNotRead() {
        // Without CLIENT_PLUGIN_AUTH and CLIENT_CONNECT_ATTRS the plugin name and attributes are not part of the packet.
        int caps = CapabilityFlags.CLIENT_PROTOCOL_41 | CapabilityFlags.CLIENT_SECURE_CONNECTION;
        ChangeUserRequest r = ChangeUserRequest.decode(Hex.bytes(CHANGE_USER), caps);
        assertThat(r.database()).isEqualTo("test");
        assertThat(r.collationId()).isEqualTo(33);
        assertThat(r.authPluginName()).isNull();
        assertThat(r.attributes()).isEmpty();
    }

    @Test
    void requestEndingAfterTheDatabase() {
        byte[] full = Hex.bytes(CHANGE_USER);
        ChangeUserRequest r = ChangeUserRequest.decode(Arrays.copyOf(full, 1 + 5 + 21 + 5), CAPS);
        assertThat(r.database()).isEqualTo("test");
        assertThat(r.collationId()).isZero();
        assertThat(r.authPluginName()).isNull();
        assertThat(r.attributes()).isEmpty();
    }

    @Test
    void truncationsInsideAFieldAreMalformed() {
        byte[] full = Hex.bytes(CHANGE_USER);
        // inside the user name, inside the answer, inside the database name, inside the plugin name, inside the attributes
        for (int cut : new int[] {3, 7, 20, 30, 40, full.length - 3}) {
            byte[] prefix = Arrays.copyOf(full, cut);
            assertThatThrownBy(() -> ChangeUserRequest.decode(prefix, CAPS))
                    .as("cut to %d bytes", cut)
                    .isInstanceOf(MalformedPacketException.class);
        }
    }

    @Test
    void everyPrefixEitherDecodesOrIsMalformed() {
        byte[] full = Hex.bytes(CHANGE_USER);
        for (int cut = 1; cut <= full.length; cut++) {
            try {
                ChangeUserRequest.decode(Arrays.copyOf(full, cut), CAPS);
            } catch (MalformedPacketException expected) {
                // fine
            }
        }
    }

    @Test
    void attributeLengthThatLiesIsMalformed() {
        byte[] b = Hex.bytes(CHANGE_USER);
        // 0b = 11 bytes announced, 10 follow
        b[b.length - 11] = 0x0b;
        assertThatThrownBy(() -> ChangeUserRequest.decode(b, CAPS)).isInstanceOf(MalformedPacketException.class);
        // 09 = 9 bytes announced, the pair takes 10
        b[b.length - 11] = 0x09;
        assertThatThrownBy(() -> ChangeUserRequest.decode(b, CAPS)).isInstanceOf(MalformedPacketException.class);
    }
}
