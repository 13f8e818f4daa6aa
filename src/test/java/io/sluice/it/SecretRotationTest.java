package io.sluice.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.FakeSecretsManager;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static io.sluice.testing.Sql.one;
import static io.sluice.testing.FakeSecretsManager.rdsSecret;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user whose credentials are a Secrets Manager secret, rotated as AWS's rotation function does it, with the real
 * SDK talking to a local Secrets Manager and the pools logging in to the test database.
 */
@QuarkusTest
@TestProfile(SecretRotationTest.FromSecretsManager.class)
class SecretRotationTest {
    static final String SECRET = "sluice/rot";
    static final String DB_USER = "rot_user";
    static final String OLD = "rot-old-pw";
    static final String NEW = "rot-new-pw";

    public static class FromSecretsManager implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecretsManagerResource.class));
        }
    }

    /** Starts the local Secrets Manager with the secret, and gives the default credential chain static keys. */
    public static class SecretsManagerResource implements QuarkusTestResourceLifecycleManager {
        static volatile FakeSecretsManager aws;

        @Override
        public Map<String, String> start() {
            try {
                TestDatabase.get().createUser(DB_USER, OLD);
                TestDatabase.get().execute("ALTER USER '" + DB_USER + "'@'%' IDENTIFIED BY '" + OLD + "'");
                aws = FakeSecretsManager.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            aws.put(SECRET, rdsSecret(DB_USER, OLD, null, 0));
            System.setProperty("aws.accessKeyId", FakeSecretsManager.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", "test-secret-key");
            return Map.of(
                    "sluice.aws.region", FakeSecretsManager.REGION,
                    "sluice.aws.endpoint-override", aws.endpoint().toString(),
                    "sluice.users.rot.secret-id", SECRET);
        }

        @Override
        public void stop() {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
            aws.close();
        }
    }

    static Connection connect(String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port() + "/?sslMode=DISABLED", "rot", password);
    }

    @Test
    void aRotationMidwayReachesNewBackendConnectionsWhileOpenOnesStay() throws Exception {
        FakeSecretsManager aws = SecretsManagerResource.aws;
        try (Connection holder = connect(OLD)) {
            // Holds its backend connection in a transaction, so that the next client needs another one.
            holder.createStatement().execute("START TRANSACTION");
            // Logged in to the backend as the secret's username, not the name the client used.
            assertThat(one(holder, "SELECT CURRENT_USER()")).isEqualTo(DB_USER + "@%");

            // createSecret and setSecret: the database has the pending password, AWSCURRENT still the old one.
            aws.putPending(SECRET, rdsSecret(DB_USER, NEW, null, 0));
            TestDatabase.get().execute("ALTER USER '" + DB_USER + "'@'%' IDENTIFIED BY '" + NEW + "'");

            // Another client needs a new backend connection: refused with the cached password, Sluice reads
            // AWSPENDING at once, and the next attempt logs in with it. Clients may still prove the old password.
            String user = null;
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (user == null) {
                try (Connection second = connect(OLD)) {
                    user = one(second, "SELECT CURRENT_USER()");
                } catch (SQLException refused) {
                    assertThat(System.nanoTime()).as("a new backend connection within 15 s: " + refused).isLessThan(deadline);
                    Thread.sleep(100);
                }
            }
            assertThat(user).isEqualTo(DB_USER + "@%");
            assertThat(aws.requestedStages()).contains("AWSPENDING");

            // The connection opened before the rotation is still up.
            assertThat(one(holder, "SELECT 1")).isEqualTo("1");
            holder.createStatement().execute("COMMIT");
        }

        // finishSecret: applications read the new password, and log in with it.
        aws.finishRotation(SECRET);
        try (Connection updated = connect(NEW)) {
            assertThat(one(updated, "SELECT CURRENT_USER()")).isEqualTo(DB_USER + "@%");
        }
    }
}
