package io.sluice.session;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A backend's prepared statement serves another client only where it means the same. */
class PrepareContextTest {
    private static final byte[] SQL = "SELECT * FROM orders WHERE id = ?".getBytes(StandardCharsets.UTF_8);

    private static SessionState session(String schema) {
        return new SessionState(45, schema, false);
    }

    @Test
    void theSameTextInAnotherSchemaIsAnotherStatement() {
        assertThat(PrepareContext.of(session("t1")).key(SQL, 0, SQL.length)).isNotEqualTo(PrepareContext.of(session("t2")).key(SQL, 0, SQL.length));
        assertThat(PrepareContext.of(session("t1")).key(SQL, 0, SQL.length)).isEqualTo(PrepareContext.of(session("t1")).key(SQL, 0, SQL.length));
    }

    @Test
    void sqlModeAndCharacterSetsAreOfTheContextButNotTheTimeZone() {
        SessionState plain = session("app");
        SessionState ansi = session("app");
        ansi.variables().set("sql_mode", "ANSI_QUOTES");
        SessionState latin1 = session("app");
        latin1.variables().set(SessionVariables.CHARACTER_SET_CLIENT, "latin1");
        SessionState zoned = session("app");
        zoned.variables().set("time_zone", "+01:00");
        String key = PrepareContext.of(plain).key(SQL, 0, SQL.length);
        assertThat(PrepareContext.of(ansi).key(SQL, 0, SQL.length)).isNotEqualTo(key);
        assertThat(PrepareContext.of(latin1).key(SQL, 0, SQL.length)).isNotEqualTo(key);
        assertThat(PrepareContext.of(zoned).key(SQL, 0, SQL.length)).isEqualTo(key);
    }

    /** Two byte strings that decode to the same text as UTF-8 (both invalid, both become U+FFFD) are two statements. */
    @Test
    void keysCompareBytesNotDecodedText() {
        byte[] e9 = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '\'', (byte) 0xe9, '\''};
        byte[] e8 = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '\'', (byte) 0xe8, '\''};
        assertThat(new String(e9, StandardCharsets.UTF_8)).isEqualTo(new String(e8, StandardCharsets.UTF_8));
        PrepareContext c = PrepareContext.of(session("app"));
        assertThat(c.key(e9, 0, e9.length)).isNotEqualTo(c.key(e8, 0, e8.length));
    }

    @Test
    void theContextIsAppliedToACopyOfTheSession() {
        SessionState then = session("t1");
        then.variables().set("sql_mode", "ANSI_QUOTES");
        PrepareContext context = PrepareContext.of(then);
        SessionState now = session("t2");
        now.variables().set("time_zone", "+01:00");
        SessionState there = context.applyTo(now);
        assertThat(there.schema()).isEqualTo("t1");
        assertThat(there.variables().asMap()).containsAllEntriesOf(Map.of("sql_mode", "ANSI_QUOTES", "time_zone", "+01:00"));
        assertThat(now.schema()).isEqualTo("t2");
        assertThat(now.variables().get("sql_mode")).isNull();
    }
}
