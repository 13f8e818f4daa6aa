package io.sluice.backend;

import io.sluice.app.EmbeddedDatabase;
import io.sluice.testing.TestCertificates;
import io.sluice.testing.TestDatabase;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A MariaDB of its own with TLS, for lending TLS backend connections ({@link ChannelLoan}) in tests and the benchmark:
 * connections are opened as the pool opens its own (Sluice's socket factory, so TLS runs on Sluice's engine).
 */
public final class TlsLoanDatabase implements AutoCloseable {
    public static final String TLS_1_3 = "TLSv1.3";
    public static final String TLS_1_2 = "TLSv1.2";

    private final EmbeddedDatabase db;

    private TlsLoanDatabase(EmbeddedDatabase db) {
        this.db = db;
    }

    public static TlsLoanDatabase start() throws Exception {
        TestCertificates certs = new TestCertificates();
        Path[] server = certs.server("mariadb", 13);
        EmbeddedDatabase db = EmbeddedDatabase.start(List.of("--ssl-cert=" + server[0], "--ssl-key=" + server[1], "--ssl-ca=" + certs.caPem()));
        db.createUser(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
        return new TlsLoanDatabase(db);
    }

    /** A connection over TLS {@code version} (sslMode REQUIRED: encrypted, certificate unchecked). */
    public Connection open(String version) throws SQLException {
        return open(version, Map.of());
    }

    /** A connection over plain TCP to the same server, for comparisons. */
    public Connection openPlain() throws SQLException {
        return open(null, Map.of());
    }

    /** The same, with Connector/J properties of the test's added; {@code version} null for plain TCP. */
    public Connection open(String version, Map<String, String> more) throws SQLException {
        Map<String, String> tls = version == null ? Map.of("sslMode", "DISABLED") : Map.of("sslMode", "REQUIRED", "tlsVersions", version);
        Properties props = ConnectionSettings.properties(false, tls, Map.of());
        // After Sluice's settings, so that a test can replace them (the socket factory, say).
        props.putAll(more);
        props.setProperty("user", TestDatabase.APP_USER);
        props.setProperty("password", TestDatabase.APP_PASSWORD);
        return new com.mysql.cj.jdbc.Driver().connect(ConnectionSettings.jdbcUrl(db.host(), db.port()), props);
    }

    /** Runs statements as root: a KILL, say. */
    public void execute(String... statements) throws SQLException {
        db.execute(statements);
    }

    @Override
    public void close() throws Exception {
        db.close();
    }
}
