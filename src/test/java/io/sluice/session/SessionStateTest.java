package io.sluice.session;

import static io.sluice.session.SessionVariables.CHARACTER_SET_CLIENT;
import static io.sluice.session.SessionVariables.CHARACTER_SET_CONNECTION;
import static io.sluice.session.SessionVariables.CHARACTER_SET_RESULTS;
import static io.sluice.session.SessionVariables.COLLATION_CONNECTION;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SessionStateTest {

    private static SessionTrack variables(Map<String, String> variables) {
        return new SessionTrack(variables, null, true, null);
    }

    private static SessionTrack schema(String schema) {
        return new SessionTrack(Map.of(), schema, true, null);
    }

    /** A new client session is what its handshake made it: the handshake collation, its schema, its multi-statements flag. */
    @Test
    void startsAsTheHandshakeSaid() {
        SessionState s = new SessionState(45, "app", true);

        assertThat(s.variables()).isEqualTo(SessionVariables.forHandshakeCollation(45));
        assertThat(s.schema()).isEqualTo("app");
        assertThat(s.multiStatements()).isTrue();
        assertThat(s.lastInsertId()).isZero();

        SessionState noSchema = new SessionState(33, null, false);
        assertThat(noSchema.schema()).isNull();
        assertThat(noSchema.multiStatements()).isFalse();
        assertThat(noSchema.variables().get(COLLATION_CONNECTION)).isEqualTo("33");
    }

    @Test
    void applyTakesInReportedVariables() {
        SessionState s = new SessionState(45, "app", false);

        s.apply(variables(Map.of("time_zone", "+03:00")));

        assertThat(s.variables().asMap()).containsEntry("time_zone", "+03:00")
                .containsEntry(CHARACTER_SET_CLIENT, "45");
    }

    /** The character-set coupling applies to reported variables too (SET NAMES reports the connection character set). */
    @Test
    void applyKeepsTheCharsetCoupling() {
        SessionState s = new SessionState(45, null, false);
        Map<String, String> setNames = new LinkedHashMap<>();
        setNames.put(CHARACTER_SET_CONNECTION, "latin1");
        setNames.put(CHARACTER_SET_CLIENT, "latin1");
        setNames.put(CHARACTER_SET_RESULTS, "latin1");

        s.apply(variables(setNames));

        assertThat(s.variables().asMap()).containsExactly(
                Map.entry(CHARACTER_SET_CLIENT, "latin1"),
                Map.entry(CHARACTER_SET_RESULTS, "latin1"),
                Map.entry(CHARACTER_SET_CONNECTION, "latin1"));
    }

    /** Sluice's own session_track_* settings are not the client's state and are never replayed. */
    @Test
    void applyIgnoresTrackingSettings() {
        SessionState s = new SessionState(45, null, false);
        Map<String, String> reported = new LinkedHashMap<>();
        reported.put("session_track_system_variables", "*");
        reported.put("time_zone", "+03:00");
        reported.put("session_track_schema", "ON");

        s.apply(variables(reported));

        assertThat(s.variables().asMap()).containsEntry("time_zone", "+03:00")
                .doesNotContainKeys("session_track_system_variables", "session_track_schema");
    }

    @Test
    void applyTakesInTheSchema() {
        SessionState s = new SessionState(45, "app", false);

        s.apply(schema("other"));

        assertThat(s.schema()).isEqualTo("other");
    }

    /** A dropped schema is reported as "": the client has no schema any more. */
    @Test
    void emptySchemaMeansDropped() {
        SessionState s = new SessionState(45, "app", false);

        s.apply(schema(""));

        assertThat(s.schema()).isNull();
    }

    /** No schema entry (null) leaves the schema alone, and so does a track of nothing. */
    @Test
    void noSchemaReportLeavesTheSchema() {
        SessionState s = new SessionState(45, "app", false);

        s.apply(variables(Map.of("time_zone", "+03:00")));
        s.apply(SessionTrack.NONE);

        assertThat(s.schema()).isEqualTo("app");
        assertThat(s.variables().asMap()).containsEntry("time_zone", "+03:00");
    }

    /** COM_RESET_CONNECTION: variables as after the handshake, no last insert id; the schema stays. */
    @Test
    void resetKeepsTheSchemaOnly() {
        SessionState s = new SessionState(45, "app", true);
        s.apply(variables(Map.of("time_zone", "+03:00", CHARACTER_SET_CONNECTION, "latin1")));
        s.lastInsertId(42);

        s.reset(45);

        assertThat(s.variables()).isEqualTo(SessionVariables.forHandshakeCollation(45));
        assertThat(s.lastInsertId()).isZero();
        assertThat(s.schema()).isEqualTo("app");
        // The multi-statements option survives COM_RESET_CONNECTION (checked on MariaDB 10.11: an option set with
        // COM_SET_OPTION, either way, still holds after the reset).
        assertThat(s.multiStatements()).isTrue();
    }

    /** After COM_CHANGE_USER the collation is the one that request named, which may differ from the handshake's. */
    @Test
    void resetTakesTheGivenCollation() {
        SessionState s = new SessionState(45, null, false);

        s.reset(8);

        assertThat(s.variables()).isEqualTo(SessionVariables.forHandshakeCollation(8));
    }

    @Test
    void settersSetValues() {
        SessionState s = new SessionState(45, null, false);

        s.schema("app");
        s.multiStatements(true);
        s.lastInsertId(7);

        assertThat(s.schema()).isEqualTo("app");
        assertThat(s.multiStatements()).isTrue();
        assertThat(s.lastInsertId()).isEqualTo(7);

        s.schema(null);
        s.multiStatements(false);
        assertThat(s.schema()).isNull();
        assertThat(s.multiStatements()).isFalse();
    }

    @Test
    void trackingSettingsAreTheSessionTrackVariables() {
        assertThat(SessionState.isTrackingSetting("session_track_system_variables")).isTrue();
        assertThat(SessionState.isTrackingSetting("session_track_schema")).isTrue();
        assertThat(SessionState.isTrackingSetting("session_track_state_change")).isTrue();
        assertThat(SessionState.isTrackingSetting("session_track_transaction_info")).isTrue();
        assertThat(SessionState.isTrackingSetting("session_track_gtids")).isTrue();
        assertThat(SessionState.isTrackingSetting("time_zone")).isFalse();
        assertThat(SessionState.isTrackingSetting("track_session")).isFalse();
    }

    /** replayable never changes its argument (it may be the parsed track's own map). */
    @Test
    void replayableCopiesOnlyWhenItMust() {
        Map<String, String> plain = Map.of("time_zone", "+03:00");
        assertThat(SessionState.replayable(plain)).isSameAs(plain);

        Map<String, String> mixed = new LinkedHashMap<>();
        mixed.put("sql_mode", "ANSI");
        mixed.put("session_track_schema", "ON");
        mixed.put("time_zone", "+03:00");

        assertThat(SessionState.replayable(mixed))
                .containsExactly(Map.entry("sql_mode", "ANSI"), Map.entry("time_zone", "+03:00"));
        assertThat(mixed).hasSize(3);

        assertThat(SessionState.replayable(Map.of("session_track_schema", "ON"))).isEmpty();
    }
}
