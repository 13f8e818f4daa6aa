package io.sluice.transparency;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.TestDatabase;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one client leaves in a backend's diagnostics area never reaches the next client, even where the server's
 * reset leaves it behind: on a pool of one backend, so that the next client surely gets the same one.
 */
@QuarkusTest
@TestProfile(DiagnosticsAcrossClientsTest.OneBackend.class)
class DiagnosticsAcrossClientsTest {
    private static final String PARAMETERS = "sslMode=DISABLED&allowPublicKeyRetrieval=true";

    public static class OneBackend implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // No idle connection kept or opened ahead: an idle backend is closed within two seconds, and the next
            // client's borrow opens a new one.
            return Map.of("sluice.pool.max-size", "1", "sluice.pool.min-idle", "0", "sluice.pool.idle-timeout", "1s");
        }
    }

    @ConfigProperty(name = "sluice.backend.host")
    String backendHost;
    @ConfigProperty(name = "sluice.backend.port")
    int backendPort;
    @ConfigProperty(name = "sluice.listen.port")
    int sluicePort;

    /**
     * With max_error_count = 0 a warning is counted but not stored, and MariaDB's COM_RESET_CONNECTION keeps that
     * count (its OK says nothing of it). The leaving client's pin has its backend reset; the next client's first
     * reading of the count must be what a connection of its own reads.
     */
    @Test
    void aWarningCountedButNotStoredDoesNotOutliveItsClient() throws Exception {
        Endpoint sluice = new Endpoint("sluice", "127.0.0.1", sluicePort);
        Endpoint direct = new Endpoint("direct", backendHost, backendPort);
        for (int round = 0; round < 3; round++) {
            try (Connection leaving = sluice.connect(TestDatabase.APP_USER, null, PARAMETERS); Statement s = leaving.createStatement()) {
                // A text-protocol prepared statement pins: the backend is reset when the client goes.
                s.execute("PREPARE pinned FROM 'SELECT 1'");
                s.execute("SET STATEMENT max_error_count = 0 FOR SELECT CAST('x' AS SIGNED)");
            }
            assertThat(firstWarningCount(sluice)).as("round " + round).isEqualTo(firstWarningCount(direct));
        }
    }

    /**
     * MariaDB hands a new connection the server thread of a closed one, with its count of conditions counted but not
     * stored (the test server runs without that thread cache, which is turned on here). The pool closes the idle
     * backend the leaving client used; the next client gets a new backend connection on that thread, and must
     * still read what a connection of its own reads.
     */
    @Test
    void aNewBackendConnectionDoesNotBringWhatItsServerThreadLastHeld() throws Exception {
        Endpoint sluice = new Endpoint("sluice", "127.0.0.1", sluicePort);
        Endpoint direct = new Endpoint("direct", backendHost, backendPort);
        long own = firstWarningCount(direct);
        try (Connection admin = direct.connect(TestDatabase.APP_USER, null, PARAMETERS); Statement a = admin.createStatement()) {
            a.execute("SET GLOBAL thread_cache_size = 8");
            try {
                try (Connection leaving = sluice.connect(TestDatabase.APP_USER, null, PARAMETERS); Statement s = leaving.createStatement()) {
                    s.execute("SET STATEMENT max_error_count = 0 FOR SELECT CAST('x' AS SIGNED)");
                }
                // The pool closes the idle backend; its server thread goes to the cache.
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                while (cachedThreads(a) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(cachedThreads(a)).as("server threads in the cache").isPositive();
                assertThat(firstWarningCount(sluice)).isEqualTo(own);
            } finally {
                a.execute("SET GLOBAL thread_cache_size = 0");
            }
        }
    }

    private static long cachedThreads(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Threads_cached'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    /**
     * A prepare the server refuses leaves ROW_COUNT() at -1, as any failed command does (MariaDB 10.11). Sluice
     * took a prepare for no statement at all, kept the client's row count from before (0), and set that on the
     * backend it next ran on after another client had used it (program 838 of seed 9001).
     */
    @Test
    void rowCountAfterARefusedPrepareIsMinusOneWhereverTheClientRunsNext() throws Exception {
        Endpoint sluice = new Endpoint("sluice", "127.0.0.1", sluicePort);
        Endpoint direct = new Endpoint("direct", backendHost, backendPort);
        assertThat(rowCountAfterARefusedPrepare(sluice)).isEqualTo(rowCountAfterARefusedPrepare(direct)).isEqualTo(-1);
    }

    private long rowCountAfterARefusedPrepare(Endpoint endpoint) throws Exception {
        // Server-side prepares; a refused one falls back to a client-side statement, as Connector/J does by default.
        String parameters = PARAMETERS + "&useServerPrepStmts=true&cachePrepStmts=false";
        try (Connection c = endpoint.connect(TestDatabase.APP_USER, null, parameters); Statement s = c.createStatement()) {
            s.execute("SET @x = 1");
            c.prepareStatement("INSERT INTO app.no_such_table (v) VALUES (?)").close();
            // Past the diagnostics hold: another client gets the one backend and leaves its own row count there.
            Thread.sleep(2500);
            try (Connection other = endpoint.connect(TestDatabase.APP_USER, null, PARAMETERS); Statement o = other.createStatement()) {
                o.execute("DO 1");
            }
            try (ResultSet rs = s.executeQuery("SELECT ROW_COUNT()")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * MariaDB's COM_RESET_CONNECTION keeps the count of an error counted but not stored (max_error_count = 0): the
     * client that reset reads it after, as on its own connection (program 259 of seed 4242, where Sluice had left the
     * backend and read 0), and the next client on the same backend still does not.
     */
    @Test
    void aCountKeptThroughTheClientsOwnResetIsItsAlone() throws Exception {
        Endpoint sluice = new Endpoint("sluice", "127.0.0.1", sluicePort);
        Endpoint direct = new Endpoint("direct", backendHost, backendPort);
        String own = countsAfterOwnReset(direct);
        assertThat(own).isEqualTo("1|1");
        for (int round = 0; round < 3; round++) {
            assertThat(countsAfterOwnReset(sluice)).as("round " + round).isEqualTo(own);
            assertThat(firstWarningCount(sluice)).as("round " + round).isEqualTo(firstWarningCount(direct));
        }
    }

    private static String countsAfterOwnReset(Endpoint endpoint) throws SQLException {
        try (Connection c = endpoint.connect(TestDatabase.APP_USER, null, PARAMETERS); Statement s = c.createStatement()) {
            s.execute("SET max_error_count = 0");
            try {
                s.execute("SELECT CAST(99999999999999999999999 AS SIGNED) FROM no_such_table");
            } catch (SQLException expected) {
                // Counted, not stored.
            }
            c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).resetServerState();
            try (ResultSet rs = s.executeQuery("SELECT @@warning_count, @@error_count")) {
                rs.next();
                return rs.getLong(1) + "|" + rs.getLong(2);
            }
        }
    }

    private static long firstWarningCount(Endpoint endpoint) throws SQLException {
        try (Connection c = endpoint.connect(TestDatabase.APP_USER, null, PARAMETERS); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW COUNT(*) WARNINGS")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
