package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Protocol::HandshakeResponse41 (page_protocol_connection_phase_packets_protocol_handshake_response):
 * <pre>
 * int<4>      client_flag
 * int<4>      max_packet_size
 * int<1>      character_set
 * string[23]  filler, all 0
 * string<NUL> username
 * if CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA: string<lenenc> auth_response
 * else:                                    int<1> length, string[length] auth_response
 * if CLIENT_CONNECT_WITH_DB:  string<NUL> database
 * if CLIENT_PLUGIN_AUTH:      string<NUL> client_plugin_name
 * if CLIENT_CONNECT_ATTRS:    int<lenenc> length of all key-values, then string<lenenc> key, string<lenenc> value...
 * </pre>
 * and Protocol::SSLRequest, the first 32 bytes of it alone with CLIENT_SSL set.
 */
class HandshakeResponseTest {

    /** The TLS page's plain response of a 5.5 client ("3a 00 00 01" stripped). */
    static final String DOC_RESPONSE_552 = """
            05 a6 03 00
            00 00 00 01
            08
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            72 6f 6f 74 00
            14 14 63 6b 70 99 8a b6 9e 96 87 a2 30 9a 40 67 2b 83 38 85 4b
            """;
    // 05 a6 03 00   0x0003a605: LONG_PASSWORD, LONG_FLAG, PROTOCOL_41, INTERACTIVE, TRANSACTIONS,
    //               SECURE_CONNECTION, MULTI_STATEMENTS, MULTI_RESULTS; no CONNECT_WITH_DB, no PLUGIN_AUTH
    // 00 00 00 01   max packet 16 MiB
    // 08            latin1_swedish_ci
    // "root" NUL
    // 14 + 20 bytes the mysql_native_password answer, with a one-byte length (CLIENT_SECURE_CONNECTION)

    /** The matching SSLRequest from the same page ("20 00 00 01" stripped): caps 0x0003ae05 = the above | CLIENT_SSL. */
    static final String DOC_SSL_REQUEST = """
            05 ae 03 00
            00 00 00 01
            08
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            """;

    /** The Internals manual's MySQL 5.5.8 example with CONNECT_WITH_DB and PLUGIN_AUTH ("54 00 00 01" stripped). */
    static final String DOC_RESPONSE_558 = """
            8d a6 0f 00
            00 00 00 01
            08
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            70 61 6d 00
            14 ab 09 ee f6 bc b1 32 3e 61 14 38 65 c0 99 1d 95 7d 75 d4 47
            74 65 73 74 00
            6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00
            """;
    // 8d a6 0f 00   0x000fa68d: ... | CONNECT_WITH_DB (0x08) | LOCAL_FILES (0x80) | PS_MULTI_RESULTS | PLUGIN_AUTH
    // "pam" NUL, 20-byte answer with a one-byte length, database "test" NUL, plugin "mysql_native_password" NUL

    /** The Internals manual's MySQL 5.6.6 example with connection attributes ("b2 00 00 01" stripped). */
    static final String DOC_RESPONSE_566 = """
            85 a2 1e 00
            00 00 00 40
            08
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            72 6f 6f 74 00
            14 22 50 79 a2 12 d4 e8 82 e5 b3 f4 1a 97 75 6b c8 be db 9f 80
            6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00
            61
            03 5f 6f 73  09 64 65 62 69 61 6e 36 2e 30
            0c 5f 63 6c 69 65 6e 74 5f 6e 61 6d 65  08 6c 69 62 6d 79 73 71 6c
            04 5f 70 69 64  05 32 32 33 34 34
            0f 5f 63 6c 69 65 6e 74 5f 76 65 72 73 69 6f 6e  08 35 2e 36 2e 36 2d 6d 39
            09 5f 70 6c 61 74 66 6f 72 6d  06 78 38 36 5f 36 34
            03 66 6f 6f  03 62 61 72
            """;
    // 85 a2 1e 00   0x001ea285: SECURE_CONNECTION, PLUGIN_AUTH, CONNECT_ATTRS, no CONNECT_WITH_DB
    // 00 00 00 40   max packet 1 GiB
    // 61            97 bytes of attributes: _os=debian6.0, _client_name=libmysql, _pid=22344,
    //               _client_version=5.6.6-m9, _platform=x86_64, foo=bar

