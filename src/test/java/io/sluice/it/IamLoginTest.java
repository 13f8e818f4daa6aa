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

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * IAM database authentication towards the backend, on a real server that, like RDS with
 * {@code AWSAuthenticationPlugin}, demands the password in clear ({@code mysql_clear_password}) and decides on it
 * itself: MariaDB's PAM plugin with {@code pam_use_cleartext_plugin}, and a PAM service whose {@code pam_exec}
 * check accepts only an RDS authentication token for this server's host, port and user, signed (SigV4) with the
 * test's AWS access key. So the whole path runs: the SDK's token, TLS forced on the backend connection, the
 * clear-text exchange, the server's verdict.
 *
 * <p>PAM reads its services from {@code /etc/pam.d} only, so the test writes one there (and removes it): the test
 * run must be root, as the CI machines are (it installs packages).
 */
@QuarkusTest
@TestProfile(IamLoginTest.IamBackend.class)
class IamLoginTest {
    static final String USER = "iamuser";
    static final String CLIENT_PASSWORD = "iam-client-pw";
    static final String ACCESS_KEY = "AKIDSLUICEIAMTEST";

    public static class IamBackend implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Resource.class));
        }
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        static Path tokensSeen;
        private EmbeddedDatabase database;
        private Path pamService;

        @Override
        public Map<String, String> start() {
            try {
                TestCertificates certs = new TestCertificates();
                Path[] server = certs.server("mariadb", 7);
                database = EmbeddedDatabase.start(List.of("--ssl-cert=" + server[0], "--ssl-key=" + server[1], "--ssl-ca=" + certs.caPem(),
                        // v1 runs PAM inside the server process; v2's setuid helper would add nothing here.
                        "--plugin-load-add=auth_pam_v1.so", "--pam-use-cleartext-plugin=ON"));
                Path dir = Files.createTempDirectory("sluice-iam");
                tokensSeen = dir.resolve("tokens");
                Path check = dir.resolve("check-token.sh");
                Files.writeString(check, checkScript(database.port(), tokensSeen));
                Files.setPosixFilePermissions(check, PosixFilePermissions.fromString("rwx------"));
                String service = "sluice-iam-" + ProcessHandle.current().pid();
                pamService = Path.of("/etc/pam.d", service);
                if (!Files.isWritable(pamService.getParent())) {
                    throw new IllegalStateException("IamLoginTest writes a PAM service to /etc/pam.d: run the tests as root, as .ci/run does");
                }
                Files.writeString(pamService, "auth required pam_exec.so expose_authtok quiet " + check + "\naccount required pam_permit.so\n");
                // The suite's default user too, so that Sluice's start-up probe finds the server healthy.
                database.createUser(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
                database.execute("CREATE USER '" + USER + "'@'%' IDENTIFIED VIA pam USING '" + service + "' REQUIRE SSL",
                        "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%'", "CREATE DATABASE IF NOT EXISTS app");
                System.setProperty("aws.accessKeyId", ACCESS_KEY);
                System.setProperty("aws.secretAccessKey", "iam-test-secret-key");
                // The backend is on loopback, so TLS towards it is off by default: iam-auth must turn it on by itself.
                return Map.of("sluice.backend.host", "127.0.0.1", "sluice.backend.port", Integer.toString(database.port()),
                        "sluice.aws.region", "us-east-1",
                        "sluice.users." + USER + ".password", CLIENT_PASSWORD,
                        "sluice.users." + USER + ".iam-auth", "true",
                        "sluice.listen.port", Integer.toString(SluiceTestResource.freePort()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Accepts what RDS would: a presigned {@code connect} request for this host, port and user, SigV4 with the
         * test's key in us-east-1 for rds-db, valid 15 minutes. (Checking the signature itself would mean
         * re-implementing SigV4 in a shell script; that the SDK signs correctly is the SDK's business.)
         */
        static String checkScript(int port, Path tokens) {
            return """
                    #!/bin/sh
                    read -r token
                    case "$token" in "127.0.0.1:%d/?"*) ;; *) exit 1 ;; esac
                    for part in "Action=connect" "DBUser=$PAM_USER" "X-Amz-Algorithm=AWS4-HMAC-SHA256" \\
                        "X-Amz-Credential=%s%%2F" "%%2Fus-east-1%%2Frds-db%%2Faws4_request" "X-Amz-Expires=900" "X-Amz-Signature="; do
                      case "$token" in *"$part"*) ;; *) exit 1 ;; esac
                    done
                    echo "$token" >> %s
                    """.formatted(port, ACCESS_KEY, tokens);
        }

        @Override
        public void stop() {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
            try {
                Files.deleteIfExists(pamService);
                database.close();
            } catch (Exception ignored) {
                // done
            }
        }
    }

    static Connection connect(String password) throws SQLException {
        int port = ConfigProvider.getConfig().getValue("sluice.listen.port", Integer.class);
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED", USER, password);
    }

    @Test
    void theBackendAcceptsSluicesTokenOverTls() throws Exception {
        try (Connection c = connect(CLIENT_PASSWORD)) {
            assertThat(one(c, "SELECT CURRENT_USER()")).isEqualTo(USER + "@%");
            assertThat(one(c, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_version'"))
                    .isIn("TLSv1.2", "TLSv1.3");
        }
        List<String> tokens = Files.readAllLines(Resource.tokensSeen);
        assertThat(tokens).isNotEmpty();
        // The client's own password never reaches the backend: the server saw tokens only.
        assertThat(tokens).noneMatch(t -> t.contains(CLIENT_PASSWORD));
    }

    @Test
    void theClientStillNeedsItsOwnPassword() {
        assertThatThrownBy(() -> connect("not-the-password").close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1045));
    }
}
