package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * Protocol::HandshakeV10 (page_protocol_connection_phase_packets_protocol_handshake_v10):
 * <pre>
 * int<1>      protocol version 10
 * string<NUL> server version
 * int<4>      connection id
 * string[8]   auth-plugin-data-part-1
 * int<1>      filler 0x00
 * int<2>      capability flags, lower 2 bytes
 * int<1>      character set
 * int<2>      status flags
 * int<2>      capability flags, upper 2 bytes
 * int<1>      auth_plugin_data_len (CLIENT_PLUGIN_AUTH) or 00
 * string[10]  reserved, all 0
 * $len        auth-plugin-data-part-2, $len = MAX(13, auth_plugin_data_len - 8)
 * string<NUL> auth plugin name (CLIENT_PLUGIN_AUTH)
 * </pre>
 */
class HandshakeV10Test {

    /**
     * The MySQL Internals manual's example of a server with CLIENT_PLUGIN_AUTH ("50 00 00 00" header stripped).
     */
    static final String DOC_HANDSHAKE_564 = """
            0a
            35 2e 36 2e 34 2d 6d 37 2d 6c 6f 67 00
            56 0a 00 00
            52 42 33 76 7a 26 47 72
            00
            ff ff
            08
            02 00
            0f c0
            15
            00 00 00 00 00 00 00 00 00 00
            2b 79 44 26 2f 5a 5a 33 30 35 5a 47 00
            6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00
            """;
    // 0a                    protocol version 10
    // "5.6.4-m7-log" NUL    server version
    // 56 0a 00 00           connection id 0x0a56 = 2646
    // "RB3vz&Gr"            first 8 scramble bytes
    // 00                    filler
    // ff ff                 capabilities, low 16 bits
    // 08                    latin1_swedish_ci
    // 02 00                 SERVER_STATUS_AUTOCOMMIT
    // 0f c0                 capabilities, high 16 bits: 0xc00fffff in all
    // 15                    21 bytes of auth plugin data (20 + the NUL)
    // 10 x 00               reserved
    // "+yD&/ZZ305ZG" NUL    the other 12 scramble bytes and a NUL: 13 bytes
    // "mysql_native_password" NUL

    private static final byte[] SCRAMBLE_564 = "RB3vz&Gr+yD&/ZZ305ZG".getBytes(StandardCharsets.US_ASCII);

    /**
     * A real handshake of MySQL 5.6.28 on Ubuntu, as a rogue-server script replays it ("5b 00 00 00" stripped):
     * version "5.6.28-0ubuntu0.14.04.1", connection id 0x2d, scramble "@?Y&K+4`" + "hiY_R_cU`dSR",
     * capabilities 0x807ff7ff (ff f7 low, 7f 80 high), latin1, AUTOCOMMIT, mysql_native_password.
     */
    static final String UBUNTU_HANDSHAKE_5628 = """
            0a 35 2e 36 2e 32 38 2d 30 75 62 75 6e 74 75 30 2e 31 34 2e 30 34 2e 31 00
            2d 00 00 00
            40 3f 59 26 4b 2b 34 60
            00
            ff f7 08 02 00 7f 80 15
            00 00 00 00 00 00 00 00 00 00
            68 69 59 5f 52 5f 63 55 60 64 53 52 00
            6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00
            """;

    /** The TLS page's example of a 5.5.2-m2 server, without CLIENT_PLUGIN_AUTH ("36 00 00 00" stripped). */
    static final String DOC_HANDSHAKE_552 = """
            0a 35 2e 35 2e 32 2d 6d 32 00
            52 00 00 00
            22 3d 4e 50 29 75 39 56
            00
            ff ff 08 02 00
            00 00
            00
            00 00 00 00 00 00 00 00 00 00
            29 64 40 52 5c 55 78 7a 7c 21 29 4b 00
            """;
    // capabilities high bytes 00 00: no CLIENT_PLUGIN_AUTH, so auth_plugin_data_len is 00 and no plugin name
    // follows; part 2 is still MAX(13, 0 - 8) = 13 bytes: ")d@R\Uxz|!)K" NUL

    @Test
    void encodesTheDocumentationExample() {
        HandshakeV10 h = new HandshakeV10("5.6.4-m7-log", 2646, SCRAMBLE_564, 0xc00fffff, 8,
                ServerStatus.SERVER_STATUS_AUTOCOMMIT, "mysql_native_password");
        byte[] encoded = h.encode();
        assertThat(Hex.dump(encoded)).isEqualTo(Hex.dump(Hex.bytes(DOC_HANDSHAKE_564)));
        assertThat(encoded).hasSize(0x50);
    }

