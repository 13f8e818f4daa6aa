package io.sluice.backend;

import io.sluice.app.EmbeddedDatabase;
import io.sluice.config.SluiceConfig.BackendTlsMode;
import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.OkPacket;
import io.sluice.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Backend connections as Sluice opens them (ConnectionSettings, BackendTls), to a MariaDB with TLS whose certificate
 * names only "localhost": the TLS is Sluice's own engine ({@link ProbingSocketFactory#performTlsHandshake}), set up
 * from Connector/J's properties as Connector/J would set up its own.
 */
class EngineTlsTest {
    private static TestCertificates certs;
    private static TestCertificates otherCa;
    private static EmbeddedDatabase db;

    @BeforeAll
    static void start() throws Exception {
        certs = new TestCertificates();
        otherCa = new TestCertificates();
        Path[] server = certs.serverNamed("mariadb", 7, "localhost");
        db = EmbeddedDatabase.start(List.of("--ssl-cert=" + server[0], "--ssl-key=" + server[1], "--ssl-ca=" + certs.caPem()));
        db.execute("CREATE USER 'tls'@'%' IDENTIFIED BY 'tls-pw' REQUIRE SSL", "GRANT ALL PRIVILEGES ON *.* TO 'tls'@'%'",
                "CREATE USER 'plain'@'%' IDENTIFIED BY 'plain-pw'", "GRANT ALL PRIVILEGES ON *.* TO 'plain'@'%'",
                "CREATE USER 'x509'@'%' IDENTIFIED BY 'x509-pw' REQUIRE X509", "GRANT ALL PRIVILEGES ON *.* TO 'x509'@'%'");
    }

    @AfterAll
    static void stop() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    private static Connection connect(String host, BackendTlsMode mode, Path caFile, Map<String, String> userProperties) throws SQLException {
        return connect(host, mode, caFile, userProperties, "tls", "tls-pw", null);
    }

    /** A connection as the pool opens one; {@code socketFactory} replaces Sluice's where not null. */
    private static Connection connect(String host, BackendTlsMode mode, Path caFile, Map<String, String> userProperties,
                                      String user, String password, Class<?> socketFactory) throws SQLException {
        Properties p = ConnectionSettings.properties(false, BackendTls.properties(mode, Optional.ofNullable(caFile), false), userProperties);
        p.setProperty("user", user);
        p.setProperty("password", password);
        if (socketFactory != null) {
            p.setProperty("socketFactory", socketFactory.getName());
        }
        return new com.mysql.cj.jdbc.Driver().connect(ConnectionSettings.jdbcUrl(host, db.port()), p);
    }

