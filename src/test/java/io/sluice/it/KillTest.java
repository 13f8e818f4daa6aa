package io.sluice.it;

import com.mysql.cj.jdbc.JdbcConnection;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.protocol.ErrorCode;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.sluice.testing.Sql.connect;
import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * KILL never reaches a pooled backend, wherever it stands in a statement, and KILL QUERY stops only the statement
 * it names. One backend for all, so that every client's statements run on the backend a stray KILL would hit.
 */
@QuarkusTest
@TestProfile(KillTest.OneBackend.class)
class KillTest {

    public static class OneBackend implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "1", "sluice.pool.borrow-timeout", "10s");
        }
    }

    private static long sluiceId(Connection c) throws SQLException {
        return c.unwrap(JdbcConnection.class).getId();
    }

    /**
     * Each of these reached the database before, and killed the only backend (the one the client runs on, or the
     * idle one another client parked). Now each is answered by Sluice, and the backend lives on.
     */
    @Test
    void killHiddenAfterCommentsOrOtherStatementsNeverReachesTheBackend() throws Exception {
        try (Connection owner = connect(); Connection killer = connect("allowMultiQueries=true")) {
            String backend = one(owner, "SELECT CONNECTION_ID()");
            // KILL <n> names Sluice's connection n first: make sure no client of this test is called that.
            assertThat(List.of(sluiceId(owner), sluiceId(killer))).doesNotContain(Long.parseLong(backend));

            for (String sql : List.of("/* hello */ KILL " + backend, "# hello\nKILL " + backend, "-- hello\nKILL " + backend,
                    "/* a */ KILL /* b */ CONNECTION /* c */ " + backend + " /* d */;")) {
                assertThatThrownBy(() -> killer.createStatement().execute(sql)).as(sql)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(ErrorCode.ER_NO_SUCH_THREAD));
            }
            for (String sql : List.of("SELECT 1; KILL " + backend, "SELECT 1; /* x */ KILL QUERY " + backend,
                    "/*!50000 KILL " + backend + " */", "/*M!100100 KILL " + backend + " */",
                    "BEGIN NOT ATOMIC KILL " + backend + "; END", "PREPARE s FROM 'KILL " + backend + "'",
                    "EXECUTE IMMEDIATE 'KILL " + backend + "'")) {
                assertThatThrownBy(() -> killer.createStatement().execute(sql)).as(sql)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(ErrorCode.ER_NOT_SUPPORTED_YET));
            }
            assertThat(one(owner, "SELECT CONNECTION_ID()")).as("the backend survived").isEqualTo(backend);
            assertThat(one(killer, "SELECT CONNECTION_ID()")).isEqualTo(backend);
        }
    }

    /** A KILL in a server-side prepared statement would run on whichever backend executes it. */
    @Test
    void aPreparedKillIsRefused() throws Exception {
        try (Connection owner = connect(); RawClient killer = new RawClient(SluiceTestResource.port())) {
            assertThat(killer.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, null).isOk()).isTrue();
            String backend = one(owner, "SELECT CONNECTION_ID()");
            byte[] sql = ("/* x */ KILL " + backend).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] prepare = new byte[sql.length + 1];
            prepare[0] = 0x16; // COM_STMT_PREPARE
            System.arraycopy(sql, 0, prepare, 1, sql.length);
            killer.write(0, prepare);
            RawClient.Packet answer = killer.read();
            assertThat(answer.isErr()).as(String.valueOf(answer)).isTrue();
            assertThat(answer.errorCode()).isEqualTo(ErrorCode.ER_NOT_SUPPORTED_YET);
            assertThat(one(owner, "SELECT CONNECTION_ID()")).isEqualTo(backend);
        }
    }

    /**
     * KILL QUERY of a client whose statement is about to end, while another client waits for the same backend.
     * Sluice reads the victim's backend thread, then sends KILL QUERY from a connection of its own; in between the
     * victim's statement may end and the backend pass to the bystander. The bystander's statement must never be
     * the one stopped: its SLEEP would answer 1 (or fail with 1317) instead of 0.
     */
    @Test
    void killQueryNeverStopsAnotherClientsStatement() throws Exception {
        try (Connection victim = connect(); Connection bystander = connect(); RawClient killer = new RawClient(SluiceTestResource.port())) {
            assertThat(killer.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, null).isOk()).isTrue();
            long victimId = sluiceId(victim);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger bystanderRuns = new AtomicInteger();
            AtomicInteger bystanderStopped = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread victimLoop = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    try {
                        victim.createStatement().execute("DO SLEEP(0.005)");
                    } catch (SQLException e) {
                        if (e.getErrorCode() != ErrorCode.ER_QUERY_INTERRUPTED) {
                            failure.compareAndSet(null, e);
                        }
                    }
                }
            });
            Thread bystanderLoop = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    try {
                        if (!one(bystander, "SELECT SLEEP(0.05)").equals("0")) {
                            bystanderStopped.incrementAndGet();
                        }
                    } catch (SQLException e) {
                        bystanderStopped.incrementAndGet();
                    }
                    bystanderRuns.incrementAndGet();
                }
            });
            try {
                for (int i = 0; i < 150 && bystanderStopped.get() == 0; i++) {
                    RawClient.Packet answer = killer.query("KILL QUERY " + victimId);
                    assertThat(answer.isOk()).as(String.valueOf(answer)).isTrue();
                    TimeUnit.MILLISECONDS.sleep(15);
                }
            } finally {
                stop.set(true);
                victimLoop.join();
                bystanderLoop.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(bystanderStopped.get()).as("bystander statements stopped by the victim's KILL QUERY").isZero();
            assertThat(bystanderRuns.get()).as("the bystander ran").isGreaterThan(10);
        }
    }
}
