package io.sluice.backend;

import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.Map;
import java.util.Properties;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connector/J's {@code localSocketAddress}, given through {@code sluice.backend.jdbc-properties}, picks the address
 * Sluice's backend connections come from, through Sluice's own socket factory: the database sees that client host.
 * (Several instances on one machine, each from its own loopback address, look like pods on their own IPs.)
 */
class LocalSocketAddressTest {
    @Test
    void backendConnectionsComeFromTheConfiguredLocalAddress() throws Exception {
        for (String local : new String[] {"127.0.0.2", "127.0.0.3"}) {
            Properties props = ConnectionSettings.properties(true, Map.of(), Map.of("localSocketAddress", local));
            assertThat(props.getProperty("socketFactory")).isEqualTo(ProbingSocketFactory.class.getName());
            props.setProperty("user", TestDatabase.APP_USER);
            props.setProperty("password", TestDatabase.APP_PASSWORD);
            var db = TestDatabase.get();
            try (Connection c = new com.mysql.cj.jdbc.Driver().connect(ConnectionSettings.jdbcUrl(db.host(), db.port()), props)) {
                String host = one(c, "SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()");
                assertThat(host).startsWith(local + ":");
            }
        }
    }
}
