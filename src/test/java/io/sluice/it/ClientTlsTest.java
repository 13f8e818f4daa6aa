package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.protocol.CapabilityFlags;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import io.sluice.testing.TlsProfile;
import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/** TLS towards clients: offered, verified by real drivers, reloaded from PEM files, and caching_sha2 full authentication. */
@QuarkusTest
@TestProfile(TlsProfile.class)
class ClientTlsTest {
    static final String PW = TestDatabase.APP_PASSWORD;

    static int port() {
        return SluiceTestResource.port();
    }

    @Test
    void realDriversVerifyTheCertificateAndPlaintextStillWorks() throws Exception {
        String store = TlsProfile.certificates().trustStore().toUri().toString();
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port() + "/app?sslMode=VERIFY_IDENTITY"
                + "&trustCertificateKeyStoreUrl=" + store + "&trustCertificateKeyStorePassword=changeit&trustCertificateKeyStoreType=PKCS12",
                TestDatabase.APP_USER, PW)) {
            assertThat(one(c, "SELECT 'over tls'")).isEqualTo("over tls");
        }
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port() + "/app?sslMode=verify-full&serverSslCert="
                + TlsProfile.certificates().caPem(), TestDatabase.APP_USER, PW)) {
            assertThat(one(c, "SELECT 'mariadb over tls'")).isEqualTo("mariadb over tls");
        }
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port() + "/app?sslMode=DISABLED", TestDatabase.APP_USER, PW)) {
            assertThat(one(c, "SELECT 'plain'")).isEqualTo("plain");
        }
    }

    private static long servedSerial() throws Exception {
        try (RawClient c = new RawClient(port())) {
            assertThat(c.readHandshake().capabilities() & CapabilityFlags.CLIENT_SSL).isNotZero();
            var session = c.startTls(RawClient.DEFAULT_CAPS);
            assertThat(session.getProtocol()).isIn("TLSv1.2", "TLSv1.3");
            return ((X509Certificate) session.getPeerCertificates()[0]).getSerialNumber().longValueExact();
        }
    }

    @Test
    void aRotatedCertificateIsServedWithoutARestart() throws Exception {
        try (Connection before = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port() + "/app?sslMode=REQUIRED", TestDatabase.APP_USER, PW)) {
            long first = servedSerial();
            TlsProfile.rotate(first + 1);
            long deadline = System.currentTimeMillis() + 10_000;
            while (servedSerial() != first + 1) {
                assertThat(System.currentTimeMillis()).as("new certificate served in time").isLessThan(deadline);
                Thread.sleep(200);
            }
            // Connections made before the rotation carry on.
            assertThat(one(before, "SELECT 'still here'")).isEqualTo("still here");
        }
    }

}
