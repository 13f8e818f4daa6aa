package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.protocol.ErrorCode;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import io.sluice.testing.TlsProfile;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** sluice.tls.mode=required: a plaintext client is refused with ERR 3159, as MySQL's require_secure_transport does. */
@QuarkusTest
@TestProfile(TlsRequiredTest.Required.class)
class TlsRequiredTest {

    public static class Required extends TlsProfile {
        @Override
        protected String mode() {
            return "required";
        }
    }

    @Test
    void plaintextIsRefusedAndTlsIsServed() throws Exception {
        String url = "jdbc:mysql://127.0.0.1:" + SluiceTestResource.port() + "/app?sslMode=";
        assertThatThrownBy(() -> DriverManager.getConnection(url + "DISABLED", TestDatabase.APP_USER, TestDatabase.APP_PASSWORD))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(ErrorCode.ER_SECURE_TRANSPORT_REQUIRED);
                    assertThat(e.getMessage()).contains("insecure transport");
                });
        try (Connection c = DriverManager.getConnection(url + "REQUIRED", TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
             ResultSet rs = c.createStatement().executeQuery("SELECT 'secure'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("secure");
        }
    }
}
