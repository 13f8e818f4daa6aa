package io.sluice.it;

import com.mysql.cj.jdbc.JdbcConnection;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.auth.NativePassword;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The commands beyond plain queries: files, kills, user changes, resets, and the small ones. */
@QuarkusTest
class CommandCoverageTest {
    static final String APP = TestDatabase.APP_USER;
    static final String PW = TestDatabase.APP_PASSWORD;

    static Connection mysql(int port, String params) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED&allowPublicKeyRetrieval=true"
                + (params.isEmpty() ? "" : "&" + params), APP, PW);
    }

    static Connection sluice(String params) throws SQLException {
        return mysql(SluiceTestResource.port(), params);
    }

    /** Clients pick dialect, features and authentication by the greeting: Sluice's must read as its backend's. */
    @Test
    void clientsAreGreetedAsTheBackendGreetsThem() throws Exception {
        io.sluice.protocol.HandshakeV10 database;
        io.sluice.protocol.HandshakeV10 proxied;
        try (RawClient direct = new RawClient(io.sluice.testing.Backend.port()); RawClient viaSluice = new RawClient(SluiceTestResource.port())) {
            database = direct.readHandshake();
            proxied = viaSluice.readHandshake();
        }
        assertThat(proxied.serverVersion()).isEqualTo(database.serverVersion());
        assertThat(proxied.authPluginName()).isEqualTo(database.authPluginName());
        assertThat(proxied.collationId()).isEqualTo(database.collationId());
        assertThat(proxied.capabilities() & io.sluice.protocol.CapabilityFlags.CLIENT_QUERY_ATTRIBUTES)
                .as("query attributes are not offered: Sluice does not relay them").isZero();
    }

    @Test
    void loadDataLocalIsRelayedToClientsThatEnableIt() throws Exception {
        Path file = Files.createTempFile("sluice-load", ".csv");
        StringBuilder csv = new StringBuilder();
        for (int i = 1; i <= 5000; i++) {
            csv.append(i).append(",name ").append(i).append('\n');
        }
        Files.writeString(file, csv);
        try (Connection c = sluice("allowLoadLocalInfile=true")) {
            c.createStatement().execute("CREATE TEMPORARY TABLE loaded (id INT, name VARCHAR(20))");
            int rows = c.createStatement().executeUpdate("LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE loaded FIELDS TERMINATED BY ','");
            assertThat(rows).isEqualTo(5000);
            assertThat(one(c, "SELECT SUM(id) FROM loaded")).isEqualTo("12502500");
        } finally {
            Files.delete(file);
        }
    }

    /**
     * A file of several MiB goes as packets of 1 MiB (Connector/J's blobSendChunkSize), each passed on in pieces as it
     * comes: the table it fills through Sluice is the one it fills on a direct connection.
     */
    @Test
    void aLargeLocalFilePassesThroughInPiecesAndLoadsAsItDoesDirectly() throws Exception {
        Path file = Files.createTempFile("sluice-load-large", ".csv");
        StringBuilder csv = new StringBuilder();
        for (int i = 1; i <= 200_000; i++) {
            csv.append(i).append(",name ").append(Integer.toHexString(i * 7919)).append('\n');
        }
        Files.writeString(file, csv);
        String load = "LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE loaded FIELDS TERMINATED BY ','";
        String summary = "SELECT CONCAT_WS('|', COUNT(*), SUM(id), SUM(CRC32(name))) FROM loaded";
        try (Connection viaSluice = sluice("allowLoadLocalInfile=true");
             Connection direct = TestDatabase.direct(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app", "allowLoadLocalInfile=true")) {
            for (Connection c : List.of(viaSluice, direct)) {
                c.createStatement().execute("CREATE TEMPORARY TABLE loaded (id INT, name VARCHAR(20))");
                assertThat(c.createStatement().executeUpdate(load)).isEqualTo(200_000);
            }
            assertThat(csv.length()).as("several packets of 1 MiB").isGreaterThan(3 << 20);
            assertThat(one(viaSluice, summary)).isEqualTo(one(direct, summary));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void loadDataLocalIsRefusedLikeTheServerDoesWhenTheClientDidNotEnableIt() throws Exception {
        String sql = "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE loaded";
        int directCode;
        try (Connection c = mysql(io.sluice.testing.Backend.port(), "allowLoadLocalInfile=false")) {
            c.createStatement().execute("CREATE TEMPORARY TABLE loaded (line TEXT)");
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> c.createStatement().execute(sql));
            directCode = e.getErrorCode();
        }
        try (Connection c = sluice("allowLoadLocalInfile=false")) {
            c.createStatement().execute("CREATE TEMPORARY TABLE loaded (line TEXT)");
            assertThatThrownBy(() -> c.createStatement().execute(sql))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(directCode));
            // Sluice read no file of its own on the client's behalf.
            assertThat(one(c, "SELECT COUNT(*) FROM loaded")).isEqualTo("0");
        }
    }

    @Test
    void aQueryTimeoutKillsTheQueryThroughSluicesConnectionId() throws Exception {
        try (Connection c = sluice(""); Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            long start = System.nanoTime();
            // Connector/J cancels by opening a second connection and sending KILL QUERY <handshake connection id>.
            assertThatThrownBy(() -> s.executeQuery("SELECT SLEEP(20)")).isInstanceOf(SQLTimeoutException.class);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
            assertThat(one(c, "SELECT 'alive'")).isEqualTo("alive");
        }
    }

    @Test
    void killConnectionEndsAnotherSessionOfTheSameUser() throws Exception {
        try (Connection victim = sluice(""); Connection killer = sluice("")) {
            long id = victim.unwrap(JdbcConnection.class).getId();
            killer.createStatement().execute("KILL " + id);
            assertThatThrownBy(() -> one(victim, "SELECT 1")).isInstanceOf(SQLException.class);
            assertThat(one(killer, "SELECT 'killer lives'")).isEqualTo("killer lives");
            assertThatThrownBy(() -> killer.createStatement().execute("KILL 999999"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1094));
        }
        try (Connection other = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port()
                + "/other?sslMode=DISABLED&allowPublicKeyRetrieval=true", TestDatabase.OTHER_USER, TestDatabase.OTHER_PASSWORD);
             Connection app = sluice("")) {
            long id = app.unwrap(JdbcConnection.class).getId();
            assertThatThrownBy(() -> other.createStatement().execute("KILL QUERY " + id))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1095));
        }
    }

    @Test
    void changeUserSwitchesToTheOtherUsersBackend() throws Exception {
        try (Connection c = sluice("")) {
            assertThat(one(c, "SELECT CURRENT_USER()")).startsWith("app@");
            c.unwrap(JdbcConnection.class).changeUser(TestDatabase.OTHER_USER, TestDatabase.OTHER_PASSWORD);
            assertThat(one(c, "SELECT CURRENT_USER()")).startsWith("other@");
            assertThatThrownBy(() -> c.unwrap(JdbcConnection.class).changeUser(TestDatabase.APP_USER, "wrong"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
        }
    }

    @Test
    void resetConnectionLeavesTheSameStateAsDirectly() throws Exception {
        assertThat(afterReset(SluiceTestResource.port())).isEqualTo(afterReset(io.sluice.testing.Backend.port()));
    }

    /** Session state after a latin1 client sets things, then sends COM_RESET_CONNECTION. */
    private static List<String> afterReset(int port) throws Exception {
        try (RawClient c = new RawClient(port)) {
            var hs = c.readHandshake();
            // The plugin the server proposes: caching_sha2_password's fast path (a warm cache) in front of MySQL 8.
            var plugin = io.sluice.protocol.auth.AuthPlugin.byName(hs.authPluginName()).orElse(NativePassword.INSTANCE);
            byte[] auth = plugin.expectedResponse(hs.scramble(), PW.getBytes(StandardCharsets.UTF_8));
            c.write(1, new HandshakeResponse(RawClient.DEFAULT_CAPS, 1 << 24, 8 /* latin1_swedish_ci */, APP, auth, "app",
                    plugin.name(), Map.of()).encode());
            RawClient.Packet answer = c.read();
            if (plugin == io.sluice.protocol.auth.CachingSha2Password.INSTANCE) {
                assertThat(answer.payload()).containsExactly(1, io.sluice.protocol.AuthMoreData.FAST_AUTH_SUCCESS);
                answer = c.read();
            }
            assertThat(answer.isOk()).isTrue();
            List<String> seen = new ArrayList<>();
            seen.add(textValue(c, "SELECT CONCAT_WS(',', @@character_set_client, @@collation_connection, @@character_set_results)"));
            assertThat(c.query("SET @v = 1, time_zone = '+03:00', NAMES utf8mb4").isOk()).isTrue();
            c.write(0, new byte[] {0x1f});
            assertThat(c.read().isOk()).isTrue();
            seen.add(textValue(c, "SELECT CONCAT_WS(',', @@character_set_client, @@collation_connection, @@character_set_results, "
                    + "IFNULL(@v, 'no @v'), @@time_zone, IFNULL(DATABASE(), 'no db'))"));
            return seen;
        }
    }

    /** Runs a one-row, one-column text query on a raw connection and returns the value. */
    private static String textValue(RawClient c, String sql) throws Exception {
        RawClient.Packet columns = c.query(sql);
        assertThat(columns.isErr()).as(String.valueOf(columns)).isFalse();
        c.read(); // column definition
        RawClient.Packet row = c.read();
        RawClient.Packet end = c.read();
        assertThat(end.header()).isEqualTo(0xfe);
        int length = row.payload()[0] & 0xff;
        return new String(row.payload(), 1, length, StandardCharsets.UTF_8);
    }

    @Test
    void statisticsFieldListAndPingAreServed() throws Exception {
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            assertThat(c.login(APP, PW, "app").isOk()).isTrue();
            c.write(0, new byte[] {0x09});
            RawClient.Packet stats = c.read();
            assertThat(new String(stats.payload(), StandardCharsets.US_ASCII)).startsWith("Uptime:");
            c.write(0, new byte[] {0x0e});
            assertThat(c.read().isOk()).isTrue();
            byte[] fieldList = "\u0004xtypes\0".getBytes(StandardCharsets.US_ASCII);
            c.query("CREATE TABLE IF NOT EXISTS xtypes (a INT, b VARCHAR(3))");
            c.write(0, fieldList);
            int definitions = 0;
            RawClient.Packet p;
            while ((p = c.read()).header() != 0xfe) {
                assertThat(p.isErr()).as(String.valueOf(p)).isFalse();
                definitions++;
            }
            assertThat(definitions).isEqualTo(2);
            assertThat(c.query("SELECT 1").payload()).containsExactly(1);
        }
        try (Connection c = sluice("")) {
            assertThat(c.isValid(2)).isTrue();
            c.setCatalog("other");
            assertThat(one(c, "SELECT DATABASE()")).isEqualTo("other");
            assertThatThrownBy(() -> c.setCatalog("no_such_schema"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1049));
        }
    }
}
