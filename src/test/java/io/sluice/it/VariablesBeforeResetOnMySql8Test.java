package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.MySql8Backend;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static io.sluice.testing.Sql.connect;
import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend kept for the client's next statement may hold what the client's statements assigned and Sluice has not
 * read back yet. On MySQL, Sluice recreates a ROW_COUNT() of 1 with a variable of its own, which the backend is reset
 * to take away before the client's next statement: what only the backend held must be read before that reset.
 */
@QuarkusTest
@TestProfile(VariablesBeforeResetOnMySql8Test.OneBackendOnMySql8.class)
class VariablesBeforeResetOnMySql8Test {

    public static class OneBackendOnMySql8 extends MySql8Backend {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "1", "sluice.pool.borrow-timeout", "10s", "sluice.pool.diagnostics-hold", "5s");
        }
    }

    /** Program 1153 of seed 9292 on the MySQL 8 face, made deterministic: the backend's last insert id is another client's. */
    @Test
    void aVariableNotReadBackYetOutlivesTheResetThatTakesSluicesOwnAway() throws Exception {
        try (Connection other = connect(); Connection client = connect()) {
            // The only backend now has another client's last insert id, which the client's read makes its own first.
            assertThat(one(other, "SELECT LAST_INSERT_ID(7)")).isEqualTo("7");
            try (Statement s = client.createStatement()) {
                // ROW_COUNT() 1: the backend is kept for the next statement, @c not read back yet.
                s.execute("SELECT _latin1 X'636166E9' INTO @c");
                // Sluice's LAST_INSERT_ID(0) first, then ROW_COUNT() recreated with its variable; the warning keeps
                // the backend for the next statement, so @c is still not read back.
                try (ResultSet rs = s.executeQuery("SELECT LAST_INSERT_ID(), ROW_COUNT(), CAST('x' AS SIGNED)")) {
                    rs.next();
                    assertThat(rs.getString(1) + " " + rs.getString(2)).isEqualTo("0 1");
                }
            }
            assertThat(one(client, "SELECT HEX(@c)")).as("the client's @c").isEqualTo("636166E9");
        }
    }
}