    private static String status(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE '" + name + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(2);
        }
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> all = new ArrayList<>();
        for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) {
            all.add(c);
        }
        return all;
    }

    @Test
    void tlsRunsOnSluicesEngineOverTheChannel() throws Exception {
        try (Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of())) {
            BackendConnection backend = BackendConnection.attach(c);
            SSLEngine engine = backend.tlsEngine();
            assertThat(engine).isNotNull();
            assertThat(engine.getUseClientMode()).isTrue();
            assertThat(engine.getSession().getProtocol()).isEqualTo(status(c, "Ssl_version"));
            assertThat(engine.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
            // What Connector/J reads and writes is the socket over that engine, an SSLSocket as it requires.
            var socket = ((com.mysql.cj.NativeSession) ((com.mysql.cj.jdbc.JdbcConnection) c).getSession()).getProtocol().getSocketConnection();
            assertThat(socket.getMysqlSocket()).isInstanceOf(SSLSocket.class);
            assertThat(socket.isSSLEstablished()).isTrue();
            SocketChannel channel = backend.socketChannel();
            assertThat(channel).isNotNull();
            assertThat(channel.isOpen()).isTrue();
            assertThat(channel.isBlocking()).isTrue();
        }
    }

    @Test
    void plainTcpHasNoEngine() throws Exception {
        try (Connection c = connect("127.0.0.1", BackendTlsMode.DISABLED, null, Map.of(), "plain", "plain-pw", null)) {
            BackendConnection backend = BackendConnection.attach(c);
            assertThat(status(c, "Ssl_version")).isEmpty();
            assertThat(backend.tlsEngine()).isNull();
            assertThat(backend.socketChannel()).isNotNull();
        }
    }

    @Test
    void verifyCaRejectsACertificateFromAnotherCa() throws Exception {
        assertThatThrownBy(() -> connect("localhost", BackendTlsMode.VERIFY_CA, otherCa.caPem(), Map.of()).close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(causes(e)).anyMatch(SSLHandshakeException.class::isInstance));
        try (Connection c = connect("127.0.0.1", BackendTlsMode.VERIFY_CA, certs.caPem(), Map.of())) {
            assertThat(BackendConnection.attach(c).tlsEngine()).isNotNull();
        }
    }

    @Test
    void requiredEncryptsWhateverTheCertificate() throws Exception {
        // No CA at all, and the host is not the certificate's name.
        try (Connection c = connect("127.0.0.1", BackendTlsMode.REQUIRED, null, Map.of())) {
            assertThat(BackendConnection.attach(c).tlsEngine()).isNotNull();
            assertThat(status(c, "Ssl_version")).startsWith("TLSv1.");
        }
        // Connector/J's PREFERRED, set by the user: TLS where the server has it, on the same terms as REQUIRED.
        try (Connection c = connect("127.0.0.1", BackendTlsMode.DISABLED, null, Map.of("sslMode", "PREFERRED"))) {
            assertThat(BackendConnection.attach(c).tlsEngine()).isNotNull();
            assertThat(status(c, "Ssl_version")).startsWith("TLSv1.");
        }
    }

    @Test
    void verifyIdentityChecksTheHostName() throws Exception {
        // The certificate names localhost only: 127.0.0.1 is the same server, but not the name it was issued for.
        assertThatThrownBy(() -> connect("127.0.0.1", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of()).close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(causes(e)).anyMatch(t -> t instanceof SSLHandshakeException && String.valueOf(t.getMessage()).contains("127.0.0.1")));
        try (Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of())) {
            assertThat(c.isValid(2)).isTrue();
        }
    }

    @Test
    void aPinnedVersionIsWhatTheSessionNegotiates() throws Exception {
        try (Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of("tlsVersions", "TLSv1.2"))) {
            assertThat(status(c, "Ssl_version")).isEqualTo("TLSv1.2");
            assertThat(BackendConnection.attach(c).tlsEngine().getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
        // Connector/J's older name for it, and a cipher suite pinned too.
        try (Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(),
                Map.of("enabledTLSProtocols", "TLSv1.2", "tlsCiphersuites", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"))) {
            assertThat(status(c, "Ssl_version")).isEqualTo("TLSv1.2");
            assertThat(status(c, "Ssl_cipher")).isEqualTo("ECDHE-RSA-AES256-GCM-SHA384");
        }
        // Unpinned, the newest both sides have.
        try (Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of())) {
            assertThat(status(c, "Ssl_version")).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void queriesOfEverySizeAlternateWithIsValidAndSluicesOwnCommands() throws Exception {
        for (String version : List.of("TLSv1.3", "TLSv1.2")) {
            try (Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of("tlsVersions", version));
                 PreparedStatement ps = c.prepareStatement("SELECT REPEAT('x', ?), LENGTH(?)")) {
                BackendConnection backend = BackendConnection.attach(c);
                SSLEngine engine = backend.tlsEngine();
                byte[] doOne = "\u0003DO 1".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 1000; i++) {
                    // Mostly small answers; now and then rows and statements of several TLS records (16 KiB each).
                    int answer = i % 100 == 0 ? 300_000 : i % 37;
                    String sent = i % 100 == 50 ? "y".repeat(200_000) : "q" + i;
                    ps.setInt(1, answer);
                    ps.setString(2, sent);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).hasSize(answer);
                        assertThat(rs.getInt(2)).isEqualTo(sent.length());
                    }
                    assertThat(c.isValid(2)).as("isValid after query %d", i).isTrue();
                    if (i % 10 == 0) {
                        byte[] ok = backend.call(doOne);
                        assertThat(ok[0] & 0xff).isEqualTo(OkPacket.HEADER);
                    }
                }
                assertThat(backend.tlsEngine()).isSameAs(engine);
                assertThat(engine.getSession().getProtocol()).isEqualTo(version);
            }
        }
    }

    @Test
    void theSocketTimeoutReachesReadsThroughTheEngine() throws Exception {
        try (Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of("socketTimeout", "1000"))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT SLEEP(10)").close()).isInstanceOf(SQLException.class);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(900L, 6_000L);
        }
    }

    @Test
    void closeSaysGoodbyeAndClosesTheChannel() throws Exception {
        Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of());
        BackendConnection backend = BackendConnection.attach(c);
        SSLEngine engine = backend.tlsEngine();
        SocketChannel channel = backend.socketChannel();
        long threadId = backend.threadId();
        assertThat(serverHas(threadId)).isTrue();
        c.close();
        assertThat(engine.isOutboundDone()).as("close_notify sent").isTrue();
        assertThat(channel.isOpen()).isFalse();
        awaitGone(threadId);

        // An abort (a connection that cannot be trusted) closes as well.
        Connection d = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of());
        BackendConnection aborted = BackendConnection.attach(d);
        SocketChannel abortedChannel = aborted.socketChannel();
        aborted.abort();
        assertThat(abortedChannel.isOpen()).isFalse();
        awaitGone(aborted.threadId());
    }

    private static boolean serverHas(long threadId) throws SQLException {
        try (Connection root = DriverManager.getConnection(db.jdbcUrl(null), "root", "");
             ResultSet rs = root.createStatement().executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + threadId)) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    private static void awaitGone(long threadId) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (serverHas(threadId)) {
            assertThat(System.nanoTime()).as("server still has connection %d", threadId).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void theClientCertificateComesFromTheConfiguredKeyStore() throws Exception {
        assertThatThrownBy(() -> connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of(), "x509", "x509-pw", null).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
        Path keyStore = certs.clientKeyStore("sluice-client");
        Map<String, String> client = Map.of("clientCertificateKeyStoreUrl", keyStore.toUri().toString(),
                "clientCertificateKeyStoreType", "PKCS12", "clientCertificateKeyStorePassword", "changeit");
        try (Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), client, "x509", "x509-pw", null);
             ResultSet rs = c.createStatement().executeQuery("SELECT CURRENT_USER()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("x509@%");
            assertThat(BackendConnection.attach(c).tlsEngine().getSession().getLocalCertificates()).isNotEmpty();
        }
    }

    /** Sluice's factory, shaping away a capability MariaDB offers, so that the shaping can be seen. */
    public static class ShapingSessionTrackAway extends ProbingSocketFactory {
        @Override
        protected int shapedAway() {
            return super.shapedAway() | CapabilityFlags.CLIENT_SESSION_TRACK;
        }
    }

    @Test
    void theGreetingIsShapedBeforeTls() throws Exception {
        try (Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of())) {
            assertThat(BackendConnection.attach(c).clientFlags() & CapabilityFlags.CLIENT_SESSION_TRACK).isNotZero();
        }
        try (Connection c = connect("localhost", BackendTlsMode.VERIFY_IDENTITY, certs.caPem(), Map.of(), "tls", "tls-pw", ShapingSessionTrackAway.class)) {
            BackendConnection backend = BackendConnection.attach(c);
            assertThat(backend.clientFlags() & CapabilityFlags.CLIENT_SESSION_TRACK).isZero();
            assertThat(backend.clientFlags() & CapabilityFlags.CLIENT_SSL).isNotZero();
            assertThat(backend.tlsEngine()).isNotNull();
            assertThat(c.isValid(2)).isTrue();
        }
    }
}
