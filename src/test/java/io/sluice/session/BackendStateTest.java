package io.sluice.session;

import static io.sluice.session.SessionVariables.CHARACTER_SET_CONNECTION;
import static io.sluice.session.SessionVariables.COLLATION_CONNECTION;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BackendStateTest {

    /** A state made with new knows nothing: schema, multi-statements and character set all to be replayed. */
    @Test
    void newStateKnowsNothing() {
        BackendState s = new BackendState();

        assertThat(s.schemaKnown()).isFalse();
        assertThat(s.schema()).isNull();
        assertThat(s.multiStatements()).isNull();
        assertThat(s.charsetKnown()).isFalse();
        assertThat(s.variables().asMap()).isEmpty();
        assertThat(s.lastInsertId()).isZero();
        assertThat(s.noBackslashEscapes()).isFalse();
    }

    /**
     * As Connector/J opens it: no schema and multi-statements off are known; its character set is not a client's,
     * and its diagnostics area may hold the count its server thread's previous connection left.
     */
    @Test
    void freshConnection() {
        BackendState s = BackendState.fresh();

        assertThat(s.schemaKnown()).isTrue();
        assertThat(s.schema()).isNull();
        assertThat(s.multiStatements()).isFalse();
        assertThat(s.charsetKnown()).isFalse();
        assertThat(s.variables().asMap()).isEmpty();
        assertThat(s.lastInsertId()).isZero();
        assertThat(s.lastStatement().conditionsFrom()).isEqualTo(LastStatement.UNKNOWN_ORIGIN);
    }

    @Test
    void applyTakesInVariablesAndSchema() {
        BackendState s = BackendState.fresh();
        Map<String, String> reported = new LinkedHashMap<>();
        reported.put("session_track_state_change", "ON");   // Sluice's own setting: not state to compare
        reported.put("time_zone", "+03:00");

        s.apply(new SessionTrack(reported, "app", true, null));

        assertThat(s.variables().asMap()).containsExactly(Map.entry("time_zone", "+03:00"));
        assertThat(s.schemaKnown()).isTrue();
        assertThat(s.schema()).isEqualTo("app");
    }

    /** A reported schema makes an unknown schema known. */
    @Test
    void applyMakesTheSchemaKnown() {
        BackendState s = new BackendState();

        s.apply(new SessionTrack(Map.of(), "app", true, null));

        assertThat(s.schemaKnown()).isTrue();
        assertThat(s.schema()).isEqualTo("app");
    }

    /** "" is a dropped schema: known to be none. */
    @Test
    void emptySchemaMeansDropped() {
        BackendState s = BackendState.fresh();
        s.schema("app");

        s.apply(new SessionTrack(Map.of(), "", false, null));

        assertThat(s.schemaKnown()).isTrue();
        assertThat(s.schema()).isNull();
    }

    @Test
    void noSchemaReportLeavesWhatIsKnown() {
        BackendState unknown = new BackendState();
        unknown.apply(new SessionTrack(Map.of("time_zone", "+03:00"), null, true, null));
        assertThat(unknown.schemaKnown()).isFalse();

        BackendState known = BackendState.fresh();
        known.schema("app");
        known.apply(SessionTrack.NONE);
        assertThat(known.schema()).isEqualTo("app");
    }

    /** A reported variable does not make the character set known: only a full replay of the group does. */
    @Test
    void applyDoesNotMakeTheCharsetKnown() {
        BackendState s = BackendState.fresh();

        s.apply(new SessionTrack(Map.of(COLLATION_CONNECTION, "utf8mb4_bin"), null, true, null));

        assertThat(s.charsetKnown()).isFalse();
        assertThat(s.variables().get(COLLATION_CONNECTION)).isEqualTo("utf8mb4_bin");
    }

    /** After a replay the backend holds exactly the client's variables, as an independent copy. */
    @Test
    void variablesSetToCopiesAndMakesTheCharsetKnown() {
        BackendState s = BackendState.fresh();
        s.apply(new SessionTrack(Map.of("sql_mode", "ANSI"), null, true, null));
        SessionVariables wanted = SessionVariables.forHandshakeCollation(45);
        wanted.set("time_zone", "+03:00");

        s.variablesSetTo(wanted, new UserVariables());
        wanted.set("time_zone", "+05:00");

        assertThat(s.charsetKnown()).isTrue();
        assertThat(s.variables().asMap()).containsExactly(
                Map.entry("character_set_client", "45"),
                Map.entry("character_set_results", "45"),
                Map.entry("collation_connection", "45"),
                Map.entry("time_zone", "+03:00"));
    }

    /**
     * COM_RESET_CONNECTION: variables at the global defaults (so none differ), the character set back at the
     * connection's own handshake (unknown as a client's), multi-statements unknown, no last insert id; the schema stays.
     */
    @Test
    void afterResetForgetsAllButTheSchema() {
        BackendState s = BackendState.fresh();
        s.schema("app");
        s.multiStatements(true);
        s.variablesSetTo(SessionVariables.forHandshakeCollation(45), new UserVariables());
        s.apply(new SessionTrack(Map.of("time_zone", "+03:00"), null, true, null));
        s.lastInsertId(42);

        s.afterReset(false);

        assertThat(s.variables().asMap()).isEmpty();
        assertThat(s.charsetKnown()).isFalse();
        assertThat(s.multiStatements()).isNull();
        assertThat(s.lastInsertId()).isZero();
        assertThat(s.schemaKnown()).isTrue();
        assertThat(s.schema()).isEqualTo("app");
    }

    /** A reset clears the diagnostics area, unless its OK counts conditions the ending session raised. */
    @Test
    void afterResetTheDiagnosticsAreaIsEmptyUnlessTheResetRaisedConditions() {
        BackendState clean = BackendState.fresh();
        clean.lastStatement().conditionsFrom(0);
        clean.afterReset(false);
        assertThat(clean.lastStatement().diagnostics()).isFalse();

        BackendState raised = BackendState.fresh();
        raised.afterReset(true);
        assertThat(raised.lastStatement().diagnostics()).isTrue();
        assertThat(raised.lastStatement().sameConditionsAs(new LastStatement())).isFalse();
    }

    /**
     * Conditions the area held before a reset may still be there after it (MariaDB keeps the count of conditions
     * that max_error_count = 0 kept from being stored): of unknown origin, to be cleared before a client reads.
     */
    @Test
    void conditionsHeldBeforeAResetMayOutliveIt() {
        BackendState s = BackendState.fresh();
        s.lastStatement().conditionsFrom(LastStatement.next());

        s.afterReset(false);

        assertThat(s.lastStatement().diagnostics()).isTrue();
        assertThat(s.lastStatement().conditionsFrom()).isEqualTo(LastStatement.UNKNOWN_ORIGIN);
    }

    /** A reset does not make an unknown schema known. */
    @Test
    void afterResetKeepsAnUnknownSchemaUnknown() {
        BackendState s = new BackendState();

        s.afterReset(false);

        assertThat(s.schemaKnown()).isFalse();
    }

    /** COM_CHANGE_USER without a schema: a reset, and known to have no schema. */
    @Test
    void afterChangeUserHasNoSchema() {
        BackendState s = new BackendState();
        s.multiStatements(true);
        s.variablesSetTo(SessionVariables.forHandshakeCollation(45), new UserVariables());
        s.lastInsertId(42);

        s.afterChangeUser();

        assertThat(s.schemaKnown()).isTrue();
        assertThat(s.schema()).isNull();
        assertThat(s.variables().asMap()).isEmpty();
        assertThat(s.charsetKnown()).isFalse();
        assertThat(s.multiStatements()).isNull();
        assertThat(s.lastInsertId()).isZero();

        BackendState withSchema = BackendState.fresh();
        withSchema.schema("app");
        withSchema.afterChangeUser();
        assertThat(withSchema.schema()).isNull();
        assertThat(withSchema.schemaKnown()).isTrue();
    }

    /** Setting the schema (after a COM_INIT_DB) makes it known, also when set to none. */
    @Test
    void schemaSetterMakesItKnown() {
        BackendState s = new BackendState();
        s.schema("app");
        assertThat(s.schemaKnown()).isTrue();
        assertThat(s.schema()).isEqualTo("app");

        BackendState none = new BackendState();
        none.schema(null);
        assertThat(none.schemaKnown()).isTrue();
        assertThat(none.schema()).isNull();
    }

    @Test
    void settersSetValues() {
        BackendState s = new BackendState();

        s.multiStatements(true);
        s.lastInsertId(9);
        s.noBackslashEscapes(true);

        assertThat(s.multiStatements()).isTrue();
        assertThat(s.lastInsertId()).isEqualTo(9);
        assertThat(s.noBackslashEscapes()).isTrue();

        s.multiStatements(false);
        s.noBackslashEscapes(false);
        assertThat(s.multiStatements()).isFalse();
        assertThat(s.noBackslashEscapes()).isFalse();
    }

    /** The character-set coupling holds for the backend too. */
    @Test
    void applyKeepsTheCharsetCoupling() {
        BackendState s = BackendState.fresh();
        s.variablesSetTo(SessionVariables.forHandshakeCollation(45), new UserVariables());

        s.apply(new SessionTrack(Map.of(CHARACTER_SET_CONNECTION, "latin1"), null, true, null));

        assertThat(s.variables().get(COLLATION_CONNECTION)).isNull();
        assertThat(s.variables().get(CHARACTER_SET_CONNECTION)).isEqualTo("latin1");
    }
}
