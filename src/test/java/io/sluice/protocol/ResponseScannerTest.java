package io.sluice.protocol;

import static io.sluice.protocol.ResponseScanner.Role.COLUMN_COUNT;
import static io.sluice.protocol.ResponseScanner.Role.COLUMN_DEFINITION;
import static io.sluice.protocol.ResponseScanner.Role.ERR;
import static io.sluice.protocol.ResponseScanner.Role.INFO;
import static io.sluice.protocol.ResponseScanner.Role.LOCAL_INFILE_REQUEST;
import static io.sluice.protocol.ResponseScanner.Role.OK;
import static io.sluice.protocol.ResponseScanner.Role.PARAMETER_DEFINITION;
import static io.sluice.protocol.ResponseScanner.Role.PREPARE_OK;
import static io.sluice.protocol.ResponseScanner.Role.RESULT_END;
import static io.sluice.protocol.ResponseScanner.Role.ROW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * Server responses as a connection with CLIENT_DEPRECATE_EOF receives them (page_protocol_com_query_response,
 * page_protocol_com_stmt_prepare, page_protocol_command_phase_sp...): no EOF packet after column definitions, and
 * every result set ends with an OK packet whose header is 0xfe.
 *
 * <p>Every payload is handed to the scanner inside a larger buffer whose bytes after the packet are junk, as a
 * connection's reused read buffer is: only {@code length} bytes belong to the packet.
 */
class ResponseScannerTest {

    // ---- packets used below (payloads, headers stripped) ----

    /** OK: 0 rows, id 0, AUTOCOMMIT, 0 warnings (the documentation's example). */
    static final String OK_PLAIN = "00 00 00 02 00 00 00";

    /** The 0xfe-headed OK ending a result set: 0 rows, id 0, status AUTOCOMMIT | SERVER_QUERY_NO_INDEX_USED (0x22), 0 warnings. */
    static final String END_22 = "fe 00 00 22 00 00 00";

    /** ERR 1096 HY000 "No tables used" (the documentation's example). */
    static final String ERR_DOC = ErrPacketTest.DOC_ERR;

    /** Column definition of `id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY in shop.t. */
    static final String DEF_ID = """
            03 64 65 66  04 73 68 6f 70  01 74  01 74  02 69 64  02 69 64
            0c  3f 00  0b 00 00 00  03  03 42  00  00 00
            """;
    // "def", schema "shop", table "t", org_table "t", name "id", org_name "id", 0x0c = length of the fixed fields,
    // charset 63 (binary), column length 11, type 0x03 LONG, flags 0x4203 (NOT_NULL|PRI_KEY|AUTO_INCREMENT|PART_KEY),
    // decimals 0, filler

    /** Column definition of `name` VARCHAR(64) in shop.t. */
    static final String DEF_NAME = """
            03 64 65 66  04 73 68 6f 70  01 74  01 74  04 6e 61 6d 65  04 6e 61 6d 65
            0c  ff 00  00 01 00 00  fd  00 00  00  00 00
            """;
    // ... name "name", charset 255 (utf8mb4_0900_ai_ci), column length 256, type 0xfd VAR_STRING, no flags

    // ---- helpers ----

    private static ResponseScanner.Role next(ResponseScanner scanner, String hex) {
        byte[] payload = Hex.bytes(hex);
        byte[] buffer = new byte[payload.length + 32];
        Arrays.fill(buffer, (byte) 0xee);
        System.arraycopy(payload, 0, buffer, 0, payload.length);
        return scanner.next(buffer, payload.length);
    }

    private static void assertNotComplete(ResponseScanner scanner) {
        assertThat(scanner.isComplete()).isFalse();
    }

    // ---- OK and ERR ----

