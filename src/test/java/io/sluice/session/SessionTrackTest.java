package io.sluice.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.protocol.Hex;
import io.sluice.protocol.MalformedPacketException;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The session-state info of an OK packet (CLIENT_SESSION_TRACK): a run of entries, each
 * <pre>
 * int<1>          type     0 SYSTEM_VARIABLES, 1 SCHEMA, 2 STATE_CHANGE, 3 GTIDS, 4 TRANSACTION_CHARACTERISTICS, 5 TRANSACTION_STATE
 * string<lenenc>  data     per type:
 *                            0: string<lenenc> name, string<lenenc> value
 *                            1: string<lenenc> schema
 *                            2: "1" (MariaDB: the bare byte; MySQL: a length-encoded "1")
 *                            4: string<lenenc> SQL recreating the characteristics, or nothing
 *                            5: eight flag characters, e.g. "T_______"
 * </pre>
 * Unless said otherwise, the golden bytes were captured from MariaDB 10.11.19 with
 * session_track_system_variables='*', session_track_schema=ON, session_track_state_change=ON and
 * session_track_transaction_info=CHARACTERISTICS.
 */
class SessionTrackTest {

    // ---- golden captures --------------------------------------------------------------------------------

    /** SET time_zone='+03:00', sql_mode='ANSI': two variables, then the state-change flag. */
    @Test
    void setOfTwoVariablesReportsBothAndAStateChange() {
        byte[] info = Hex.bytes(
                "00",                                           // type SYSTEM_VARIABLES
                "11",                                           // data: 17 bytes
                "09 74 69 6d 65 5f 7a 6f 6e 65",                //   name  "time_zone"
                "06 2b 30 33 3a 30 30",                         //   value "+03:00"
                "00",                                           // type SYSTEM_VARIABLES
                "45",                                           // data: 69 bytes
                "08 73 71 6c 5f 6d 6f 64 65",                   //   name  "sql_mode"
                "3b",                                           //   value, 59 bytes: the server expands ANSI
                "52 45 41 4c 5f 41 53 5f 46 4c 4f 41 54 2c",    //     "REAL_AS_FLOAT,"
                "50 49 50 45 53 5f 41 53 5f 43 4f 4e 43 41 54 2c", //  "PIPES_AS_CONCAT,"
                "41 4e 53 49 5f 51 55 4f 54 45 53 2c",          //     "ANSI_QUOTES,"
                "49 47 4e 4f 52 45 5f 53 50 41 43 45 2c",       //     "IGNORE_SPACE,"
                "41 4e 53 49",                                  //     "ANSI"
                "02",                                           // type STATE_CHANGE
                "01 31");                                       // data: 1 byte, "1" (MariaDB's bare flag)

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.variables()).containsExactly(
                Map.entry("time_zone", "+03:00"),
                Map.entry("sql_mode", "REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ANSI"));
        assertThat(track.schema()).isNull();
        assertThat(track.stateChanged()).isTrue();
        assertThat(track.transactionCharacteristics()).isNull();
        // The state change is explained by the variables: nothing Sluice cannot carry over.
        assertThat(track.untrackedChange()).isFalse();
    }

    /** SET @a=1: MariaDB reports only the bare flag; the user variable itself is never named. */
    @Test
    void userVariableIsABareStateChangeFromMariaDb() {
        byte[] info = Hex.bytes(
                "02",       // type STATE_CHANGE
                "01 31");   // data: 1 byte, "1" -- MariaDB does not length-encode the flag

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.stateChanged()).isTrue();
        assertThat(track.variables()).isEmpty();
        assertThat(track.schema()).isNull();
        assertThat(track.untrackedChange()).isTrue();
    }

    /** MySQL writes the flag as a length-encoded "1" inside the data: either form means a change. */
    @Test
    void userVariableIsALengthEncodedStateChangeFromMySql() {
        byte[] info = Hex.bytes(
                "02",          // type STATE_CHANGE
                "02",          // data: 2 bytes
                "01 31");      //   lenenc "1"

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.stateChanged()).isTrue();
        assertThat(track.untrackedChange()).isTrue();
    }

    /** USE mysql: the schema plus a state change; a schema change is tracked state, not an untracked one. */
    @Test
    void useReportsTheSchema() {
        byte[] info = Hex.bytes(
                "01",                       // type SCHEMA
                "06",                       // data: 6 bytes
                "05 6d 79 73 71 6c",        //   lenenc "mysql"
                "02 01 31");                // STATE_CHANGE, "1"

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.schema()).isEqualTo("mysql");
        assertThat(track.variables()).isEmpty();
        assertThat(track.stateChanged()).isTrue();
        assertThat(track.untrackedChange()).isFalse();
    }

    /** DROP DATABASE of the current schema: the server reports an empty schema name, without a state-change flag. */
    @Test
    void droppedSchemaIsReportedAsEmpty() {
        byte[] info = Hex.bytes(
                "01",       // type SCHEMA
                "01",       // data: 1 byte
                "00");      //   lenenc "" (no schema any more)

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.schema()).isEmpty();
        assertThat(track.stateChanged()).isFalse();
        assertThat(track.untrackedChange()).isFalse();
    }

    /** SET TRANSACTION READ ONLY: characteristics pending for the next transaction, as SQL. */
    @Test
    void transactionCharacteristicsAreTheSqlThatRecreatesThem() {
        byte[] info = Hex.bytes(
                "04",                                   // type TRANSACTION_CHARACTERISTICS
                "1b",                                   // data: 27 bytes
                "1a",                                   //   lenenc string of 26 bytes:
                "53 45 54 20 54 52 41 4e 53 41 43 54 49 4f 4e 20", // "SET TRANSACTION "
                "52 45 41 44 20 4f 4e 4c 59 3b");       //   "READ ONLY;"

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.transactionCharacteristics()).isEqualTo("SET TRANSACTION READ ONLY;");
        assertThat(track.stateChanged()).isFalse();
        assertThat(track.variables()).isEmpty();
        assertThat(track.untrackedChange()).isFalse();
    }

    /** COMMIT: the transaction state (ignored) and characteristics cleared: "" and not null, so Sluice forgets them. */
    @Test
    void commitClearsCharacteristicsAndTransactionStateIsIgnored() {
        byte[] info = Hex.bytes(
                "05",                           // type TRANSACTION_STATE
                "09",                           // data: 9 bytes
                "08 5f 5f 5f 5f 5f 5f 5f 5f",   //   "________": no transaction
                "04",                           // type TRANSACTION_CHARACTERISTICS
                "01",                           // data: 1 byte
                "00");                          //   lenenc "": none pending

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.transactionCharacteristics()).isEmpty();
        assertThat(track.variables()).isEmpty();
        assertThat(track.schema()).isNull();
        assertThat(track.stateChanged()).isFalse();
    }

    /** XA START 'x': MariaDB reports the open transaction ("T_______") and the XA statement as characteristics. */
    @Test
    void xaStartCharacteristics() {
        byte[] info = Hex.bytes(
                "05 09 08 54 5f 5f 5f 5f 5f 5f 5f",     // TRANSACTION_STATE "T_______" (ignored)
                "04",                                   // type TRANSACTION_CHARACTERISTICS
                "0e",                                   // data: 14 bytes
                "0d 58 41 20 53 54 41 52 54 20 27 78 27 3b"); // lenenc "XA START 'x';"

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.transactionCharacteristics()).isEqualTo("XA START 'x';");
        assertThat(track.stateChanged()).isFalse();
    }

    /** Data of no bytes at all for characteristics (not even the lenenc 0) also means "none pending". */
    @Test
    void characteristicsWithNoDataAreEmpty() {
        SessionTrack track = SessionTrack.parse(Hex.bytes("04 00")); // TRANSACTION_CHARACTERISTICS, data: 0 bytes

        assertThat(track.transactionCharacteristics()).isEmpty();
    }

    /**
     * The OK of Sluice's own SET of the session_track_* variables. parse() reports them like any variable (it is
     * SessionState/BackendState that leave them out); the order of the server is kept.
     */
    @Test
    void trackingSetupReportsTheTrackingVariables() {
        byte[] info = Hex.bytes(
                "00 21",                                                    // SYSTEM_VARIABLES, 33 bytes
                "1e 73 65 73 73 69 6f 6e 5f 74 72 61 63 6b 5f 73 79 73 74 65 6d 5f 76 61 72 69 61 62 6c 65 73",
                //                                                              "session_track_system_variables"
                "01 2a",                                                    //   "*"
                "00 1e",                                                    // SYSTEM_VARIABLES, 30 bytes
                "1a 73 65 73 73 69 6f 6e 5f 74 72 61 63 6b 5f 73 74 61 74 65 5f 63 68 61 6e 67 65",
                //                                                              "session_track_state_change"
                "02 4f 4e",                                                 //   "ON"
                "00 18",                                                    // SYSTEM_VARIABLES, 24 bytes
                "14 73 65 73 73 69 6f 6e 5f 74 72 61 63 6b 5f 73 63 68 65 6d 61", // "session_track_schema"
                "02 4f 4e",                                                 //   "ON"
                "00 2f",                                                    // SYSTEM_VARIABLES, 47 bytes
                "1e 73 65 73 73 69 6f 6e 5f 74 72 61 63 6b 5f 74 72 61 6e 73 61 63 74 69 6f 6e 5f 69 6e 66 6f",
                //                                                              "session_track_transaction_info"
                "0f 43 48 41 52 41 43 54 45 52 49 53 54 49 43 53",          //   "CHARACTERISTICS"
                "02 01 31",                                                 // STATE_CHANGE "1"
                "05 09 08 5f 5f 5f 5f 5f 5f 5f 5f",                         // TRANSACTION_STATE "________"
                "04 01 00");                                                // TRANSACTION_CHARACTERISTICS ""

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.variables()).containsExactly(
                Map.entry("session_track_system_variables", "*"),
                Map.entry("session_track_state_change", "ON"),
                Map.entry("session_track_schema", "ON"),
                Map.entry("session_track_transaction_info", "CHARACTERISTICS"));
        assertThat(track.stateChanged()).isTrue();
        assertThat(track.transactionCharacteristics()).isEmpty();
        assertThat(track.untrackedChange()).isFalse();
    }

    /** SET character_set_results=NULL: the server reports an empty value (which StatePlan turns back into NULL). */
    @Test
    void nullCharacterSetIsAnEmptyValue() {
        byte[] info = Hex.bytes(
                "00 17",                                                            // SYSTEM_VARIABLES, 23 bytes
                "15 63 68 61 72 61 63 74 65 72 5f 73 65 74 5f 72 65 73 75 6c 74 73", // "character_set_results"
                "00",                                                               //   "" (NULL)
                "02 01 31");                                                        // STATE_CHANGE

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.variables()).containsExactly(Map.entry("character_set_results", ""));
    }

    // ---- synthetic entries ------------------------------------------------------------------------------

    /** Names are case-insensitive on the server, so they are lower-cased; values keep their case. */
    @Test
    void variableNamesAreLowerCasedValuesAreNot() {
        byte[] info = Hex.bytes(
                "00 0d",                            // SYSTEM_VARIABLES, 13 bytes
                "08 53 51 4c 5f 4d 4f 44 45",       //   "SQL_MODE"
                "03 41 6e 53");                     //   "AnS"

        assertThat(SessionTrack.parse(info).variables()).containsExactly(Map.entry("sql_mode", "AnS"));
    }

    /** A variable reported twice in one answer (two statements of a multi-statement) keeps the later value. */
    @Test
    void laterReportOfTheSameVariableWins() {
        byte[] info = Hex.bytes(
                "00 06 02 74 7a 02 2b 31",          // "tz" = "+1"
                "00 06 02 54 5a 02 2b 32");         // "TZ" = "+2": same variable

        assertThat(SessionTrack.parse(info).variables()).containsExactly(Map.entry("tz", "+2"));
    }

    /** Values are UTF-8 (what Sluice's backend connections use for their results). */
    @Test
    void valuesAreDecodedAsUtf8() {
        byte[] info = Hex.bytes(
                "00 06",                // SYSTEM_VARIABLES, 6 bytes
                "01 76",                //   "v"
                "03 63 c3 a9");         //   "cé"

        assertThat(SessionTrack.parse(info).variables()).containsExactly(Map.entry("v", "cé"));
    }

    /** GTIDs (type 3) and unknown types carry nothing Sluice replays and are skipped by their length. */
    @Test
    void gtidsAndUnknownTypesAreSkipped() {
        byte[] info = Hex.bytes(
                "03 05 00 03 31 2d 32",     // SESSION_GTIDS, 5 bytes: encoding 0, lenenc "1-2"
                "7f 02 aa bb",              // unknown type 0x7f, 2 bytes of anything
                "01 02 01 64");             // SCHEMA "d": the entries after them are still read

        SessionTrack track = SessionTrack.parse(info);

        assertThat(track.schema()).isEqualTo("d");
        assertThat(track.variables()).isEmpty();
        assertThat(track.stateChanged()).isFalse();
        assertThat(track.transactionCharacteristics()).isNull();
    }

    @Test
    void absentOrEmptyInfoIsNone() {
        assertThat(SessionTrack.parse(null)).isSameAs(SessionTrack.NONE);
        assertThat(SessionTrack.parse(new byte[0])).isSameAs(SessionTrack.NONE);
        assertThat(SessionTrack.NONE.variables()).isEmpty();
        assertThat(SessionTrack.NONE.schema()).isNull();
        assertThat(SessionTrack.NONE.stateChanged()).isFalse();
        assertThat(SessionTrack.NONE.transactionCharacteristics()).isNull();
        assertThat(SessionTrack.NONE.untrackedChange()).isFalse();
    }

    /** untrackedChange is only "state changed, and nothing named explains it". */
    @Test
    void untrackedChangeNeedsTheFlagAndNothingNamed() {
        assertThat(new SessionTrack(Map.of(), null, true, null).untrackedChange()).isTrue();
        // Characteristics do not explain a state change: they are a separate entry.
        assertThat(new SessionTrack(Map.of(), null, true, "SET TRANSACTION READ ONLY;").untrackedChange()).isTrue();
        assertThat(new SessionTrack(Map.of("time_zone", "+00:00"), null, true, null).untrackedChange()).isFalse();
        assertThat(new SessionTrack(Map.of(), "db", true, null).untrackedChange()).isFalse();
        // A dropped schema ("") is a named change too.
        assertThat(new SessionTrack(Map.of(), "", true, null).untrackedChange()).isFalse();
        assertThat(new SessionTrack(Map.of("time_zone", "+00:00"), null, false, null).untrackedChange()).isFalse();
        assertThat(new SessionTrack(Map.of(), null, false, null).untrackedChange()).isFalse();
    }

    // ---- malformed data ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "00",                       // a type and no data length
            "00 05 01 61",              // data claims 5 bytes, 2 follow
            "00 02 01 61",              // variable with a name and no value
            "00 03 05 61 62",           // variable name claims 5 bytes, 2 in the entry
            "00 00",                    // variable entry with no data at all
            "01 00",                    // schema entry with no data at all
            "01 02 05 61",              // schema name claims 5 bytes, 1 in the entry
            "04 02 05 61",              // characteristics claim 5 bytes, 1 in the entry
            "00 fb",                    // 0xfb is NULL, not a length
            "00 ff",                    // 0xff is not a length either
            "00 fc 10",                 // two-byte length cut short
            "02 01 31 00",              // a good entry, then a truncated one
    })
    void malformedDataIsRefused(String hex) {
        assertThatThrownBy(() -> SessionTrack.parse(Hex.bytes(hex))).isInstanceOf(MalformedPacketException.class);
    }
}
