package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.Sql;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a single backend connection every client gets the one the previous client used: none may find the
 * previous client's schema, character set, variables or transaction there.
 */
@QuarkusTest
@TestProfile(BackendReuseTest.OneBackend.class)
class BackendReuseTest {

    public static class OneBackend implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Backend packets up to 16 MiB, MariaDB's and RDS's default max_allowed_packet (the test database takes 64M).
            return Map.of("sluice.pool.max-size", "1", "sluice.backend.jdbc-properties.maxAllowedPacket", String.valueOf(16 << 20));
        }
    }

    /** {@code params} as {@link TestDatabase#direct} takes them, each after an '&'. */
    static Connection connect(String schema, String params) throws SQLException {
        return Sql.connectTo(schema, params.replaceFirst("^&", ""));
    }

    @Test
    void theNextClientFindsNothingThePreviousOneLeft() throws Exception {
        io.sluice.testing.TestSchema.ensure();
        String fresh;
        try (Connection c = connect("app", "")) {
            fresh = one(c, "SELECT CONCAT_WS('|', DATABASE(), @@character_set_client, @@collation_connection, @@time_zone, @@sql_mode, IFNULL(@leftover, 'none'))");
        }
        try (Connection messy = connect("app", "&allowMultiQueries=true")) {
            Statement s = messy.createStatement();
            s.execute("USE other");
            s.execute("SET NAMES latin1, time_zone = '+05:00', sql_mode = 'ANSI', @leftover = 'oops'");
            s.execute("CREATE TEMPORARY TABLE leftover_tmp (id INT)");
            messy.setAutoCommit(false);
            s.execute("INSERT INTO app.counter (n) VALUES (-1)");
            // Disconnects mid-transaction.
        }
        try (Connection next = connect("app", "")) {
            assertThat(one(next, "SELECT CONCAT_WS('|', DATABASE(), @@character_set_client, @@collation_connection, @@time_zone, @@sql_mode, IFNULL(@leftover, 'none'))"))
                    .isEqualTo(fresh);
            assertThat(one(next, "SELECT COUNT(*) FROM app.counter WHERE n = -1")).isEqualTo("0");
            assertThat(one(next, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'leftover_tmp'")).isEqualTo("0");
            try (Statement s = next.createStatement()) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.execute("SELECT 1; SELECT 2")).isInstanceOf(SQLException.class);
            }
        }
        try (Connection noSchema = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port()
                + "/?sslMode=DISABLED", TestDatabase.APP_USER, TestDatabase.APP_PASSWORD)) {
            assertThat(one(noSchema, "SELECT IFNULL(DATABASE(), 'no schema')")).isEqualTo("no schema");
        }
    }

    /**
     * Preparing {@code SET @a = ?} makes MariaDB create {@code @a} as a binary NULL. When the client's next statement
     * ran on a backend where another client had left {@code @a} as a string, Sluice set it with {@code SET @a = NULL},
     * which keeps a variable's type: the client read a utf8mb3 NULL where its own connection reads a binary one
     * (program 145 of seed 31).
     */
    @Test
    void aUserVariableSetToNullTakesTheTypeTheClientGaveItNotTheOneTheBackendHad() throws Exception {
        String params = "&allowPublicKeyRetrieval=true&useServerPrepStmts=true&allowMultiQueries=true&cachePrepStmts=false";
        String direct;
        try (Connection own = TestDatabase.direct(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app", params)) {
            prepare(own);
            direct = describeA(own);
        }
        try (Connection other = connect("app", ""); Connection client = connect("app", params)) {
            one(other, "SELECT @a := _utf8mb3'left by another client'");
            prepare(client);
            // The other client's variable is put back on the one backend, then the client's own.
            one(other, "SELECT 1");
            assertThat(describeA(client)).isEqualTo(direct).contains("binary");
        }
    }

    private static void prepare(Connection c) throws SQLException {
        try (java.sql.PreparedStatement p = c.prepareStatement("SET @a = ?", Statement.RETURN_GENERATED_KEYS)) {
            p.getMetaData();
        }
    }

    /** {@code @a} as a client sees it: its column's type and length, its value and collation. */
    private static String describeA(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT @a, COLLATION(@a), COERCIBILITY(@a)")) {
            rs.next();
            var md = rs.getMetaData();
            return md.getColumnTypeName(1) + "(" + md.getPrecision(1) + ") " + rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3);
        }
    }

    /**
     * A LOAD DATA LOCAL file's packet longer than the backend's max_allowed_packet (16 MiB here, under Sluice's own
     * 64 MiB limit for a client's packet) is refused: the client reads the refusal after the end of its file, and the backend, which got
     * part of the packet and still waits for the rest of the file, is never handed on. Sluice used to give it back to
     * the pool, where the next client's query was taken for file data.
     */
    @Test
    void aFilePacketTheBackendRefusesLeavesNoBackendWaitingForTheRest() throws Exception {
        io.sluice.testing.TestSchema.ensure();
        try (Connection setup = connect("app", "")) {
            setup.createStatement().execute("CREATE TABLE IF NOT EXISTS load_refused (line TEXT)");
            setup.createStatement().execute("DELETE FROM load_refused");
        }
        try (io.sluice.testing.RawClient loader = new io.sluice.testing.RawClient(SluiceTestResource.port())) {
            assertThat(loader.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app",
                    io.sluice.protocol.CapabilityFlags.CLIENT_LOCAL_FILES).isOk()).isTrue();
            loader.socket().setSoTimeout(30_000);
            byte[] query = "\u0003LOAD DATA LOCAL INFILE 'big.txt' INTO TABLE load_refused".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            loader.write(0, query);
            io.sluice.testing.RawClient.Packet request = loader.read();
            assertThat(request.header()).as("the request for the file").isEqualTo(0xfb);
            // One file packet of 16 MiB and 100 bytes: a full physical packet, then the rest, then the empty packet.
            int full = io.sluice.protocol.PacketFramer.MAX_PHYSICAL_PAYLOAD;
            byte[] line = new byte[full];
            java.util.Arrays.fill(line, (byte) 'x');
            loader.write(2, line);
            loader.write(3, java.util.Arrays.copyOf(line, 100));
            loader.write(4, new byte[0]);
            io.sluice.testing.RawClient.Packet answer = loader.read();
            assertThat(answer.isErr()).as("refused: " + answer).isTrue();
            assertThat(answer.errorCode()).isEqualTo(1153);
            assertThat(answer.sequenceId()).as("after the file's last packet").isEqualTo(5);
            assertThat(loader.query("SELECT 'the loader carries on'").isErr()).isFalse();
        }
        try (Connection next = connect("app", "&socketTimeout=20000")) {
            assertThat(one(next, "SELECT 'the next client is answered'")).isEqualTo("the next client is answered");
            assertThat(one(next, "SELECT COUNT(*) FROM load_refused")).isEqualTo("0");
        }
    }
}