    @Test
    void encodesARealServersHandshake() {
        HandshakeV10 h = new HandshakeV10("5.6.28-0ubuntu0.14.04.1", 0x2d,
                "@?Y&K+4`hiY_R_cU`dSR".getBytes(StandardCharsets.US_ASCII), 0x807ff7ff, 8, 2, "mysql_native_password");
        byte[] encoded = h.encode();
        assertThat(Hex.dump(encoded)).isEqualTo(Hex.dump(Hex.bytes(UBUNTU_HANDSHAKE_5628)));
        assertThat(encoded).hasSize(0x5b);
    }

    @Test
    void decodesTheDocumentationExample() {
        HandshakeV10 h = HandshakeV10.decode(Hex.bytes(DOC_HANDSHAKE_564));
        assertThat(h.serverVersion()).isEqualTo("5.6.4-m7-log");
        assertThat(h.connectionId()).isEqualTo(2646);
        assertThat(h.scramble()).isEqualTo(SCRAMBLE_564);
        assertThat(h.capabilities()).isEqualTo(0xc00fffff);
        assertThat(CapabilityFlags.has(h.capabilities(), CapabilityFlags.CLIENT_PLUGIN_AUTH)).isTrue();
        assertThat(CapabilityFlags.has(h.capabilities(), CapabilityFlags.CLIENT_SECURE_CONNECTION)).isTrue();
        assertThat(CapabilityFlags.has(h.capabilities(), CapabilityFlags.CLIENT_PROTOCOL_41)).isTrue();
        assertThat(h.collationId()).isEqualTo(8);
        assertThat(h.statusFlags()).isEqualTo(2);
        assertThat(h.authPluginName()).isEqualTo("mysql_native_password");
    }

    @Test
    void decodesAHandshakeWithoutPluginAuth() {
        HandshakeV10 h = HandshakeV10.decode(Hex.bytes(DOC_HANDSHAKE_552));
        assertThat(h.serverVersion()).isEqualTo("5.5.2-m2");
        assertThat(h.connectionId()).isEqualTo(0x52);
        assertThat(h.capabilities()).isEqualTo(0xffff);
        assertThat(h.collationId()).isEqualTo(8);
        assertThat(h.statusFlags()).isEqualTo(2);
        assertThat(Hex.dump(h.scramble())).isEqualTo("22 3d 4e 50 29 75 39 56 29 64 40 52 5c 55 78 7a 7c 21 29 4b");
        assertThat(h.authPluginName()).isEmpty();
    }

    @Test
    void decodesARealServersHandshake() {
        HandshakeV10 h = HandshakeV10.decode(Hex.bytes(UBUNTU_HANDSHAKE_5628));
        assertThat(h.serverVersion()).isEqualTo("5.6.28-0ubuntu0.14.04.1");
        assertThat(h.connectionId()).isEqualTo(45);
        assertThat(new String(h.scramble(), StandardCharsets.US_ASCII)).isEqualTo("@?Y&K+4`hiY_R_cU`dSR");
        assertThat(h.capabilities()).isEqualTo(0x807ff7ff);
        assertThat(h.authPluginName()).isEqualTo("mysql_native_password");
    }

    @Test
    void roundTripOfWhatSluiceOffers() {
        byte[] scramble = "abcdefghijklmnopqrst".getBytes(StandardCharsets.US_ASCII);
        int caps = CapabilityFlags.CLIENT_LONG_PASSWORD | CapabilityFlags.CLIENT_PROTOCOL_41
                | CapabilityFlags.CLIENT_SECURE_CONNECTION | CapabilityFlags.CLIENT_PLUGIN_AUTH
                | CapabilityFlags.CLIENT_DEPRECATE_EOF | CapabilityFlags.CLIENT_QUERY_ATTRIBUTES;
        HandshakeV10 h = new HandshakeV10("8.0.36-sluice", 0xfedcba98L, scramble, caps, 255,
                ServerStatus.SERVER_STATUS_AUTOCOMMIT, "caching_sha2_password");
        HandshakeV10 back = HandshakeV10.decode(h.encode());
        assertThat(back.serverVersion()).isEqualTo("8.0.36-sluice");
        // int<4> connection ids above 2^31 stay positive
        assertThat(back.connectionId()).isEqualTo(0xfedcba98L);
        assertThat(back.scramble()).isEqualTo(scramble);
        assertThat(back.capabilities()).isEqualTo(caps);
        assertThat(back.collationId()).isEqualTo(255);
        assertThat(back.statusFlags()).isEqualTo(2);
        assertThat(back.authPluginName()).isEqualTo("caching_sha2_password");
    }

