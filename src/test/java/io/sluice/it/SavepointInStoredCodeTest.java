package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.sluice.testing.Sql.connect;
import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Transactions that no status flag shows, begun by statements Sluice does not see: a procedure's, an EXECUTE's or an
 * anonymous block's. Procedures and text-prepared statements are exempt from pinning here, as an operator may make
 * them, so that only the transaction's own rules keep the client's backend; one backend, so that the other client
 * would get it.
 */
@QuarkusTest
@TestProfile(SavepointInStoredCodeTest.OneBackendNoProcedurePins.class)
class SavepointInStoredCodeTest {

    public static class OneBackendNoProcedurePins implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "1", "sluice.pool.borrow-timeout", "10s", "sluice.pool.diagnostics-hold", "50ms",
                    "sluice.pinning.exemptions", "stored-procedure,text-prepared-statement");
        }
    }

    @BeforeAll
    static void routines() throws SQLException {
        TestDatabase.get().execute("DROP PROCEDURE IF EXISTS app.savepoint_in_proc",
                "CREATE PROCEDURE app.savepoint_in_proc() BEGIN SAVEPOINT s1; END",
                "DROP PROCEDURE IF EXISTS app.autocommit_off_in_proc",
                "CREATE PROCEDURE app.autocommit_off_in_proc() BEGIN "
                        + "PREPARE st FROM 'SET autocommit = 0, @c = (SELECT COUNT(*) FROM app.hidden_by_call)'; "
                        + "EXECUTE st; DEALLOCATE PREPARE st; END",
                "CREATE TABLE IF NOT EXISTS app.hidden_by_call (n INT) ENGINE=InnoDB");
    }

    static List<List<String>> waysToTakeASavepointUnseen() {
        return List.of(List.of("CALL savepoint_in_proc()"), List.of("PREPARE st FROM 'SAVEPOINT s1'", "EXECUTE st"),
                List.of("EXECUTE IMMEDIATE 'SAVEPOINT s1'"), List.of("BEGIN NOT ATOMIC SAVEPOINT s1; END"));
    }

    /**
     * With autocommit off, a savepoint taken before any table was read belongs to a transaction no flag shows: the
     * client keeps its backend until the transaction ends, or its ROLLBACK TO SAVEPOINT would fail with 1305.
     */
    @ParameterizedTest
    @MethodSource("waysToTakeASavepointUnseen")
    void aSavepointTakenByStatementsSluiceDoesNotSeeStaysWithItsClient(List<String> statements) throws Exception {
        try (Connection second = connect()) {
            CompletableFuture<String> other;
            // Closed before the other client's answer is awaited: a statement may also pin the client (EXECUTE of a
            // SAVEPOINT reports a state change no statement text explains).
            try (Connection first = connect()) {
                first.setAutoCommit(false);
                for (String sql : statements) {
                    execute(first, sql);
                }
                other = CompletableFuture.supplyAsync(() -> {
                    try {
                        return one(second, "SELECT 1");
                    } catch (SQLException e) {
                        return e.toString();
                    }
                });
                Thread.sleep(600);
                assertThat(other).as("the other client, while the first one's savepoint is held").isNotDone();
                execute(first, "ROLLBACK TO SAVEPOINT s1");
                first.commit();
            }
            assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("1");
        }
    }

    /**
     * A procedure that turns autocommit off with a prepared SET that reads a table leaves MariaDB 10.11 with a
     * transaction no status flag shows, which ROLLBACK and a reset leave and closing the connection rolls back: the
     * client's write must go with its disconnect, not be committed by the next client's statement on that backend.
     */
    @Test
    void aTransactionAProcedureLeftUnflaggedGoesWithItsClient() throws Exception {
        TestDatabase.get().execute("DELETE FROM app.hidden_by_call");
        try (Connection first = connect()) {
            execute(first, "CALL autocommit_off_in_proc()");
            assertThat(one(first, "SELECT @@autocommit")).isEqualTo("0");
            execute(first, "INSERT INTO hidden_by_call VALUES (1)");
        }
        try (Connection second = connect()) {
            assertThat(one(second, "SELECT COUNT(*) FROM hidden_by_call")).as("rows another client sees").isEqualTo("0");
        }
        try (Connection direct = TestDatabase.direct(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app", "")) {
            assertThat(one(direct, "SELECT COUNT(*) FROM hidden_by_call")).as("rows committed").isEqualTo("0");
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
