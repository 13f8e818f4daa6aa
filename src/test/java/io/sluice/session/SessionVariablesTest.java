package io.sluice.session;

import static io.sluice.session.SessionVariables.CHARACTER_SET_CLIENT;
import static io.sluice.session.SessionVariables.CHARACTER_SET_CONNECTION;
import static io.sluice.session.SessionVariables.CHARACTER_SET_RESULTS;
import static io.sluice.session.SessionVariables.COLLATION_CONNECTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SessionVariablesTest {

    /**
     * The handshake's collation id sets the client and results character sets and the connection collation
     * (which implies the connection character set), so those three are what a new connection has.
     */
    @Test
    void handshakeCollationSetsClientResultsAndCollation() {
        SessionVariables v = SessionVariables.forHandshakeCollation(45);

        assertThat(v.asMap()).containsExactly(
                Map.entry(CHARACTER_SET_CLIENT, "45"),
                Map.entry(CHARACTER_SET_RESULTS, "45"),
                Map.entry(COLLATION_CONNECTION, "45"));
        assertThat(v.get(CHARACTER_SET_CONNECTION)).isNull();
    }

    @Test
    void handshakeCollationIdIsWrittenInDecimal() {
        assertThat(SessionVariables.forHandshakeCollation(255).get(COLLATION_CONNECTION)).isEqualTo("255");
        assertThat(SessionVariables.forHandshakeCollation(8).get(CHARACTER_SET_CLIENT)).isEqualTo("8");
    }

    @Test
    void newVariablesAreEmpty() {
        assertThat(new SessionVariables().asMap()).isEmpty();
    }

    /** SET collation_connection changes character_set_connection too, without the server reporting it. */
    @Test
    void settingTheCollationDropsTheConnectionCharacterSet() {
        SessionVariables v = new SessionVariables();
        v.set(CHARACTER_SET_CONNECTION, "latin1");

        v.set(COLLATION_CONNECTION, "utf8mb4_bin");

        assertThat(v.asMap()).containsExactly(Map.entry(COLLATION_CONNECTION, "utf8mb4_bin"));
    }

    /** And the reverse: SET character_set_connection resets the collation to that set's default. */
    @Test
    void settingTheConnectionCharacterSetDropsTheCollation() {
        SessionVariables v = SessionVariables.forHandshakeCollation(45);

        v.set(CHARACTER_SET_CONNECTION, "latin1");

        assertThat(v.asMap()).containsExactly(
                Map.entry(CHARACTER_SET_CLIENT, "45"),
                Map.entry(CHARACTER_SET_RESULTS, "45"),
                Map.entry(CHARACTER_SET_CONNECTION, "latin1"));
    }

    /** The client and results character sets are independent of the pair. */
    @Test
    void clientAndResultsCharacterSetsAreNotCoupled() {
        SessionVariables v = SessionVariables.forHandshakeCollation(45);

        v.set(CHARACTER_SET_CLIENT, "latin1");
        v.set(CHARACTER_SET_RESULTS, "");

        assertThat(v.asMap()).containsExactly(
                Map.entry(CHARACTER_SET_CLIENT, "latin1"),
                Map.entry(CHARACTER_SET_RESULTS, ""),
                Map.entry(COLLATION_CONNECTION, "45"));
    }

    /** setAll applies in the map's order: the one of the pair reported last is the one kept. */
    @Test
    void setAllKeepsTheLastOfThePair() {
        Map<String, String> collationLast = new LinkedHashMap<>();
        collationLast.put(CHARACTER_SET_CONNECTION, "latin1");
        collationLast.put(COLLATION_CONNECTION, "latin1_bin");
        Map<String, String> charsetLast = new LinkedHashMap<>();
        charsetLast.put(COLLATION_CONNECTION, "latin1_bin");
        charsetLast.put(CHARACTER_SET_CONNECTION, "latin1");

        SessionVariables a = new SessionVariables();
        a.setAll(collationLast);
        SessionVariables b = new SessionVariables();
        b.setAll(charsetLast);

        assertThat(a.asMap()).containsExactly(Map.entry(COLLATION_CONNECTION, "latin1_bin"));
        assertThat(b.asMap()).containsExactly(Map.entry(CHARACTER_SET_CONNECTION, "latin1"));
    }

    @Test
    void otherVariablesAreKeptAsSetInOrder() {
        SessionVariables v = new SessionVariables();
        v.set("time_zone", "+03:00");
        v.set("sql_mode", "ANSI");
        v.set("time_zone", "+01:00");   // replacing keeps the first position

        assertThat(v.asMap()).containsExactly(Map.entry("time_zone", "+01:00"), Map.entry("sql_mode", "ANSI"));
        assertThat(v.get("time_zone")).isEqualTo("+01:00");
        assertThat(v.get("unknown")).isNull();
    }

    @Test
    void asMapIsReadOnly() {
        SessionVariables v = new SessionVariables();
        v.set("time_zone", "+03:00");
        Map<String, String> view = v.asMap();

        assertThat(view).containsExactly(Map.entry("time_zone", "+03:00"));
        assertThatThrownBy(() -> view.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void clearEmpties() {
        SessionVariables v = SessionVariables.forHandshakeCollation(45);
        v.clear();
        assertThat(v.asMap()).isEmpty();
    }

    /** copyFrom replaces everything and does not share storage with the source. */
    @Test
    void copyFromReplacesAndIsIndependent() {
        SessionVariables source = SessionVariables.forHandshakeCollation(45);
        source.set("time_zone", "+03:00");
        SessionVariables target = new SessionVariables();
        target.set("sql_mode", "ANSI");

        target.copyFrom(source);
        source.set("time_zone", "+05:00");

        assertThat(target.asMap()).containsExactly(
                Map.entry(CHARACTER_SET_CLIENT, "45"),
                Map.entry(CHARACTER_SET_RESULTS, "45"),
                Map.entry(COLLATION_CONNECTION, "45"),
                Map.entry("time_zone", "+03:00"));
    }

    /** Equality is by content; the order in which variables were set does not matter. */
    @Test
    void equalityIsByContent() {
        SessionVariables a = new SessionVariables();
        a.set("time_zone", "+03:00");
        a.set("sql_mode", "ANSI");
        SessionVariables b = new SessionVariables();
        b.set("sql_mode", "ANSI");
        b.set("time_zone", "+03:00");
        SessionVariables c = new SessionVariables();
        c.set("time_zone", "+03:00");

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
        assertThat(a).isNotEqualTo(Map.of("time_zone", "+03:00", "sql_mode", "ANSI")).isNotEqualTo(null);
        assertThat(SessionVariables.forHandshakeCollation(45)).isEqualTo(SessionVariables.forHandshakeCollation(45))
                .isNotEqualTo(SessionVariables.forHandshakeCollation(33));
        assertThat(new SessionVariables()).isEqualTo(new SessionVariables());
    }

    @Test
    void toStringShowsTheValues() {
        SessionVariables v = new SessionVariables();
        v.set("time_zone", "+03:00");
        assertThat(v).hasToString("{time_zone=+03:00}");
    }

    @Test
    void charsetGroupIsTheFourVariables() {
        assertThat(SessionVariables.CHARSET).containsExactlyInAnyOrder(
                "character_set_client", "character_set_results", "character_set_connection", "collation_connection");
    }

    /** sameCharset compares the group only: other variables do not matter, a missing one does. */
    @Test
    void sameCharsetComparesTheGroupOnly() {
        SessionVariables a = SessionVariables.forHandshakeCollation(45);
        SessionVariables b = SessionVariables.forHandshakeCollation(45);
        a.set("time_zone", "+03:00");

        assertThat(a.sameCharset(b)).isTrue();
        assertThat(b.sameCharset(a)).isTrue();

        b.set(CHARACTER_SET_RESULTS, "latin1");
        assertThat(a.sameCharset(b)).isFalse();

        SessionVariables collation = SessionVariables.forHandshakeCollation(45);
        SessionVariables charset = SessionVariables.forHandshakeCollation(45);
        charset.set(CHARACTER_SET_CONNECTION, "45");    // same value, but for the other variable of the pair
        assertThat(collation.sameCharset(charset)).isFalse();

        assertThat(new SessionVariables().sameCharset(SessionVariables.forHandshakeCollation(45))).isFalse();
        assertThat(new SessionVariables().sameCharset(new SessionVariables())).isTrue();
    }

    /**
     * The collation character_set_client holds: kept from a SET NAMES only when it is one of the client's character
     * set's (SET CHARACTER SET gives the connection the schema's), dropped when the client's character set is set
     * again, and part of the comparison that decides a replay.
     */
    @Test
    void theClientsCollationComesFromSetNamesAndGoesWithCharacterSetClient() {
        SessionVariables v = new SessionVariables();
        v.set(CHARACTER_SET_CLIENT, "latin1");
        v.namesCollation("utf8mb4_general_ci");
        assertThat(v.clientCollation()).isNull();

        v.namesCollation("latin1_german1_ci");
        assertThat(v.clientCollation()).isEqualTo("latin1_german1_ci");
        SessionVariables copy = new SessionVariables();
        copy.copyFrom(v);
        assertThat(copy).isEqualTo(v);
        assertThat(copy.sameCharset(v)).isTrue();

        v.setOrRemove(CHARACTER_SET_CLIENT, "latin1");
        assertThat(v.clientCollation()).isEqualTo("latin1_german1_ci");
        v.set(CHARACTER_SET_CLIENT, "latin1");
        assertThat(v.clientCollation()).isNull();
        assertThat(copy).isNotEqualTo(v);
        assertThat(copy.sameCharset(v)).isFalse();

        copy.clear();
        assertThat(copy.clientCollation()).isNull();
    }
}
