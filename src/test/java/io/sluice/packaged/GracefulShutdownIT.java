package io.sluice.packaged;

import io.sluice.testing.PackagedSluice;
import io.sluice.testing.TestDatabase;
import io.sluice.testing.TestSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SIGTERM to the packaged Sluice, as Kubernetes and ECS stop a sidecar: readiness down at once, no new clients,
 * idle clients closed, a client inside a transaction may finish it within the grace period (or gets ERR 1053
 * when it does not), and the process exits 0.
 */
class GracefulShutdownIT {
    private PackagedSluice sluice;

    @BeforeAll
    static void schema() throws SQLException {
        TestSchema.ensure();
    }

    @AfterEach
    void kill() {
        if (sluice != null) {
            sluice.close();
        }
    }

    private void start(String grace) throws Exception {
        sluice = PackagedSluice.start("sluice.shutdown.grace=" + grace);
    }

    private Connection connect() throws SQLException {
        return sluice.connect();
    }

    private int readiness() {
        return sluice.readiness();
    }

    @Test
    void aClientInsideATransactionMayFinishItThenSluiceExitsZero() throws Exception {
        start("20s");
        Connection busy = connect();
        try (Connection idle = connect()) {
            one(idle, "SELECT 1");
            busy.setAutoCommit(false);
            busy.createStatement().executeUpdate("INSERT INTO counter (n) VALUES (777)");

            sluice.process.destroy(); // SIGTERM

            long deadline = System.currentTimeMillis() + 3000;
            while (readiness() == 200 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(readiness()).as("readiness right after SIGTERM").isEqualTo(503);
            assertThatThrownBy(this::connect).as("no new clients").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> one(idle, "SELECT 1")).as("the idle client is closed").isInstanceOf(SQLException.class);

            // The transaction can still be finished.
            assertThat(one(busy, "SELECT COUNT(*) FROM counter WHERE n = 777")).isEqualTo("1");
            busy.commit();
            assertThat(sluice.process.waitFor(10, TimeUnit.SECONDS)).as("exits once its last transaction is done").isTrue();
            assertThat(sluice.process.exitValue()).isZero();
        } finally {
            try {
                busy.close();
            } catch (SQLException expected) {
                // Sluice closed it after the transaction, as it should; the driver's close-time rollback finds it gone.
            }
        }
        try (Connection direct = TestDatabase.direct(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app", "")) {
            assertThat(one(direct, "SELECT COUNT(*) FROM counter WHERE n = 777")).isEqualTo("1");
            direct.createStatement().execute("DELETE FROM counter WHERE n = 777");
        }
    }

    @Test
    void aTransactionThatOutlastsTheGracePeriodGetsAnErrorAndIsRolledBack() throws Exception {
        start("2s");
        try (Connection busy = connect()) {
            busy.setAutoCommit(false);
            busy.createStatement().executeUpdate("INSERT INTO counter (n) VALUES (888)");
            long stop = System.nanoTime();
            sluice.process.destroy();
            assertThat(sluice.process.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat((System.nanoTime() - stop) / 1_000_000).isGreaterThanOrEqualTo(1_900);
            assertThat(sluice.process.exitValue()).isZero();
            assertThatThrownBy(() -> one(busy, "SELECT 1")).isInstanceOf(SQLException.class);
        }
        try (Connection direct = TestDatabase.direct(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app", "")) {
            assertThat(one(direct, "SELECT COUNT(*) FROM counter WHERE n = 888")).isEqualTo("0");
        }
    }
}
