package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.protocol.ErrorCode;
import io.sluice.testing.Management;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.sluice.testing.Sql.connect;
import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins fill a pool only with what must stay on a backend. When they fill it, a waiting client is told so (how many
 * backends are pinned, for which reasons), and readiness and metrics say it too.
 */
@QuarkusTest
@TestProfile(PinnedPoolTest.TwoBackends.class)
class PinnedPoolTest {

    public static class TwoBackends implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "2", "sluice.pool.borrow-timeout", "3s");
        }
    }

    /** The case: sessions that read a user variable they never set held a backend each; none does now. */
    @Test
    void sessionsReadingUserVariablesDoNotFillThePool() throws Exception {
        List<Connection> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                Connection c = connect();
                sessions.add(c);
                assertThat(one(c, "SELECT IFNULL(@x, 'never set')")).isEqualTo("never set");
                c.createStatement().execute("SET @mine = " + i);
            }
            for (int i = 0; i < sessions.size(); i++) {
                assertThat(one(sessions.get(i), "SELECT @mine")).isEqualTo(Integer.toString(i));
            }
        } finally {
            for (Connection c : sessions) {
                c.close();
            }
        }
    }

    @Test
    void whenPinsFillThePoolTheWaitingClientIsToldWhy() throws Exception {
        try (Connection first = connect(); Connection second = connect(); Connection waiter = connect()) {
            one(first, "SELECT GET_LOCK('pinned-pool-test-1', 0)");
            one(second, "SELECT GET_LOCK('pinned-pool-test-2', 0)");
            CompletableFuture<SQLException> refused = CompletableFuture.supplyAsync(() -> {
                try {
                    one(waiter, "SELECT 1");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            // While the waiter waits: readiness is down, naming the pins.
            Management.Response ready = Management.get("/q/health/ready");
            for (int i = 0; i < 100 && !ready.body().contains("clients waiting"); i++) {
                Thread.sleep(20);
                ready = Management.get("/q/health/ready");
            }
            assertThat(ready.body()).contains("2 of 2 backends pinned (named-lock 2), 1 clients waiting");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(Management.get("/q/metrics").body()).containsPattern(
                    "sluice_database_connections_pinned\\{reason=\"named-lock\",target=\"[^\"]+\",user=\"app\"} 2\\.0");

            SQLException e = refused.get();
            assertThat((Throwable) e).isNotNull();
            assertThat(e.getErrorCode()).isEqualTo(ErrorCode.PROXY_BORROW_TIMEOUT);
            assertThat(e.getMessage()).contains("2 of them pinned").contains("named-lock 2").contains("sluice.pinning.exemptions");
        }
        // The pinned clients left: their backends were reset and serve others again.
        try (Connection c = connect()) {
            assertThat(one(c, "SELECT IS_FREE_LOCK('pinned-pool-test-1')")).isEqualTo("1");
        }
        assertThat(Management.get("/q/health/ready").status()).isEqualTo(200);
    }
}
