package io.sluice.packaged;

import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import io.sluice.testing.TestSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.sluice.testing.Sql.one;
import static io.sluice.testing.Sql.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SIGTERM to the packaged Sluice, as Kubernetes and ECS stop a sidecar: readiness down at once, no new clients,
 * idle clients closed, a client inside a transaction may finish it within the grace period (or gets ERR 1053
 * when it does not), and the process exits 0.
 */
class GracefulShutdownIT {
    static final Path RUNNER = Path.of("target/quarkus-app/quarkus-run.jar");
    private Process sluice;
    private int port;
    private int management;

    @BeforeAll
    static void schema() throws SQLException {
        TestSchema.ensure();
    }

    @AfterEach
    void kill() {
        if (sluice != null && sluice.isAlive()) {
            sluice.destroyForcibly();
        }
    }

    private void start(String grace) throws Exception {
        assertThat(RUNNER).as("the packaged application (mvn package)").exists();
        port = SluiceTestResource.freePort();
        management = SluiceTestResource.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dsluice.backend.host=127.0.0.1", "-Dsluice.backend.port=" + TestDatabase.get().port(),
                "-Dsluice.listen.port=" + port, "-Dquarkus.management.port=" + management,
                "-Dsluice.users.app.password=" + TestDatabase.APP_PASSWORD, "-Dsluice.shutdown.grace=" + grace,
                "-jar", RUNNER.toString()));
        Path log = Files.createTempFile("sluice-it", ".log");
        sluice = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (readiness() != 200) {
            assertThat(sluice.isAlive()).as("Sluice died: %s", Files.readString(log)).isTrue();
            assertThat(System.currentTimeMillis()).as("Sluice ready in time: %s", Files.readString(log)).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private int readiness() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED", TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
    }

    @Test
    void aClientInsideATransactionMayFinishItThenSluiceExitsZero() throws Exception {
        start("20s");
        Connection busy = connect();
        try (Connection idle = connect()) {
            one(idle, "SELECT 1");
            busy.setAutoCommit(false);
            busy.createStatement().executeUpdate("INSERT INTO counter (n) VALUES (777)");

            sluice.destroy(); // SIGTERM

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
            assertThat(sluice.waitFor(10, TimeUnit.SECONDS)).as("exits once its last transaction is done").isTrue();
            assertThat(sluice.exitValue()).isZero();
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
            sluice.destroy();
            assertThat(sluice.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat((System.nanoTime() - stop) / 1_000_000).isGreaterThanOrEqualTo(1_900);
            assertThat(sluice.exitValue()).isZero();
            assertThatThrownBy(() -> one(busy, "SELECT 1")).isInstanceOf(SQLException.class);
        }
        try (Connection direct = TestDatabase.direct(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app", "")) {
            assertThat(one(direct, "SELECT COUNT(*) FROM counter WHERE n = 888")).isEqualTo("0");
        }
    }
}
