package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.sluice.testing.Sql.connect;
import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With autocommit off, a statement that fails may still have started a transaction, and an error packet carries no
 * status flags to say so. Sluice asks the backend before another client may have it; a client that got it anyway
 * would run inside the first one's transaction, and read its snapshot.
 */
@QuarkusTest
@TestProfile(TransactionStartedByAFailureTest.OneBackend.class)
class TransactionStartedByAFailureTest {

    public static class OneBackend implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // A failed statement's client keeps its backend for the diagnostics hold anyway; the question is asked when
            // the hold ends, which here is well before the test's first client commits.
            return Map.of("sluice.pool.max-size", "1", "sluice.pool.borrow-timeout", "10s", "sluice.pool.diagnostics-hold", "50ms");
        }
    }

    @Test
    void aTransactionAFailedStatementStartedStaysWithItsClient() throws Exception {
        TestDatabase.get().execute("CREATE TABLE IF NOT EXISTS app.started_by_failure (n BIGINT)", "DELETE FROM app.started_by_failure",
                "INSERT INTO app.started_by_failure VALUES (1)");
        try (Connection first = connect(); Connection second = connect()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            // Reads the row (a snapshot now exists), then fails: BIGINT out of range.
            assertThatThrownBy(() -> one(first, "SELECT n * 9223372036854775807 * 2 FROM started_by_failure"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1690));
            TestDatabase.get().execute("INSERT INTO app.started_by_failure VALUES (2)");
            CompletableFuture<String> count = CompletableFuture.supplyAsync(() -> {
                try {
                    return one(second, "SELECT COUNT(*) FROM started_by_failure");
                } catch (SQLException e) {
                    return e.toString();
                }
            });
            // The second client waits for the only backend while the first one's transaction holds it.
            Thread.sleep(600);
            assertThat(count).as("the second client's count, while the first client's transaction is open").isNotDone();
            first.commit();
            assertThat(count.get(10, TimeUnit.SECONDS)).as("rows the second client counts, in a transaction of its own").isEqualTo("2");
            second.commit();
        }
    }
}