    /**
     * A response built by hand the way a current driver (Connector/J 8, or the mysql 8 client) sends it:
     * <pre>
     * 0d a2 fe 01   client_flag 0x01fea20d:
     *                 LONG_PASSWORD 0x1 | LONG_FLAG 0x4 | CONNECT_WITH_DB 0x8 | PROTOCOL_41 0x200 | TRANSACTIONS 0x2000
     *               | SECURE_CONNECTION 0x8000 | MULTI_RESULTS 0x20000 | PS_MULTI_RESULTS 0x40000 | PLUGIN_AUTH 0x80000
     *               | CONNECT_ATTRS 0x100000 | PLUGIN_AUTH_LENENC_CLIENT_DATA 0x200000
     *               | CAN_HANDLE_EXPIRED_PASSWORDS 0x400000 | SESSION_TRACK 0x800000 | DEPRECATE_EOF 0x1000000
     * ff ff ff 00   max_packet_size 16777215
     * ff            character set 255, utf8mb4_0900_ai_ci
     * 23 x 00       filler
     * 61 70 70 00   "app" NUL
     * 20 + 32 bytes auth response as string<lenenc> (a caching_sha2_password answer is 32 bytes)
     * 73 68 6f 70 00                      database "shop" NUL
     * "caching_sha2_password" NUL
     * 29            41 bytes of attributes:
     *   0c "_client_name"   11 "MySQL Connector/J"
     *   04 "_pid"           04 "4242"
     * </pre>
     */
    static final String MODERN_RESPONSE = """
            0d a2 fe 01
            ff ff ff 00
            ff
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            61 70 70 00
            20 66 20 05 23 8f a1 8c f1 ab e8 38 8b 2b 0e 6b c4 f9 aa 93 3c dc cc 78 b2 d6 0f b8 96 1a 3d 39 eb
            73 68 6f 70 00
            63 61 63 68 69 6e 67 5f 73 68 61 32 5f 70 61 73 73 77 6f 72 64 00
            29
            0c 5f 63 6c 69 65 6e 74 5f 6e 61 6d 65
            11 4d 79 53 51 4c 20 43 6f 6e 6e 65 63 74 6f 72 2f 4a
            04 5f 70 69 64
            04 34 32 34 32
            """;

    private static final String MODERN_AUTH =
            "66 20 05 23 8f a1 8c f1 ab e8 38 8b 2b 0e 6b c4 f9 aa 93 3c dc cc 78 b2 d6 0f b8 96 1a 3d 39 eb";

    /** MODERN_RESPONSE up to (not including) the attributes. */
    private static final int MODERN_ATTRS_AT = 4 + 4 + 1 + 23 + 4 + 33 + 5 + 22;

    private static final int MODERN_CAPS = 0x01fea20d;

    private static Map<String, String> modernAttributes() {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("_client_name", "MySQL Connector/J");
        attrs.put("_pid", "4242");
        return attrs;
    }

    @Test
    void decodesAModernClientsResponse() {
        HandshakeResponse r = HandshakeResponse.decode(Hex.bytes(MODERN_RESPONSE));
        assertThat(r.capabilities()).isEqualTo(MODERN_CAPS);
        assertThat(r.has(CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)).isTrue();
        assertThat(r.has(CapabilityFlags.CLIENT_SSL)).isFalse();
        assertThat(r.maxPacketSize()).isEqualTo(16777215);
        assertThat(r.collationId()).isEqualTo(255);
        assertThat(r.username()).isEqualTo("app");
        assertThat(Hex.dump(r.authResponse())).isEqualTo(MODERN_AUTH);
        assertThat(r.database()).isEqualTo("shop");
        assertThat(r.authPluginName()).isEqualTo("caching_sha2_password");
        assertThat(r.attributes()).containsExactly(Map.entry("_client_name", "MySQL Connector/J"), Map.entry("_pid", "4242"));
    }

    @Test
    void encodesAModernClientsResponse() {
        HandshakeResponse r = new HandshakeResponse(MODERN_CAPS, 16777215, 255, "app", Hex.bytes(MODERN_AUTH), "shop",
                "caching_sha2_password", modernAttributes());
        assertThat(Hex.dump(r.encode())).isEqualTo(Hex.dump(Hex.bytes(MODERN_RESPONSE)));
    }

