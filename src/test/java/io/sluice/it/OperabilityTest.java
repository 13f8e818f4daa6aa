package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Management;
import io.sluice.testing.OwnDatabaseProfile;
import io.sluice.testing.TestDatabase;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Health probes, Prometheus metrics, and a backend outage seen from both. */
@QuarkusTest
@TestProfile(OwnDatabaseProfile.class)
class OperabilityTest {

    static int sluicePort() {
        return ConfigProvider.getConfig().getValue("sluice.listen.port", Integer.class);
    }

    static Connection connect(String params) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + sluicePort() + "/?sslMode=DISABLED" + params,
                TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
    }

    static void awaitReadiness(int status, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        Management.Response r;
        do {
            r = Management.get("/q/health/ready");
            if (r.status() == status) {
                return;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        assertThat(r.status()).as(r.body()).isEqualTo(status);
    }

    @Test
    void probesAnswerOnTheManagementPort() throws Exception {
        Management.Response live = Management.get("/q/health/live");
        assertThat(live.status()).as(live.body()).isEqualTo(200);
        assertThat(live.body()).contains("sluice-event-loops");
        Management.Response started = Management.get("/q/health/started");
        assertThat(started.status()).isEqualTo(200);
        assertThat(started.body()).contains("sluice-listener");
        awaitReadiness(200, 10_000);
        Management.Response ready = Management.get("/q/health/ready");
        assertThat(ready.body()).contains("\"target 127.0.0.1:").contains("reachable").contains("\"credentials app\"");
    }

    /**
     * Virtual threads are not preempted: client sessions stuck computing (as a backtracking KILL pattern once held
     * them) hold every carrier thread while the event loops answer on. Liveness notices, so that Sluice is
     * restarted rather than left stalling every client. Here busy loops take the carriers for a few seconds.
     */
    @Test
    void livenessNoticesWhenClientSessionsCannotRun() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean spin = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> hogs = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < Runtime.getRuntime().availableProcessors() + 1; i++) {
                hogs.add(Thread.ofVirtual().start(() -> {
                    while (spin.get()) {
                        Thread.onSpinWait();
                    }
                }));
            }
            Thread.sleep(200);
            Management.Response live = Management.get("/q/health/live");
            assertThat(live.status()).as(live.body()).isEqualTo(503);
            assertThat(live.body()).contains("sluice-session-threads").contains("stalled");
        } finally {
            spin.set(false);
            for (Thread t : hogs) {
                t.join();
            }
        }
        assertThat(Management.get("/q/health/live").status()).isEqualTo(200);
    }

    @Test
    void metricsCoverClientsBackendsQueriesPinsAndFailures() throws Exception {
        try (Connection c = connect("")) {
            one(c, "SELECT 1");
            // A named lock pins (a user variable no longer does: it is captured).
            c.createStatement().execute("SELECT GET_LOCK('operability-pinned', 0)");
            assertThatThrownBy(() -> one(c, "SELECT * FROM no_such_table")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + sluicePort() + "/?sslMode=DISABLED", "app", "wrong"))
                    .isInstanceOf(SQLException.class);
            Management.Response metrics = Management.get("/q/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            String body = metrics.body();
            assertThat(body).contains("sluice_client_connections ")
                    .contains("sluice_client_connections_opened_total")
                    .containsPattern("sluice_database_connections\\{[^}]*state=\"idle\"")
                    .containsPattern("sluice_database_connections\\{[^}]*state=\"borrowed\"")
                    .containsPattern("sluice_database_connections\\{[^}]*state=\"pinned\"[^}]*} 1\\.0")
                    .contains("sluice_database_connection_borrow_seconds_bucket")
                    .contains("sluice_clients_waiting")
                    .containsPattern("sluice_queries_total\\{command=\"query\"")
                    .contains("sluice_query_database_seconds_bucket")
                    .containsPattern("sluice_query_errors_total\\{command=\"query\"[^}]*} [1-9]")
                    .containsPattern("sluice_pins_total\\{reason=\"user-variable\"")
                    .containsPattern("sluice_auth_failures_total\\{reason=\"bad-password\"")
                    .contains("sluice_client_received_bytes_total")
                    .contains("sluice_database_sent_bytes_total")
                    .contains("agroal_active_count");
            // No secret in what anyone can scrape or probe.
            assertThat(body).doesNotContain(TestDatabase.APP_PASSWORD);
            assertThat(Management.get("/q/health").body()).doesNotContain(TestDatabase.APP_PASSWORD);
        }
    }

    @Test
    void aBackendOutageTurnsReadinessDownAndBackWhileIdleClientsKeepTheirConnections() throws Exception {
        awaitReadiness(200, 10_000);
        try (Connection idle = connect("")) {
            assertThat(one(idle, "SELECT 'before'")).isEqualTo("before");
            OwnDatabaseProfile.database().stop(true);
            awaitReadiness(503, 10_000);
            assertThat(Management.get("/q/health/ready").body()).contains("unreachable");
            // Liveness does not follow the database: restarting Sluice would not bring it back.
            assertThat(Management.get("/q/health/live").status()).isEqualTo(200);
            // A statement sent during the outage waits for the database (up to the borrow timeout)...
            Thread restarter = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(2000);
                    OwnDatabaseProfile.database().restart();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // ...and is answered once it is back, on the connection the client never lost.
            assertThat(one(idle, "SELECT 'after'")).isEqualTo("after");
            restarter.join();
            awaitReadiness(200, 10_000);
        }
    }
}