    @Test
    void encodeRefusesAScrambleThatIsNot20Bytes() {
        assertThatThrownBy(() -> new HandshakeV10("8.0", 1, new byte[8], 0, 8, 2, "mysql_native_password").encode())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HandshakeV10("8.0", 1, new byte[21], 0, 8, 2, "mysql_native_password").encode())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherProtocolVersionsAreRefused() {
        // Protocol::HandshakeV9 starts with 09
        byte[] v9 = Hex.bytes(DOC_HANDSHAKE_564);
        v9[0] = 9;
        assertThatThrownBy(() -> HandshakeV10.decode(v9)).isInstanceOf(MalformedPacketException.class);
        // an ERR packet instead of a handshake (e.g. "Too many connections") is not a handshake either
        assertThatThrownBy(() -> HandshakeV10.decode(Hex.bytes(ErrPacketTest.DOC_ERR)))
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void truncatedHandshakesAreMalformed() {
        byte[] full = Hex.bytes(DOC_HANDSHAKE_564);
        // cut inside: the version string, the connection id, scramble part 1, the capabilities, the reserved bytes,
        // and the plugin name (which then has no NUL)
        for (int cut : new int[] {0, 5, 15, 20, 28, 32, 40, full.length - 1}) {
            byte[] prefix = Arrays.copyOf(full, cut);
            assertThatThrownBy(() -> HandshakeV10.decode(prefix))
                    .as("handshake cut to %d bytes", cut)
                    .isInstanceOf(MalformedPacketException.class);
        }
    }

    @Test
    void everyPrefixEitherDecodesOrIsMalformed() {
        byte[] full = Hex.bytes(DOC_HANDSHAKE_564);
        for (int cut = 0; cut <= full.length; cut++) {
            byte[] prefix = Arrays.copyOf(full, cut);
            try {
                HandshakeV10.decode(prefix);
            } catch (MalformedPacketException expected) {
                // fine: any other exception type would fail the test
            }
        }
    }

    /**
     * A MySQL 8.4 server's greeting offering CLIENT_QUERY_ATTRIBUTES: capabilities 0xdfffffff (ff ff low,
     * ff df high), utf8mb4_0900_ai_ci, caching_sha2_password.
     */
    static final String MYSQL_84_HANDSHAKE = """
            0a 38 2e 34 2e 33 00
            08 00 00 00
            3b 22 06 7a 59 2c 47 0f
            00
            ff ff ff 02 00 ff df 15
            00 00 00 00 00 00 00 00 00 00
            2e 13 6b 4d 2f 13 3c 1c 29 76 58 7c 00
            63 61 63 68 69 6e 67 5f 73 68 61 32 5f 70 61 73 73 77 6f 72 64 00
            """;

    @Test
    void shapingClearsOnlyTheNamedCapabilityBits() {
        byte[] greeting = Hex.bytes(MYSQL_84_HANDSHAKE);
        byte[] shaped = HandshakeV10.withoutCapabilities(greeting, CapabilityFlags.CLIENT_QUERY_ATTRIBUTES);
        // bit 27 is bit 3 of the second high byte: df becomes d7, nothing else moves
        assertThat(Hex.dump(shaped)).isEqualTo(Hex.dump(Hex.bytes(MYSQL_84_HANDSHAKE.replace("ff df 15", "ff d7 15"))));
        assertThat(HandshakeV10.decode(shaped).capabilities()).isEqualTo(0xd7ffffff);
        assertThat(greeting).as("the server's bytes are not changed in place").isEqualTo(Hex.bytes(MYSQL_84_HANDSHAKE));
    }

    @Test
    void shapingReachesTheLowCapabilityBytesToo() {
        byte[] shaped = HandshakeV10.withoutCapabilities(Hex.bytes(DOC_HANDSHAKE_564),
                CapabilityFlags.CLIENT_FOUND_ROWS | CapabilityFlags.CLIENT_DEPRECATE_EOF);
        assertThat(HandshakeV10.decode(shaped).capabilities()).isEqualTo(0xc00fffff & ~CapabilityFlags.CLIENT_FOUND_ROWS);
        assertThat(Hex.dump(shaped)).isEqualTo(Hex.dump(Hex.bytes(DOC_HANDSHAKE_564.replace("ff ff\n08", "fd ff\n08"))));
    }

    @Test
    void shapingLeavesAnythingButAWholeHandshakeAlone() {
        byte[] err = Hex.bytes(ErrPacketTest.DOC_ERR);
        assertThat(HandshakeV10.withoutCapabilities(err, -1)).isSameAs(err);
        byte[] full = Hex.bytes(DOC_HANDSHAKE_564);
        for (int cut = 0; cut < 32; cut++) {
            byte[] prefix = Arrays.copyOf(full, cut);
            assertThat(HandshakeV10.withoutCapabilities(prefix, -1)).as("cut to %d", cut).isSameAs(prefix);
        }
        assertThat(HandshakeV10.withoutCapabilities(new byte[0], -1)).isEmpty();
    }
}