    @Test
    void trailingZstdLevelAfterTheAttributesIsIgnored() {
        // CLIENT_ZSTD_COMPRESSION_ALGORITHM (0x04000000) adds int<1> zstd_compression_level at the very end
        byte[] b = Hex.bytes(MODERN_RESPONSE + " 03");
        b[3] = 0x05;
        HandshakeResponse r = HandshakeResponse.decode(b);
        assertThat(r.has(CapabilityFlags.CLIENT_ZSTD_COMPRESSION_ALGORITHM)).isTrue();
        assertThat(r.attributes()).isEqualTo(modernAttributes());
    }

    @Test
    void decodesTheOneByteAuthLengthFormOfA55Client() {
        HandshakeResponse r = HandshakeResponse.decode(Hex.bytes(DOC_RESPONSE_552));
        assertThat(r.capabilities()).isEqualTo(0x0003a605);
        assertThat(r.has(CapabilityFlags.CLIENT_SECURE_CONNECTION)).isTrue();
        assertThat(r.has(CapabilityFlags.CLIENT_PLUGIN_AUTH)).isFalse();
        assertThat(r.maxPacketSize()).isEqualTo(16L << 20);
        assertThat(r.collationId()).isEqualTo(8);
        assertThat(r.username()).isEqualTo("root");
        assertThat(Hex.dump(r.authResponse())).isEqualTo("14 63 6b 70 99 8a b6 9e 96 87 a2 30 9a 40 67 2b 83 38 85 4b");
        assertThat(r.database()).isNull();
        assertThat(r.authPluginName()).isNull();
        assertThat(r.attributes()).isEmpty();
    }

    @Test
    void decodesDatabaseAndPluginOfA558Client() {
        HandshakeResponse r = HandshakeResponse.decode(Hex.bytes(DOC_RESPONSE_558));
        assertThat(r.capabilities()).isEqualTo(0x000fa68d);
        assertThat(r.username()).isEqualTo("pam");
        assertThat(r.authResponse()).hasSize(20);
        assertThat(r.database()).isEqualTo("test");
        assertThat(r.authPluginName()).isEqualTo("mysql_native_password");
        assertThat(r.attributes()).isEmpty();
    }

    @Test
    void decodesConnectionAttributesOfA566Client() {
        HandshakeResponse r = HandshakeResponse.decode(Hex.bytes(DOC_RESPONSE_566));
        assertThat(r.capabilities()).isEqualTo(0x001ea285);
        assertThat(r.maxPacketSize()).isEqualTo(1L << 30);
        assertThat(r.username()).isEqualTo("root");
        assertThat(Hex.dump(r.authResponse())).isEqualTo("22 50 79 a2 12 d4 e8 82 e5 b3 f4 1a 97 75 6b c8 be db 9f 80");
        assertThat(r.database()).isNull();
        assertThat(r.authPluginName()).isEqualTo("mysql_native_password");
        assertThat(r.attributes()).containsExactly(
                Map.entry("_os", "debian6.0"),
                Map.entry("_client_name", "libmysql"),
                Map.entry("_pid", "22344"),
                Map.entry("_client_version", "5.6.6-m9"),
                Map.entry("_platform", "x86_64"),
                Map.entry("foo", "bar"));
    }

    @Test
    void reEncodingTheDocumentationExamplesGivesTheSameBytes() {
        for (String doc : new String[] {DOC_RESPONSE_552, DOC_RESPONSE_558, DOC_RESPONSE_566, MODERN_RESPONSE}) {
            byte[] bytes = Hex.bytes(doc);
            assertThat(Hex.dump(HandshakeResponse.decode(bytes).encode())).isEqualTo(Hex.dump(bytes));
        }
    }

    @Test
    void emptyDatabaseNameMeansNoDatabase() {
        // CONNECT_WITH_DB set but the database is the empty string: a lone NUL
        byte[] full = Hex.bytes(MODERN_RESPONSE);
        int dbAt = 4 + 4 + 1 + 23 + 4 + 33;
        byte[] b = new byte[full.length - 4];
        System.arraycopy(full, 0, b, 0, dbAt);
        b[dbAt] = 0;
        System.arraycopy(full, dbAt + 5, b, dbAt + 1, full.length - dbAt - 5);
        HandshakeResponse r = HandshakeResponse.decode(b);
        assertThat(r.database()).isNull();
        assertThat(r.authPluginName()).isEqualTo("caching_sha2_password");
    }

