package io.sluice.backend;

import io.sluice.testing.MySql8Backend;
import io.sluice.testing.TestDatabase;
import io.sluice.testing.mysql8.MySql8Face;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A MySQL 8 backend on plain TCP whose caching_sha2_password cache is empty asks for full authentication, which
 * then needs its RSA key. Fetched over plain TCP, that key could be anyone's, so Sluice's connections fetch it only
 * when told to; the refusal is recognised, so that the error can say which settings to look at.
 */
class PublicKeyRetrievalTest {

    private static Connection connect(Map<String, String> userProperties) throws SQLException {
        MySql8Face face = MySql8Backend.face();
        face.flushAuthCache();
        Properties props = ConnectionSettings.properties(false, Map.of("sslMode", "DISABLED"), userProperties);
        props.setProperty("user", TestDatabase.APP_USER);
        props.setProperty("password", TestDatabase.APP_PASSWORD);
        return new com.mysql.cj.jdbc.Driver().connect(ConnectionSettings.jdbcUrl(face.host(), face.port()), props);
    }

    @Test
    void theServersKeyIsNotFetchedOverPlainTcpUnlessAllowed() throws Exception {
        assertThatThrownBy(() -> connect(Map.of()).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(ConnectionSettings.refusedPublicKeyRetrieval(e)).isTrue());
        try (Connection c = connect(Map.of("allowPublicKeyRetrieval", "true"))) {
            assertThat(c.isValid(2)).isTrue();
        }
    }
}
