package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.Map;

import static io.sluice.testing.Sql.one;
import static io.sluice.testing.Sql.connect;
import static org.assertj.core.api.Assertions.assertThat;

/** sluice.pool-mode=session: a client keeps one backend for its whole life, and hands it on clean. */
@QuarkusTest
@TestProfile(SessionModeTest.SessionPooling.class)
class SessionModeTest {

    public static class SessionPooling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool-mode", "session", "sluice.pool.max-size", "2");
        }
    }

    @Test
    void aClientKeepsItsBackendAndItsStateWithoutPinning() throws Exception {
        try (Connection a = connect(); Connection b = connect()) {
            String backendOfA = one(a, "SELECT CONNECTION_ID()");
            a.createStatement().execute("SET @mine = 'a'");
            for (int i = 0; i < 20; i++) {
                one(b, "SELECT 1");
                assertThat(one(a, "SELECT CONNECTION_ID()")).isEqualTo(backendOfA);
            }
            assertThat(one(a, "SELECT @mine")).isEqualTo("a");
            assertThat(one(b, "SELECT CONNECTION_ID()")).isNotEqualTo(backendOfA);
        }
        // Both backends went back; the next clients find none of that state.
        try (Connection c = connect(); Connection d = connect()) {
            assertThat(one(c, "SELECT IFNULL(@mine, 'clean')")).isEqualTo("clean");
            assertThat(one(d, "SELECT IFNULL(@mine, 'clean')")).isEqualTo("clean");
        }
    }

    /**
     * A procedure that sets a variable and then fails: the error carries no session tracking, and the variable stays
     * set on the client's own backend (program 1134 of seed 555 read time_zone SYSTEM through Sluice, +03:00 direct).
     */
    @Test
    void stateSetByAProcedureThatFailedStaysWithTheClient() throws Exception {
        try (Connection root = io.sluice.testing.TestDatabase.root(); java.sql.Statement s = root.createStatement()) {
            s.execute("CREATE OR REPLACE PROCEDURE app.tz_then_fail() BEGIN SET time_zone = '+03:00'; SELECT * FROM app.no_such_table; END");
        }
        String[] steps = {"START TRANSACTION", "CALL tz_then_fail()", "SET @@group_concat_max_len = 1024"};
        String direct;
        try (Connection own = io.sluice.testing.TestDatabase.direct(io.sluice.testing.TestDatabase.APP_USER,
                io.sluice.testing.TestDatabase.APP_PASSWORD, "app", "")) {
            run(own, steps);
            direct = one(own, "SELECT @@session.time_zone");
        }
        try (Connection c = connect()) {
            run(c, steps);
            assertThat(one(c, "SELECT @@session.time_zone")).isEqualTo(direct).isEqualTo("+03:00");
        }
    }

    private static void run(Connection c, String... statements) {
        for (String sql : statements) {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute(sql);
            } catch (java.sql.SQLException expected) {
                // The procedure's error, on both sides.
            }
        }
    }
}