    @Test
    void usernameIsUtf8() {
        byte[] full = Hex.bytes(DOC_RESPONSE_552);
        // "jürgen" = 6a c3 bc 72 67 65 6e in place of "root"
        byte[] b = Hex.bytes(
                Hex.dump(Arrays.copyOf(full, 32)),
                "6a c3 bc 72 67 65 6e 00",
                Hex.dump(Arrays.copyOfRange(full, 37, full.length)));
        assertThat(HandshakeResponse.decode(b).username()).isEqualTo("jürgen");
    }

    @Test
    void emptyPasswordIsAZeroLengthAuthResponse() {
        // one-byte length 00: the client has no password
        byte[] full = Hex.bytes(DOC_RESPONSE_552);
        byte[] b = Arrays.copyOf(full, 38);
        b[37] = 0;
        assertThat(HandshakeResponse.decode(b).authResponse()).isEmpty();
    }

    // ---- SSLRequest ----

    @Test
    void sslRequestFromTheDocumentation() {
        byte[] b = Hex.bytes(DOC_SSL_REQUEST);
        assertThat(b).hasSize(HandshakeResponse.SSL_REQUEST_LENGTH);
        assertThat(HandshakeResponse.isSslRequest(b)).isTrue();
    }

    @Test
    void sslRequestOfAModernClient() {
        byte[] b = Arrays.copyOf(Hex.bytes(MODERN_RESPONSE), 32);
        // 0d aa fe 01: the modern flags | CLIENT_SSL (0x0800)
        b[1] = (byte) 0xaa;
        assertThat(HandshakeResponse.isSslRequest(b)).isTrue();
    }

    @Test
    void notAnSslRequest() {
        // 32 bytes without CLIENT_SSL: 05 a6 03 00
        byte[] noSsl = Hex.bytes(DOC_SSL_REQUEST);
        noSsl[1] = (byte) 0xa6;
        assertThat(HandshakeResponse.isSslRequest(noSsl)).isFalse();
        // a full response, even with CLIENT_SSL set, is longer than 32 bytes
        assertThat(HandshakeResponse.isSslRequest(Hex.bytes(DOC_RESPONSE_552))).isFalse();
        byte[] fullWithSsl = Hex.bytes(MODERN_RESPONSE);
        fullWithSsl[1] = (byte) 0xaa;
        assertThat(HandshakeResponse.isSslRequest(fullWithSsl)).isFalse();
        // too short
        assertThat(HandshakeResponse.isSslRequest(Arrays.copyOf(Hex.bytes(DOC_SSL_REQUEST), 31))).isFalse();
        assertThat(HandshakeResponse.isSslRequest(new byte[0])).isFalse();
    }

    // ---- malformed responses ----