    @Test
    void okCompletesTheResponse() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        assertThat(next(s, OK_PLAIN)).isEqualTo(OK);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.statusFlags()).isEqualTo(ServerStatus.SERVER_STATUS_AUTOCOMMIT);
        assertThat(s.warnings()).isZero();
        assertThat(s.lastOk()).isNotNull();
        assertThat(s.lastOk().affectedRows()).isZero();
        assertThat(s.metadataJustEnded()).isFalse();
        assertThat(s.command()).isEqualTo(CommandType.COM_QUERY);
    }

    @Test
    void okWithAffectedRowsAndWarnings() {
        // INSERT of 1000 rows: 00, fc e8 03 (1000), 07 (id 7), 03 00 (IN_TRANS|AUTOCOMMIT), 02 00 (2 warnings)
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        assertThat(next(s, "00 fc e8 03 07 03 00 02 00")).isEqualTo(OK);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.statusFlags()).isEqualTo(3);
        assertThat(s.warnings()).isEqualTo(2);
        assertThat(s.lastOk().affectedRows()).isEqualTo(1000);
        assertThat(s.lastOk().lastInsertId()).isEqualTo(7);
    }

    @Test
    void okWithSessionStateUnderSessionTrack() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_INIT_DB, true);
        assertThat(next(s, OkPacketTest.USE_TEST_WITH_SESSION_TRACK)).isEqualTo(OK);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.statusFlags()).isEqualTo(0x4002);
        assertThat(Hex.dump(s.lastOk().sessionStateInfo())).isEqualTo("01 05 04 74 65 73 74");
    }

    @Test
    void errCompletesTheResponse() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        assertThat(next(s, ERR_DOC)).isEqualTo(ERR);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void multiStatementOksAreLinkedByMoreResultsExists() {
        // INSERT ...; INSERT ...: the first OK carries SERVER_MORE_RESULTS_EXISTS (status 0x000a)
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        assertThat(next(s, "00 01 00 0a 00 00 00")).isEqualTo(OK);
        assertNotComplete(s);
        assertThat(s.statusFlags() & ServerStatus.SERVER_MORE_RESULTS_EXISTS).isNotZero();
        assertThat(next(s, "00 01 00 02 00 00 00")).isEqualTo(OK);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void okFollowedByAResultSetInAMultiStatement() {
        // UPDATE ...; SELECT id ...
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        assertThat(next(s, "00 01 00 0a 00 00 00")).isEqualTo(OK);
        assertThat(next(s, "01")).isEqualTo(COLUMN_COUNT);
        assertThat(next(s, DEF_ID)).isEqualTo(COLUMN_DEFINITION);
        assertThat(next(s, "01 31")).isEqualTo(ROW);
        assertThat(next(s, END_22)).isEqualTo(RESULT_END);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void errAfterAnEarlierStatementOfAMultiStatement() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        assertThat(next(s, "00 01 00 0a 00 00 00")).isEqualTo(OK);
        assertThat(next(s, ERR_DOC)).isEqualTo(ERR);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void setOptionAnswerIsAnOkShapedTerminator() {
        // COM_SET_OPTION is answered with my_eof(), which under CLIENT_DEPRECATE_EOF is the 7-byte 0xfe OK
        ResponseScanner s = new ResponseScanner(CommandType.COM_SET_OPTION, false);
        assertThat(next(s, "fe 00 00 02 00 00 00")).isEqualTo(OK);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.statusFlags()).isEqualTo(2);
    }

    // ---- text result sets ----

    @Test
    void textResultSetWithTwoColumnsAndThreeRows() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);

        assertThat(next(s, "02")).isEqualTo(COLUMN_COUNT);
        assertThat(s.metadataJustEnded()).isFalse();
        assertThat(s.rowsSeen()).isFalse();

        assertThat(next(s, DEF_ID)).isEqualTo(COLUMN_DEFINITION);
        assertThat(s.metadataJustEnded()).isFalse();
        assertThat(next(s, DEF_NAME)).isEqualTo(COLUMN_DEFINITION);
        assertThat(s.metadataJustEnded()).as("after the last column definition").isTrue();
        assertThat(s.rowsSeen()).isFalse();

        // "1" "alice"
        assertThat(next(s, "01 31 05 61 6c 69 63 65")).isEqualTo(ROW);
        assertThat(s.metadataJustEnded()).isFalse();
        assertThat(s.rowsSeen()).isTrue();
        // "2" "bob"
        assertThat(next(s, "01 32 03 62 6f 62")).isEqualTo(ROW);
        // "3" NULL: a value of 0xfb is NULL in a text row
        assertThat(next(s, "01 33 fb")).isEqualTo(ROW);
        assertNotComplete(s);

        assertThat(next(s, END_22)).isEqualTo(RESULT_END);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.rowsSeen()).isTrue();
        assertThat(s.statusFlags()).isEqualTo(0x22);
        assertThat(s.warnings()).isZero();
    }

    @Test
    void rowStartingWithNullIsARow() {
        // NULL in the first column: the row starts with 0xfb, which must not be taken for a LOCAL INFILE request
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        next(s, "01");
        next(s, DEF_NAME);
        assertThat(next(s, "fb")).isEqualTo(ROW);
        // an empty string in the first column: the row starts with 0x00, which must not be taken for an OK
        assertThat(next(s, "00")).isEqualTo(ROW);
        assertThat(next(s, END_22)).isEqualTo(RESULT_END);
    }

    @Test
    void emptyResultSet() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        assertThat(next(s, "01")).isEqualTo(COLUMN_COUNT);
        assertThat(next(s, DEF_ID)).isEqualTo(COLUMN_DEFINITION);
        assertThat(s.metadataJustEnded()).isTrue();
        assertThat(next(s, END_22)).isEqualTo(RESULT_END);
        assertThat(s.metadataJustEnded()).isFalse();
        assertThat(s.isComplete()).isTrue();
        assertThat(s.rowsSeen()).as("a terminator right after the metadata").isFalse();
    }

    @Test
    void errInTheMiddleOfTheRows() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        next(s, "02");
        next(s, DEF_ID);
        next(s, DEF_NAME);
        assertThat(next(s, "01 31 05 61 6c 69 63 65")).isEqualTo(ROW);
        // KILL QUERY: ff, 1317 = 0x0525, '#', "70100", "Query execution was interrupted"
        assertThat(next(s, """
                ff 25 05 23 37 30 31 30 30
                51 75 65 72 79 20 65 78 65 63 75 74 69 6f 6e 20 77 61 73 20 69 6e 74 65 72 72 75 70 74 65 64
                """)).isEqualTo(ERR);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.rowsSeen()).isTrue();
    }

    @Test
    void errAfterTheMetadataBeforeAnyRow() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        next(s, "01");
        next(s, DEF_ID);
        assertThat(next(s, ERR_DOC)).isEqualTo(ERR);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.rowsSeen()).isFalse();
    }

    @Test
    void rowStartingWith0xfeAtLeast0xffffffBytesLongIsARow() {
        // A text row whose first value is 16 MiB: fe + int<8> 0x1000000, then 16777216 bytes.
        // 1 + 8 + 16777216 = 16777225 bytes, which no terminator can be.
        int valueLength = 1 << 24;
        byte[] row = new byte[1 + 8 + valueLength];
        row[0] = (byte) 0xfe;
        row[4] = 0x01; // int<8> little-endian 0x0000000001000000
        Arrays.fill(row, 9, row.length, (byte) 'a');

        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        next(s, "01");
        next(s, DEF_NAME);
        assertThat(s.next(row, row.length)).isEqualTo(ROW);
        assertNotComplete(s);
        assertThat(s.rowsSeen()).isTrue();
        assertThat(next(s, END_22)).isEqualTo(RESULT_END);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void rowOfExactly0xffffffBytesStartingWith0xfeIsARow() {
        // The boundary itself: a logical packet of 0xffffff bytes can only be data.
        byte[] row = new byte[PacketFramer.MAX_PHYSICAL_PAYLOAD];
        row[0] = (byte) 0xfe;
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        next(s, "01");
        next(s, DEF_NAME);
        assertThat(s.next(row, row.length)).isEqualTo(ROW);
        assertNotComplete(s);
    }

    @Test
    void terminatorLongerThanNineBytesIsStillTheEnd() {
        // With session tracking the terminating OK may carry state and be longer than an EOF ever is:
        //   fe 00 00, status 0x4002 (AUTOCOMMIT|SESSION_STATE_CHANGED), 0 warnings, empty info,
        //   state 03 bytes: SESSION_TRACK_STATE_CHANGE (02), 01 byte of data, "1"
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, true);
        next(s, "01");
        next(s, DEF_ID);
        next(s, "01 31");
        assertThat(next(s, "fe 00 00 02 40 00 00 00 03 02 01 31")).isEqualTo(RESULT_END);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.statusFlags()).isEqualTo(0x4002);
        assertThat(s.lastOk()).isNotNull();
        assertThat(Hex.dump(s.lastOk().sessionStateInfo())).isEqualTo("02 01 31");
    }

    /**
     * Under CLIENT_DEPRECATE_EOF the packet that ends a result set is an OK_Packet with a 0xfe header
     * (page_protocol_basic_ok_packet, page_protocol_basic_eof_packet): fe, affected_rows, last_insert_id,
     * status_flags, warnings. SELECT 1/0 produces one warning (1365 Division by 0), so the server ends with
     * {@code fe 00 00 02 00 01 00}. libmysqlclient reads it with read_ok_ex() because the connection has
     * CLIENT_DEPRECATE_EOF (sql-common/client.cc, cli_read_rows), not with the EOF layout.
     */
    @Test
    void warningsOfAResultSetAreReadFromItsTerminatingOk() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        next(s, "01");
        next(s, DEF_NAME);
        next(s, "fb");
        assertThat(next(s, "fe 00 00 02 00 01 00")).isEqualTo(RESULT_END);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.statusFlags()).isEqualTo(ServerStatus.SERVER_STATUS_AUTOCOMMIT);
        assertThat(s.warnings()).as("warning count of fe 00 00 02 00 01 00").isEqualTo(1);
    }

    @Test
    void lastOkIsTheOkShapedTerminatorOfAResultSet() {
        // The same terminator, through lastOk(): "the last OK (or OK-shaped terminator) seen". Under
        // CLIENT_DEPRECATE_EOF a 7-byte 0xfe packet is such a terminator, not an EOF_Packet (which is 5 bytes).
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        next(s, "01");
        next(s, DEF_NAME);
        next(s, "fb");
        next(s, "fe 00 00 02 00 01 00");
        assertThat(s.lastOk()).isNotNull();
        assertThat(s.lastOk().header()).isEqualTo(OkPacket.EOF_HEADER);
        assertThat(s.lastOk().warnings()).isEqualTo(1);
    }

    // ---- multiple result sets ----

    /**
     * CALL multi() of page_protocol_command_phase_sp, as a CLIENT_DEPRECATE_EOF connection receives it: the
     * documented EOF after each column definition is not sent, and each documented result-set EOF
     * (fe 00 00 0a 00: status AUTOCOMMIT | SERVER_MORE_RESULTS_EXISTS) is a 0xfe OK with that status instead.
     */
    @Test
    void callReturningTwoResultSetsAndAnOk() {
        String def1 = "03 64 65 66 00 00 00 01 31 00 0c 3f 00 01 00 00 00 08 81 00 00 00 00";
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);

        assertThat(next(s, "01")).isEqualTo(COLUMN_COUNT);
        assertThat(next(s, def1)).isEqualTo(COLUMN_DEFINITION);
        assertThat(s.metadataJustEnded()).isTrue();
        assertThat(next(s, "01 31")).isEqualTo(ROW);
        assertThat(next(s, "fe 00 00 0a 00 00 00")).isEqualTo(RESULT_END);
        assertNotComplete(s);
        assertThat(s.statusFlags()).isEqualTo(0x0a);
        assertThat(s.rowsSeen()).isTrue();

        assertThat(next(s, "01")).isEqualTo(COLUMN_COUNT);
        assertThat(s.rowsSeen()).as("a new result set has no rows yet").isFalse();
        assertThat(next(s, def1)).isEqualTo(COLUMN_DEFINITION);
        assertThat(s.metadataJustEnded()).isTrue();
        assertThat(next(s, "01 31")).isEqualTo(ROW);
        assertThat(next(s, "fe 00 00 0a 00 00 00")).isEqualTo(RESULT_END);
        assertNotComplete(s);

        // the OK of the CALL itself: 1 affected row (the last INSERT), AUTOCOMMIT
        assertThat(next(s, "00 01 00 02 00 00 00")).isEqualTo(OK);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.lastOk().affectedRows()).isEqualTo(1);
        assertThat(s.statusFlags()).isEqualTo(2);
    }

    @Test
    void callWhoseLastResultSetIsAnEmptyOne() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        next(s, "01");
        next(s, DEF_ID);
        assertThat(next(s, "fe 00 00 0a 00 00 00")).isEqualTo(RESULT_END);
        assertThat(s.rowsSeen()).isFalse();
        assertNotComplete(s);
        assertThat(next(s, OK_PLAIN)).isEqualTo(OK);
        assertThat(s.isComplete()).isTrue();
    }

    // ---- prepared statements ----

    /** Definitions of the documented prepare of SELECT CONCAT(?, ?) AS col1 (page_protocol_com_stmt_prepare). */
    static final String DEF_PARAM = "03 64 65 66 00 00 00 01 3f 00 0c 3f 00 00 00 00 00 fd 80 00 00 00 00";
    static final String DEF_COL1 = "03 64 65 66 00 00 00 04 63 6f 6c 31 00 0c 3f 00 00 00 00 00 fd 80 00 1f 00 00";

    @Test
    void prepareWithParametersAndColumns() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_PREPARE, false);
        // 00, statement id 1, 1 column, 2 parameters, reserved 00, 0 warnings
        assertThat(next(s, "00 01 00 00 00 01 00 02 00 00 00 00")).isEqualTo(PREPARE_OK);
        assertNotComplete(s);
        assertThat(s.metadataJustEnded()).isFalse();

        assertThat(next(s, DEF_PARAM)).isEqualTo(PARAMETER_DEFINITION);
        assertThat(s.metadataJustEnded()).isFalse();
        assertThat(next(s, DEF_PARAM)).isEqualTo(PARAMETER_DEFINITION);
        assertThat(s.metadataJustEnded()).as("after the last parameter").isTrue();
        assertThat(s.inPrepareColumns()).isTrue();
        assertNotComplete(s);

        assertThat(next(s, DEF_COL1)).isEqualTo(COLUMN_DEFINITION);
        assertThat(s.metadataJustEnded()).as("after the last column").isTrue();
        assertThat(s.inPrepareColumns()).isFalse();
        assertThat(s.isComplete()).isTrue();
        assertThat(s.warnings()).isZero();
    }

    @Test
    void prepareWithParametersOnly() {
        // INSERT INTO t VALUES (?): statement 2, 0 columns, 1 parameter
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_PREPARE, false);
        assertThat(next(s, "00 02 00 00 00 00 00 01 00 00 00 00")).isEqualTo(PREPARE_OK);
        assertNotComplete(s);
        assertThat(next(s, DEF_PARAM)).isEqualTo(PARAMETER_DEFINITION);
        assertThat(s.metadataJustEnded()).isTrue();
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void prepareWithColumnsOnly() {
        // SELECT 'x' AS col1: statement 3, 1 column, 0 parameters
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_PREPARE, false);
        assertThat(next(s, "00 03 00 00 00 01 00 00 00 00 00 00")).isEqualTo(PREPARE_OK);
        assertThat(s.inPrepareColumns()).isTrue();
        assertNotComplete(s);
        assertThat(next(s, DEF_COL1)).isEqualTo(COLUMN_DEFINITION);
        assertThat(s.metadataJustEnded()).isTrue();
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void prepareWithNeitherParametersNorColumns() {
        // The documentation's DO 1: statement 1, no columns, no parameters; nothing follows
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_PREPARE, false);
        assertThat(next(s, "00 01 00 00 00 00 00 00 00 00 00 00")).isEqualTo(PREPARE_OK);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.metadataJustEnded()).isFalse();
    }

    @Test
    void prepareWithWarnings() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_PREPARE, false);
        // ... reserved 00, warning_count 01 00
        assertThat(next(s, "00 04 00 00 00 00 00 00 00 00 01 00")).isEqualTo(PREPARE_OK);
        assertThat(s.warnings()).isEqualTo(1);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void prepareFailing() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_PREPARE, false);
        assertThat(next(s, ERR_DOC)).isEqualTo(ERR);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void prepareAnsweredWithSomethingElseIsMalformed() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_PREPARE, false);
        assertThatThrownBy(() -> next(s, "01")).isInstanceOf(MalformedPacketException.class);
    }

    /** The documentation's binary result set: one VAR_STRING column col1, one row "foobar". */
    @Test
    void binaryResultSet() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_EXECUTE, false);
        assertThat(next(s, "01")).isEqualTo(COLUMN_COUNT);
        assertThat(next(s, "03 64 65 66 00 00 00 04 63 6f 6c 31 00 0c 08 00 06 00 00 00 fd 00 00 1f 00 00"))
                .isEqualTo(COLUMN_DEFINITION);
        assertThat(s.metadataJustEnded()).isTrue();
        // binary row: 00 header, 00 NULL bitmap, 06 "foobar"
        assertThat(next(s, "00 00 06 66 6f 6f 62 61 72")).isEqualTo(ROW);
        assertThat(next(s, "fe 00 00 02 00 00 00")).isEqualTo(RESULT_END);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void binaryResultWithACursor() {
        // COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY: the metadata, then at once the 0xfe OK with
        // SERVER_STATUS_CURSOR_EXISTS (0x40) | AUTOCOMMIT: no rows until COM_STMT_FETCH.
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_EXECUTE, false);
        assertThat(next(s, "01")).isEqualTo(COLUMN_COUNT);
        assertThat(next(s, DEF_ID)).isEqualTo(COLUMN_DEFINITION);
        assertThat(s.metadataJustEnded()).isTrue();
        assertThat(next(s, "fe 00 00 42 00 00 00")).isEqualTo(RESULT_END);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.rowsSeen()).isFalse();
        assertThat(s.statusFlags() & ServerStatus.SERVER_STATUS_CURSOR_EXISTS).isNotZero();
    }

    @Test
    void fetchFromACursor() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_FETCH, false);
        assertThat(s.rowsSeen()).as("a fetch continues a result set whose metadata was already sent").isTrue();
        // binary rows of one INT column: 00 header, 00 NULL bitmap, int<4>
        assertThat(next(s, "00 00 01 00 00 00")).isEqualTo(ROW);
        assertThat(next(s, "00 00 02 00 00 00")).isEqualTo(ROW);
        // CURSOR_EXISTS | LAST_ROW_SENT | AUTOCOMMIT = 0xc2
        assertThat(next(s, "fe 00 00 c2 00 00 00")).isEqualTo(RESULT_END);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.statusFlags()).isEqualTo(0xc2);
    }

    @Test
    void fetchEndsOnItsTerminatorEvenWithMoreResultsExists() {
        // A fetch answers one batch; SERVER_MORE_RESULTS_EXISTS does not announce another result set to it.
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_FETCH, false);
        next(s, "00 00 01 00 00 00");
        assertThat(next(s, "fe 00 00 4a 00 00 00")).isEqualTo(RESULT_END);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void fetchOfAnUnknownStatement() {
        // ER_UNKNOWN_STMT_HANDLER 1243 = 0x04db
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_FETCH, false);
        assertThat(next(s, """
                ff db 04 23 48 59 30 30 30
                55 6e 6b 6e 6f 77 6e 20 70 72 65 70 61 72 65 64 20 73 74 61 74 65 6d 65 6e 74 20 68 61 6e 64 6c 65 72
                20 28 37 29 20 67 69 76 65 6e 20 74 6f 20 6d 79 73 71 6c 64 5f 73 74 6d 74 5f 66 65 74 63 68
                """)).isEqualTo(ERR);
        assertThat(s.isComplete()).isTrue();
    }

    // ---- other commands ----

    @Test
    void fieldList() {
        // COM_FIELD_LIST: column definitions (each with a trailing default value, fb = NULL), then the terminator
        ResponseScanner s = new ResponseScanner(CommandType.COM_FIELD_LIST, false);
        assertThat(next(s, DEF_ID + " fb")).isEqualTo(COLUMN_DEFINITION);
        assertNotComplete(s);
        assertThat(next(s, DEF_NAME + " fb")).isEqualTo(COLUMN_DEFINITION);
        assertNotComplete(s);
        assertThat(next(s, "fe 00 00 02 00 00 00")).isEqualTo(RESULT_END);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.statusFlags()).isEqualTo(2);
    }

    @Test
    void fieldListOfAnUnknownTable() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_FIELD_LIST, false);
        assertThat(next(s, ERR_DOC)).isEqualTo(ERR);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void statistics() {
        // COM_STATISTICS is answered with a bare string<EOF>
        ResponseScanner s = new ResponseScanner(CommandType.COM_STATISTICS, false);
        assertThat(next(s, """
                55 70 74 69 6d 65 3a 20 33 20 20 54 68 72 65 61 64 73 3a 20 31 20 20
                51 75 65 73 74 69 6f 6e 73 3a 20 32
                """)).isEqualTo(INFO);
        assertThat(s.isComplete()).isTrue();
    }

    /**
     * COM_STATISTICS can also fail: dispatch_command() (sql/sql_parse.cc) answers every command but COM_QUERY,
     * COM_STMT_PREPARE/EXECUTE/CLOSE/SEND_LONG_DATA, COM_PING and COM_QUIT with ER_MUST_CHANGE_PASSWORD (1820)
     * while the account's password is expired, before the switch that would produce the statistics string.
     */
    @Test
    void statisticsAnsweredWithAnError() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_STATISTICS, false);
        // ff, 1820 = 0x071c, '#', "HY000", "You must reset your password using ALTER USER statement before executing this statement."
        assertThat(next(s, """
                ff 1c 07 23 48 59 30 30 30
                59 6f 75 20 6d 75 73 74 20 72 65 73 65 74 20 79 6f 75 72 20 70 61 73 73 77 6f 72 64 20 75 73 69
                6e 67 20 41 4c 54 45 52 20 55 53 45 52 20 73 74 61 74 65 6d 65 6e 74 20 62 65 66 6f 72 65 20 65
                78 65 63 75 74 69 6e 67 20 74 68 69 73 20 73 74 61 74 65 6d 65 6e 74 2e
                """)).isEqualTo(ERR);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void localInfileRequestThenOk() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        // fb + the file name the client is asked to send: "/etc/passwd"
        assertThat(next(s, "fb 2f 65 74 63 2f 70 61 73 73 77 64")).isEqualTo(LOCAL_INFILE_REQUEST);
        assertNotComplete(s);
        // (the client sends the file and an empty packet) then the server's OK: 3 rows loaded
        assertThat(next(s, "00 03 00 02 00 00 00")).isEqualTo(OK);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.lastOk().affectedRows()).isEqualTo(3);
    }

    @Test
    void localInfileRequestThenErr() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        assertThat(next(s, "fb 2f 65 74 63 2f 70 61 73 73 77 64")).isEqualTo(LOCAL_INFILE_REQUEST);
        assertThat(next(s, ERR_DOC)).isEqualTo(ERR);
        assertThat(s.isComplete()).isTrue();
    }

    // ---- misuse and garbage ----

    @Test
    void nextAfterCompletionIsRefused() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_PING, false);
        next(s, OK_PLAIN);
        assertThatThrownBy(() -> next(s, OK_PLAIN)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void emptyFirstPacketIsMalformed() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        assertThatThrownBy(() -> s.next(new byte[8], 0)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void truncatedOkIsMalformed() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_QUERY, false);
        assertThatThrownBy(() -> next(s, "00 00 00 02")).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void truncatedPrepareOkIsMalformed() {
        ResponseScanner s = new ResponseScanner(CommandType.COM_STMT_PREPARE, false);
        assertThatThrownBy(() -> next(s, "00 01 00 00 00 01")).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void commandsWithoutAResponse() {
        assertThat(ResponseScanner.expectsResponse(CommandType.COM_STMT_CLOSE)).isFalse();
        assertThat(ResponseScanner.expectsResponse(CommandType.COM_STMT_SEND_LONG_DATA)).isFalse();
        assertThat(ResponseScanner.expectsResponse(CommandType.COM_QUIT)).isFalse();
        assertThat(ResponseScanner.expectsResponse(CommandType.COM_QUERY)).isTrue();
        assertThat(ResponseScanner.expectsResponse(CommandType.COM_PING)).isTrue();
        assertThat(ResponseScanner.expectsResponse(CommandType.COM_STMT_EXECUTE)).isTrue();
        assertThat(ResponseScanner.expectsResponse(CommandType.COM_STMT_RESET)).isTrue();
        assertThat(ResponseScanner.expectsResponse(CommandType.COM_RESET_CONNECTION)).isTrue();
    }
}
