package io.sluice.backend;

import io.sluice.credentials.Credential;
import io.sluice.testing.HostileBackend;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connector/J as Sluice configures it never reads a local file, whatever the server asks, in anything it does on its
 * own: connecting (its setup queries), Sluice's statements through {@link BackendConnection}, changeUser (taking a
 * backend out of its schema), validation, and a statement of its own such as the KILL QUERY connection's. A hostile
 * backend answers the n-th query of that life with a LOCAL INFILE request for a secret file, for every n in turn.
 */
class ConnectorJLocalFilesTest {
    private static HostileBackend hostile;
    private static Path secret;
    private static byte[] secretBytes;

    @BeforeAll
    static void start() throws Exception {
        hostile = new HostileBackend(TestDatabase.get().port());
        secret = Files.createTempFile("sluice-secret", ".txt");
        secretBytes = ("service-account-token-" + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
        Files.write(secret, secretBytes);
    }

    @AfterAll
    static void stop() throws Exception {
        hostile.close();
        Files.deleteIfExists(secret);
    }

    /** The connection's life as a pooled backend, run until the hostile answer breaks it. */
    private static void life(Map<String, String> tls, Map<String, String> userProperties) throws Exception {
        Properties props = ConnectionSettings.properties(false, tls, userProperties);
        props.setProperty("user", TestDatabase.APP_USER);
        props.setProperty("password", TestDatabase.APP_PASSWORD);
        // A hang would be a failure too: it shows as an exception and the loop goes on.
        props.setProperty("socketTimeout", "20000");
        try (Connection c = new com.mysql.cj.jdbc.Driver().connect(ConnectionSettings.jdbcUrl("127.0.0.1", hostile.port()), props)) {
            BackendConnection backend = BackendConnection.attach(c);
            backend.enableSessionTracking();
            c.isValid(2);
            backend.changeUser(Credential.of(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD));
            try (var s = c.createStatement()) {
                s.execute("SELECT 'a statement of its own'");
            }
        }
    }

    private static void assertNothingOfTheFileLeft() {
        for (byte[] upload : hostile.uploads()) {
            assertThat(new String(upload, StandardCharsets.ISO_8859_1)).as("bytes sent in answer to a file request")
                    .doesNotContain(new String(secretBytes, StandardCharsets.ISO_8859_1));
            assertThat(upload).as("Connector/J declines with an empty packet").isEmpty();
        }
    }

    private static void everyQueryInTurnAsksForTheFile(Map<String, String> tls, Map<String, String> userProperties) throws Exception {
        int asked = 0;
        int hangs = 0;
        for (int n = 1; n < 50; n++) {
            hostile.reset();
            AtomicInteger seen = new AtomicInteger();
            int target = n;
            hostile.plan(q -> seen.incrementAndGet() == target ? new HostileBackend.Action.RequestFile(secret.toString()) : HostileBackend.Action.FORWARD);
            try {
                life(tls, userProperties);
            } catch (Exception broken) {
                // The refused request breaks the query that brought it; what matters is what was sent.
                hangs += broken.toString().contains("Read timed out") || String.valueOf(broken.getCause()).contains("Read timed out") ? 1 : 0;
            }
            assertNothingOfTheFileLeft();
            if (seen.get() < target) {
                break;
            }
            asked++;
        }
        assertThat(asked).as("queries answered with a file request").isGreaterThanOrEqualTo(3);
        assertThat(hangs).as("lives that hung").isZero();
    }

    @Test
    void noQueryOfConnectorJsOwnEverSendsAFile() throws Exception {
        everyQueryInTurnAsksForTheFile(Map.of("sslMode", "DISABLED"), Map.of());
    }

    /** sluice.backend.jdbc-properties cannot turn file reading back on, in any spelling. */
    @Test
    void userPropertiesCannotAllowFileReads() throws Exception {
        everyQueryInTurnAsksForTheFile(Map.of("sslMode", "DISABLED"), Map.of("ALLOWLOADLOCALINFILE", "true",
                "allowLoadLocalInfileInPath", secret.getParent().toString(), "allowUrlInLocalInfile", "true"));
    }

    /** The server's RSA key is fetched only over TLS, or when the user asks for it. */
    @Test
    void publicKeyRetrievalOnlyOverTlsOrWhenAskedFor() {
        assertThat(ConnectionSettings.properties(false, Map.of("sslMode", "DISABLED"), Map.of()).getProperty("allowPublicKeyRetrieval"))
                .isEqualTo("false");
        assertThat(ConnectionSettings.properties(false, Map.of(), Map.of()).getProperty("allowPublicKeyRetrieval"))
                .as("Connector/J's default sslMode PREFERRED may fall back to plain TCP").isEqualTo("false");
        for (String mode : List.of("REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY")) {
            assertThat(ConnectionSettings.properties(false, Map.of("sslMode", mode), Map.of()).getProperty("allowPublicKeyRetrieval"))
                    .isEqualTo("true");
        }
        assertThat(ConnectionSettings.properties(false, Map.of("sslMode", "DISABLED"), Map.of("allowPublicKeyRetrieval", "true"))
                .getProperty("allowPublicKeyRetrieval")).isEqualTo("true");
    }
}