    @Test
    void responseWithoutProtocol41IsRefused() {
        // HandshakeResponse320 of a pre-4.1 client: 05 a4 ... (no 0x0200); Sluice speaks only 4.1
        byte[] b = Hex.bytes(DOC_RESPONSE_552);
        b[1] = (byte) 0xa4;
        assertThatThrownBy(() -> HandshakeResponse.decode(b)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void truncationsInsideAFieldAreMalformed() {
        byte[] full = Hex.bytes(MODERN_RESPONSE);
        int[] cuts = {
            0, 3,            // client_flag
            6,               // max_packet_size
            20, 31,          // filler
            34,              // username without its NUL
            37, 38, 60, 68,  // auth response: the lenenc length says 32, fewer follow
            72,              // database without its NUL
            80, 95,          // plugin name without its NUL
            MODERN_ATTRS_AT + 1, MODERN_ATTRS_AT + 20, full.length - 1 // attributes shorter than announced
        };
        for (int cut : cuts) {
            byte[] prefix = Arrays.copyOf(full, cut);
            assertThatThrownBy(() -> HandshakeResponse.decode(prefix))
                    .as("response cut to %d bytes", cut)
                    .isInstanceOf(MalformedPacketException.class);
        }
    }

    @Test
    void everyPrefixEitherDecodesOrIsMalformed() {
        for (String doc : new String[] {MODERN_RESPONSE, DOC_RESPONSE_552, DOC_RESPONSE_558, DOC_RESPONSE_566}) {
            byte[] full = Hex.bytes(doc);
            for (int cut = 0; cut <= full.length; cut++) {
                byte[] prefix = Arrays.copyOf(full, cut);
                try {
                    HandshakeResponse.decode(prefix);
                } catch (MalformedPacketException expected) {
                    // fine; ArrayIndexOutOfBounds, NegativeArraySize and the like would fail the test
                }
            }
        }
    }

    @Test
    void oneByteAuthLengthLongerThanThePacketIsMalformed() {
        // 14 announces 20 bytes, 3 follow
        byte[] b = Arrays.copyOf(Hex.bytes(DOC_RESPONSE_552), 32 + 5 + 1 + 3);
        assertThatThrownBy(() -> HandshakeResponse.decode(b)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void lenencAuthLengthThatLiesIsMalformed() {
        byte[] full = Hex.bytes(MODERN_RESPONSE);
        int authAt = 4 + 4 + 1 + 23 + 4;
        // fb is NULL, not a length
        byte[] nullLength = full.clone();
        nullLength[authAt] = (byte) 0xfb;
        assertThatThrownBy(() -> HandshakeResponse.decode(nullLength)).isInstanceOf(MalformedPacketException.class);
        // fe + int<8> = 2^64 - 1 bytes
        byte[] huge = Hex.bytes(Hex.dump(Arrays.copyOf(full, authAt)), "fe ff ff ff ff ff ff ff ff 00");
        assertThatThrownBy(() -> HandshakeResponse.decode(huge)).isInstanceOf(MalformedPacketException.class);
        // fc ff 00 = 255 bytes, far fewer follow
        byte[] tooLong = Hex.bytes(Hex.dump(Arrays.copyOf(full, authAt)), "fc ff 00 01 02 03");
        assertThatThrownBy(() -> HandshakeResponse.decode(tooLong)).isInstanceOf(MalformedPacketException.class);
    }

    private static byte[] modernWithAttributes(String attributes) {
        return Hex.bytes(Hex.dump(Arrays.copyOf(Hex.bytes(MODERN_RESPONSE), MODERN_ATTRS_AT)), attributes);
    }

    @Test
    void attributesLongerThanThePacketAreMalformed() {
        // 2a = 42 bytes announced, the same 41 follow
        byte[] b = modernWithAttributes("""
                2a
                0c 5f 63 6c 69 65 6e 74 5f 6e 61 6d 65
                11 4d 79 53 51 4c 20 43 6f 6e 6e 65 63 74 6f 72 2f 4a
                04 5f 70 69 64 04 34 32 34 32
                """);
        assertThatThrownBy(() -> HandshakeResponse.decode(b)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void attributesOverrunningTheirDeclaredLengthAreMalformed() {
        // 28 = 40 bytes announced, but the key-value pairs take 41: the last value ends past the block
        byte[] b = modernWithAttributes("""
                28
                0c 5f 63 6c 69 65 6e 74 5f 6e 61 6d 65
                11 4d 79 53 51 4c 20 43 6f 6e 6e 65 63 74 6f 72 2f 4a
                04 5f 70 69 64 04 34 32 34 32
                """);
        assertThatThrownBy(() -> HandshakeResponse.decode(b)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void attributeBlockThatEndsInsideAKeyIsMalformed() {
        // 05 = 5 bytes announced, the first key alone is 13
        byte[] b = modernWithAttributes("""
                05
                0c 5f 63 6c 69 65 6e 74 5f 6e 61 6d 65
                11 4d 79 53 51 4c 20 43 6f 6e 6e 65 63 74 6f 72 2f 4a
                """);
        assertThatThrownBy(() -> HandshakeResponse.decode(b)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void attributeValueLongerThanThePacketIsMalformed() {
        // block length 10 fits, but the value inside says 0x7f bytes
        byte[] b = modernWithAttributes("""
                0a
                04 5f 70 69 64
                7f 34 32 34 32
                """);
        assertThatThrownBy(() -> HandshakeResponse.decode(b)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void attributeKeyWithANullPrefixIsMalformed() {
        byte[] b = modernWithAttributes("02 fb 00");
        assertThatThrownBy(() -> HandshakeResponse.decode(b)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void emptyAttributeBlock() {
        HandshakeResponse r = HandshakeResponse.decode(modernWithAttributes("00"));
        assertThat(r.attributes()).isEmpty();
        assertThat(r.authPluginName()).isEqualTo("caching_sha2_password");
    }
}
