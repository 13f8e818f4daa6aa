package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * OK_Packet (page_protocol_basic_ok_packet), with CLIENT_PROTOCOL_41:
 * <pre>
 * int<1>       header          0x00, or 0xfe when it ends a result set under CLIENT_DEPRECATE_EOF
 * int<lenenc>  affected_rows
 * int<lenenc>  last_insert_id
 * int<2>       status_flags
 * int<2>       warnings
 * if CLIENT_SESSION_TRACK:  string<lenenc> info; if SERVER_SESSION_STATE_CHANGED: string<lenenc> session state info
 * else:                     string<EOF> info
 * </pre>
 */
class OkPacketTest {

    /** The example of the documentation, header stripped: 0 rows, last-insert-id 0, AUTOCOMMIT, 0 warnings. */
    static final String DOC_OK = "00 00 00 02 00 00 00";

    private static final String ROWS_MATCHED = "Rows matched: 1  Changed: 1  Warnings: 0";

    private static OkPacket decode(String hex, boolean sessionTrack) {
        byte[] b = Hex.bytes(hex);
        return OkPacket.decode(b, b.length, sessionTrack);
    }

    @Test
    void documentationExample() {
        for (boolean sessionTrack : new boolean[] {false, true}) {
            OkPacket ok = decode(DOC_OK, sessionTrack);
            assertThat(ok.header()).isEqualTo(OkPacket.HEADER);
            assertThat(ok.affectedRows()).isZero();
            assertThat(ok.lastInsertId()).isZero();
            assertThat(ok.statusFlags()).isEqualTo(ServerStatus.SERVER_STATUS_AUTOCOMMIT);
            assertThat(ok.warnings()).isZero();
            assertThat(ok.info()).isEmpty();
            assertThat(ok.sessionStateInfo()).isNull();
        }
    }

    @Test
    void documentationExampleWithItsPacketHeader() {
        // 07 00 00 02: 7 payload bytes, sequence id 2 (the server's answer to a handshake response, sequence id 1)
        byte[] wire = Hex.bytes("07 00 00 02 " + DOC_OK);
        OkPacket ok = OkPacket.decode(java.util.Arrays.copyOfRange(wire, 4, wire.length), 7, false);
        assertThat(ok.statusFlags()).isEqualTo(2);
    }

    @Test
    void lengthEncodedCountsAndWarnings() {
        // INSERT of 1000 rows, first id 7, one warning:
        //   00          header
        //   fc e8 03    affected_rows 1000 (0xfc + int<2>)
        //   07          last_insert_id 7
        //   22 00       status AUTOCOMMIT (0x02) | SERVER_QUERY_NO_INDEX_USED (0x20)
        //   01 00       warnings 1
        OkPacket ok = decode("00 fc e8 03 07 22 00 01 00", false);
        assertThat(ok.affectedRows()).isEqualTo(1000);
        assertThat(ok.lastInsertId()).isEqualTo(7);
        assertThat(ok.statusFlags()).isEqualTo(0x22);
        assertThat(ok.warnings()).isEqualTo(1);
    }

    @Test
    void infoWithoutSessionTrackRunsToTheEndOfThePacket() {
        // UPDATE answer: 00, 1 affected row, id 0, AUTOCOMMIT, 0 warnings, then the info as string<EOF>
        OkPacket ok = decode("""
                00 01 00 02 00 00 00
                52 6f 77 73 20 6d 61 74 63 68 65 64 3a 20 31 20 20 43 68 61 6e 67 65 64
                3a 20 31 20 20 57 61 72 6e 69 6e 67 73 3a 20 30
                """, false);
        assertThat(ok.affectedRows()).isEqualTo(1);
        assertThat(new String(ok.info(), StandardCharsets.UTF_8)).isEqualTo(ROWS_MATCHED);
        assertThat(ok.sessionStateInfo()).isNull();
    }

