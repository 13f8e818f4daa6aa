package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import static io.sluice.testing.Sql.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A pool of one held by a long transaction: the next client waits out the borrow timeout and gets a clear error. */
@QuarkusTest
@TestProfile(BorrowTimeoutTest.OneBackendShortWait.class)
class BorrowTimeoutTest {

    public static class OneBackendShortWait implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "1", "sluice.pool.borrow-timeout", "1s");
        }
    }

    @Test
    void aClientWaitsForTheBorrowTimeoutThenGetsAnErrorNamingThePool() throws Exception {
        io.sluice.testing.TestSchema.ensure();
        try (Connection holder = connect(); Connection waiter = connect()) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("SELECT 1 FROM DUAL FOR UPDATE");
            holder.createStatement().execute("INSERT INTO counter (n) VALUES (42)");
            long start = System.nanoTime();
            assertThatThrownBy(() -> waiter.createStatement().executeQuery("SELECT 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(ErrorCode.PROXY_BORROW_TIMEOUT);
                        assertThat(e.getSQLState()).isEqualTo("HY000");
                        assertThat(e.getMessage()).contains("1000 ms").contains("/app").contains("sluice.pool.max-size");
                    });
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(waited).isBetween(900L, 5_000L);
            // The holder is inside its transaction: it never waits for itself.
            try (ResultSet rs = holder.createStatement().executeQuery("SELECT COUNT(*) FROM counter WHERE n = 42")) {
                rs.next();
                assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(1);
            }
            holder.rollback();
            holder.setAutoCommit(true);
            // Once the transaction is over the backend is free again, and the waiter's connection still works.
            try (ResultSet rs = waiter.createStatement().executeQuery("SELECT 'served'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("served");
            }
        }
    }
}
