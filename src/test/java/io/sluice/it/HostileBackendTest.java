package io.sluice.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.HostileBackend;
import io.sluice.testing.HostileBackend.Action;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sluice in front of a backend that misbehaves on purpose ({@link HostileBackend}: the test MariaDB behind a relay that
 * lies when told to), with one backend connection, so that whatever a broken exchange leaves behind is what the next
 * client gets.
 */
@QuarkusTest
@TestProfile(HostileBackendTest.Profile.class)
class HostileBackendTest {
    private static volatile HostileBackend hostile;
    private static volatile int port;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "1", "sluice.pool.borrow-timeout", "10s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Resource.class));
        }
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                hostile = new HostileBackend(TestDatabase.get().port());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            port = SluiceTestResource.freePort();
            return Map.of("sluice.backend.host", "127.0.0.1", "sluice.backend.port", Integer.toString(hostile.port()),
                    "sluice.listen.port", Integer.toString(port),
                    "sluice.users.app.password", TestDatabase.APP_PASSWORD);
        }

        @Override
        public void stop() {
            try {
                hostile.close();
            } catch (Exception ignored) {
                // The JVM is done with it.
            }
        }
    }

    /** Client connections time out rather than hang: a relay that hangs fails the test instead of stalling it. */
    private static Connection client(String params) throws SQLException {
        return java.sql.DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED&socketTimeout=20000"
                + (params.isEmpty() ? "" : "&" + params), TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
    }

    @AfterEach
    void honestAgain() {
        hostile.reset();
    }

    private static Path secret() throws Exception {
        Path file = Files.createTempFile("sluice-secret", ".txt");
        Files.writeString(file, "secret-" + System.nanoTime());
        file.toFile().deleteOnExit();
        return file;
    }

    private static void assertNoFileBytesSent() {
        assertThat(hostile.uploads()).as("what Sluice sent in answer to file requests").allSatisfy(upload -> assertThat(upload).isEmpty());
    }

    /**
     * A backend asks for a file during the statement of a client that did not enable local files: Sluice sends an
     * empty one, the client gets the error its server would give, and the session carries on.
     */
    @Test
    void aFileRequestForAClientWithoutLocalFilesGetsAnEmptyFileAndTheClientAClearError() throws Exception {
        Path secret = secret();
        hostile.plan(q -> q.contains("file please") ? new Action.RequestFile(secret.toString()) : Action.FORWARD);
        try (Connection c = client("allowLoadLocalInfile=false")) {
            assertThatThrownBy(() -> one(c, "SELECT 'file please'"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(4166));
            assertThat(one(c, "SELECT 'carries on'")).isEqualTo("carries on");
        }
        assertThat(hostile.uploads()).as("the empty file").hasSize(1);
        assertNoFileBytesSent();
    }

    /** Sluice's own statements (here: asking for the collation after SET NAMES ... COLLATE) decline file requests. */
    @Test
    void sluicesOwnStatementsDeclineFileRequestsAndDoNotHang() throws Exception {
        Path secret = secret();
        AtomicBoolean asked = new AtomicBoolean();
        hostile.plan(q -> q.startsWith("SELECT @@collation_connection") && !asked.getAndSet(true)
                ? new Action.RequestFile(secret.toString()) : Action.FORWARD);
        try (Connection c = client("")) {
            try (Statement s = c.createStatement()) {
                s.execute("SET NAMES utf8mb4 COLLATE utf8mb4_bin");
            }
            assertThat(asked.get()).as("Sluice asked for the collation").isTrue();
            assertThat(one(c, "SELECT 'no hang'")).isEqualTo("no hang");
        }
        assertNoFileBytesSent();
    }

    /**
     * State replay fails (the backend answers Sluice's SET with an error, having applied it): the backend's state is
     * unknown, and it is reset before the next client gets it.
     */
    @Test
    void aBackendWhoseStateReplayFailedIsResetBeforeTheNextClient() throws Exception {
        aBackendLeftInAnUnknownStateIsNotHandedOnAsClean(HostileBackend.err("hostile backend: replay refused"));
    }

    /**
     * The backend answers Sluice's SET with a malformed OK, having applied it: the exchange ends in an exception, and
     * the backend is not given to the next client as clean.
     */
    @Test
    void aBackendWhoseExchangeBrokeOffIsNotHandedOn() throws Exception {
        // OK, session state changed (0x4000), and session-state information longer than the packet.
        byte[] malformedOk = {0x00, 0x00, 0x00, 0x02, 0x40, 0x00, 0x00, 0x00, (byte) 0xfc, (byte) 0xff, 0x7f};
        aBackendLeftInAnUnknownStateIsNotHandedOnAsClean(malformedOk);
    }

    private void aBackendLeftInAnUnknownStateIsNotHandedOnAsClean(byte[] lie) throws Exception {
        try (Connection first = client(""); Connection second = client("")) {
            try (Statement s = first.createStatement()) {
                s.execute("SET time_zone = '+05:00'");
            }
            String backend = one(first, "SELECT CONNECTION_ID()");
            try (Connection root = TestDatabase.root(); Statement s = root.createStatement()) {
                s.execute("KILL " + backend);
                // KILL returns before the killed session has closed its socket: until it has, Sluice cannot see
                // that the backend is gone, and the client's next statement would meet a dead connection instead.
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while (one(root, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + backend).equals("1")
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                Thread.sleep(50);
            }
            // The first client's next statement gets a new backend, where Sluice replays its time zone: the replay's
            // answer is the lie. The server did apply it.
            AtomicBoolean lied = new AtomicBoolean();
            hostile.plan(q -> q.startsWith("SET @@session.") && q.contains("time_zone") && !lied.getAndSet(true) ? new Action.AnswerInstead(lie) : Action.FORWARD);
            try {
                one(first, "SELECT 'replayed'");
            } catch (SQLException expected) {
                // The client is told its statement failed (or its session ended); either is fair.
            }
            assertThat(lied.get()).as("Sluice replayed the time zone").isTrue();
            hostile.reset();
            assertThat(one(second, "SELECT @@time_zone")).as("what the next client finds").isEqualTo("SYSTEM");
        }
    }
}