    @Test
    void infoWithSessionTrackIsLengthEncoded() {
        // the same answer to a CLIENT_SESSION_TRACK client: 0x28 = 40, the info's length, before it
        String hex = """
                00 01 00 02 00 00 00
                28
                52 6f 77 73 20 6d 61 74 63 68 65 64 3a 20 31 20 20 43 68 61 6e 67 65 64
                3a 20 31 20 20 57 61 72 6e 69 6e 67 73 3a 20 30
                """;
        OkPacket ok = decode(hex, true);
        assertThat(new String(ok.info(), StandardCharsets.UTF_8)).isEqualTo(ROWS_MATCHED);
        assertThat(ok.sessionStateInfo()).isNull();
        assertThat(Hex.dump(ok.encode(true))).isEqualTo(Hex.dump(Hex.bytes(hex)));
    }

    /**
     * USE test, answered to a client with CLIENT_SESSION_TRACK (session_track_schema is on by default):
     * <pre>
     * 00 00 00          header, affected_rows 0, last_insert_id 0
     * 02 40             status AUTOCOMMIT (0x0002) | SERVER_SESSION_STATE_CHANGED (0x4000)
     * 00 00             warnings 0
     * 00                info: empty string<lenenc>, present because state info follows
     * 07                session state info: 7 bytes
     *   01              SESSION_TRACK_SCHEMA
     *   05              its data, 5 bytes:
     *     04 74 65 73 74  the new schema as string<lenenc>: "test"
     * </pre>
     */
    static final String USE_TEST_WITH_SESSION_TRACK = "00 00 00 02 40 00 00 00 07 01 05 04 74 65 73 74";

    @Test
    void sessionStateInfoIsDecoded() {
        OkPacket ok = decode(USE_TEST_WITH_SESSION_TRACK, true);
        assertThat(ok.statusFlags()).isEqualTo(ServerStatus.SERVER_STATUS_AUTOCOMMIT | ServerStatus.SERVER_SESSION_STATE_CHANGED);
        assertThat(ok.info()).isEmpty();
        assertThat(Hex.dump(ok.sessionStateInfo())).isEqualTo("01 05 04 74 65 73 74");
    }

    @Test
    void sessionStateInfoIsReEncodedForASessionTrackingClient() {
        OkPacket ok = decode(USE_TEST_WITH_SESSION_TRACK, true);
        assertThat(Hex.dump(ok.encode(true))).isEqualTo(USE_TEST_WITH_SESSION_TRACK);
    }

    @Test
    void encodingForAClientWithoutSessionTrackDropsTheStateAndItsFlag() {
        OkPacket ok = decode(USE_TEST_WITH_SESSION_TRACK, true);
        // A client that did not negotiate CLIENT_SESSION_TRACK must not see SERVER_SESSION_STATE_CHANGED,
        // or it would look for session state that its layout (info as string<EOF>) cannot carry.
        assertThat(Hex.dump(ok.encode(false))).isEqualTo(DOC_OK);
    }

    /**
     * An UPDATE's OK for a client without CLIENT_SESSION_TRACK, as MySQL 8's net_send_ok and MariaDB write it: the
     * info length-encoded (0x28 = 40 bytes) even though the protocol documentation says string&lt;EOF&gt;. Connector/J
     * reads it length-encoded whatever was negotiated, so the documented layout breaks it.
     */
    @Test
    void encodingWithoutSessionTrackWritesInfoLengthEncodedAsServersDo() {
        OkPacket ok = new OkPacket(OkPacket.HEADER, 1, 0, 2, 0, ROWS_MATCHED.getBytes(StandardCharsets.US_ASCII), null);
        assertThat(Hex.dump(ok.encode(false))).isEqualTo(Hex.dump(Hex.bytes("""
                00 01 00 02 00 00 00
                28
                52 6f 77 73 20 6d 61 74 63 68 65 64 3a 20 31 20 20 43 68 61 6e 67 65 64
                3a 20 31 20 20 57 61 72 6e 69 6e 67 73 3a 20 30
                """)));
    }

    @Test
    void emptyInfoIsOmittedWithSessionTrackAsTheServerDoes() {
        // net_send_ok writes the info only if there is a message or the state changed: a plain OK stays 7 bytes.
        assertThat(Hex.dump(OkPacket.of(ServerStatus.SERVER_STATUS_AUTOCOMMIT).encode(true))).isEqualTo(DOC_OK);
        assertThat(Hex.dump(OkPacket.of(ServerStatus.SERVER_STATUS_AUTOCOMMIT).encode(false))).isEqualTo(DOC_OK);
    }

