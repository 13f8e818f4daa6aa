package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

import static io.sluice.testing.Sql.connect;
import static io.sluice.testing.Sql.connectTo;
import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A login needs no backend once its user has entered the schema it names: with the only backend held by another
 * client's transaction, a client still logs in at once. A schema not seen yet is checked on a backend (ERR 1049 at
 * login when it does not exist); one dropped since it was seen fails the first statement that needs it, and then
 * the logins that name it.
 */
@QuarkusTest
@TestProfile(LoginWithoutBackendTest.OneBackend.class)
class LoginWithoutBackendTest {

    public static class OneBackend implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "1", "sluice.pool.borrow-timeout", "1s");
        }
    }

    @Test
    void aClientLogsInWhileTheOnlyBackendIsHeldWhenItsSchemaIsKnown() throws Exception {
        // A schema no backend has entered yet, so that first's login enters it now: one entered before (by the other
        // test) could reach the end of sluice.pool.schema-recheck while first holds the backend.
        String schema = "login_known_" + System.nanoTime();
        TestDatabase.get().execute("CREATE DATABASE " + schema);
        TestDatabase.get().execute("CREATE TABLE " + schema + ".login_probe (id INT) ENGINE=InnoDB");
        try (Connection first = connectTo(schema, "")) {
            assertThat(one(first, "SELECT DATABASE()")).isEqualTo(schema);
            first.setAutoCommit(false);
            one(first, "SELECT COUNT(*) FROM login_probe");
            // The only backend is in first's transaction now.
            // The login alone (a driver such as Connector/J runs statements of its own next, which wait as any would).
            try (RawClient second = new RawClient(SluiceTestResource.port())) {
                long started = System.nanoTime();
                assertThat(second.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, schema).isOk()).as("login").isTrue();
                assertThat((System.nanoTime() - started) / 1_000_000).as("ms the login took, the borrow timeout being 1 s").isLessThan(900);
                first.commit();
                assertThat(second.query("SELECT 1").isErr()).isFalse();
            }
        } finally {
            TestDatabase.get().execute("DROP DATABASE " + schema);
        }
    }

    @Test
    void aSchemaDroppedSinceItWasSeenFailsTheFirstStatementThatNeedsItThenTheLogin() throws Exception {
        TestDatabase.get().execute("CREATE DATABASE IF NOT EXISTS login_dropped");
        try (Connection c = connectTo("login_dropped", "")) {
            assertThat(one(c, "SELECT DATABASE()")).isEqualTo("login_dropped");
        }
        try (Connection c = connect()) {
            // The only backend leaves login_dropped for app.
            assertThat(one(c, "SELECT DATABASE()")).isEqualTo("app");
        }
        TestDatabase.get().execute("DROP DATABASE login_dropped");
        // Let in as a schema seen within sluice.pool.schema-recheck; its first statement finds it gone (a driver
        // that runs statements of its own as it connects fails to connect, with the same error).
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "login_dropped").isOk()).as("login").isTrue();
            assertThat(c.query("SELECT 1").errorCode()).as("the first statement's error").isEqualTo(1049);
        }
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "login_dropped").errorCode())
                    .as("a login naming it once a backend refused it").isEqualTo(1049);
        }
    }
}
