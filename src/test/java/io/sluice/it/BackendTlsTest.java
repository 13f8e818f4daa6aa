package io.sluice.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.app.EmbeddedDatabase;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestCertificates;
import io.sluice.testing.TestDatabase;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** TLS towards the backend, the server's certificate checked against a CA bundle (as with the RDS global bundle). */
@QuarkusTest
@TestProfile(BackendTlsTest.TlsBackend.class)
class BackendTlsTest {

    public static class TlsBackend implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Resource.class));
        }
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        private EmbeddedDatabase database;

        @Override
        public Map<String, String> start() {
            try {
                TestCertificates certs = new TestCertificates();
                Path[] server = certs.server("mariadb", 7);
                database = EmbeddedDatabase.start(List.of("--ssl-cert=" + server[0], "--ssl-key=" + server[1], "--ssl-ca=" + certs.caPem()));
                // The user may only log in over TLS: if Sluice's backend connections were plain, nothing would work.
                database.createUser(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
                database.execute("CREATE USER 'tlsuser'@'%' IDENTIFIED BY 'tls-pw' REQUIRE SSL",
                        "GRANT ALL PRIVILEGES ON *.* TO 'tlsuser'@'%'", "CREATE DATABASE IF NOT EXISTS app");
                return Map.of("sluice.backend.host", "127.0.0.1", "sluice.backend.port", Integer.toString(database.port()),
                        "sluice.backend.tls.mode", "verify-identity", "sluice.backend.tls.ca-file", certs.caPem().toString(),
                        "sluice.users.tlsuser.password", "tls-pw", "sluice.listen.port", Integer.toString(SluiceTestResource.freePort()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            try {
                database.close();
            } catch (Exception ignored) {
                // done
            }
        }
    }

    @Test
    void backendConnectionsAreEncryptedAndVerified() throws Exception {
        int port = ConfigProvider.getConfig().getValue("sluice.listen.port", Integer.class);
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED", "tlsuser", "tls-pw");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_version'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isIn("TLSv1.2", "TLSv1.3");
        }
    }
}