    @Test
    void ofBuildsAPlainOk() {
        OkPacket ok = OkPacket.of(ServerStatus.SERVER_STATUS_IN_TRANS);
        assertThat(ok.header()).isZero();
        assertThat(ok.affectedRows()).isZero();
        assertThat(ok.lastInsertId()).isZero();
        assertThat(ok.statusFlags()).isEqualTo(1);
        assertThat(ok.warnings()).isZero();
        assertThat(ok.info()).isEmpty();
        assertThat(ok.sessionStateInfo()).isNull();
    }

    @Test
    void largeCountsAreWrittenLengthEncoded() {
        OkPacket ok = new OkPacket(OkPacket.HEADER, 251, 16777216, 2, 3, new byte[0], null);
        // 251 -> fc fb 00; 16777216 -> fe + int<8>; status 02 00; warnings 03 00
        assertThat(Hex.dump(ok.encode(false))).isEqualTo("00 fc fb 00 fe 00 00 00 01 00 00 00 00 02 00 03 00");
    }

    /** The OK that ends a result set under CLIENT_DEPRECATE_EOF: header 0xfe, otherwise an ordinary OK. */
    @Test
    void eofHeaderForm() {
        OkPacket ok = decode("fe 00 00 02 00 00 00", true);
        assertThat(ok.header()).isEqualTo(OkPacket.EOF_HEADER);
        assertThat(ok.statusFlags()).isEqualTo(2);
        assertThat(Hex.dump(ok.encode(true))).isEqualTo("fe 00 00 02 00 00 00");
        assertThat(Hex.dump(ok.encode(false))).isEqualTo("fe 00 00 02 00 00 00");
    }

    @Test
    void eofHeaderFormCarriesWarnings() {
        // SELECT 1/0 under CLIENT_DEPRECATE_EOF ends with: fe, 0 rows, id 0, AUTOCOMMIT, 1 warning
        OkPacket ok = decode("fe 00 00 02 00 01 00", false);
        assertThat(ok.warnings()).isEqualTo(1);
        assertThat(ok.statusFlags()).isEqualTo(2);
    }

    @Test
    void stateChangedFlagWithoutStateBytesDecodesToNoState() {
        // flag set, but the packet ends after an empty info
        OkPacket ok = decode("00 00 00 02 40 00 00 00", true);
        assertThat(ok.statusFlags() & ServerStatus.SERVER_SESSION_STATE_CHANGED).isNotZero();
        assertThat(ok.sessionStateInfo()).isNull();
    }

    @Test
    void onlyTheGivenLengthIsRead() {
        // a reused connection buffer: bytes after the packet must not become info
        byte[] buffer = Hex.bytes(DOC_OK + " 41 42 43");
        OkPacket ok = OkPacket.decode(buffer, 7, false);
        assertThat(ok.info()).isEmpty();
    }

    @Test
    void truncatedOkPacketsAreMalformed() {
        // status flags cut short, warnings missing
        assertThatThrownBy(() -> decode("00 00 00 02", false)).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> decode("00 00 00 02 00 00", false)).isInstanceOf(MalformedPacketException.class);
        // affected_rows announces 0xfc + int<2> but the packet ends
        assertThatThrownBy(() -> decode("00 fc e8", false)).isInstanceOf(MalformedPacketException.class);
        // info says 0x28 bytes, 2 follow
        assertThatThrownBy(() -> decode("00 00 00 02 00 00 00 28 41 42", true)).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> decode("", false)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void withStatusKeepsEverythingElse() {
        OkPacket ok = decode(USE_TEST_WITH_SESSION_TRACK, true);
        OkPacket changed = ok.withStatus(ServerStatus.SERVER_STATUS_IN_TRANS);
        assertThat(changed.statusFlags()).isEqualTo(1);
        assertThat(changed.header()).isEqualTo(ok.header());
        assertThat(changed.affectedRows()).isEqualTo(ok.affectedRows());
        assertThat(changed.info()).isEqualTo(ok.info());
        assertThat(changed.sessionStateInfo()).isEqualTo(ok.sessionStateInfo());
    }
}
