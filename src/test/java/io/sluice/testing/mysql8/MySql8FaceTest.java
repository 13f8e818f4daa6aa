package io.sluice.testing.mysql8;

import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.jdbc.JdbcStatement;
import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.HandshakeV10;
import io.sluice.protocol.OkPacket;
import io.sluice.protocol.PayloadReader;
import io.sluice.protocol.PayloadWriter;
import io.sluice.protocol.ServerStatus;
import io.sluice.protocol.auth.CachingSha2Password;
import io.sluice.testing.ExternalProcess;
import io.sluice.testing.RawClient;
import io.sluice.testing.TestDatabase;
import io.sluice.testing.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The MySQL 8.4 face, seen by MySQL Connector/J, the mariadb CLI and hand-written packets. Where a result can be
 * compared with MariaDB seen directly, it is.
 */
class MySql8FaceTest {
    private static MySql8Face face;

    @BeforeAll
    static void start() throws Exception {
        TestSchema.ensure();
        face = MySql8Face.inFrontOfTestDatabase();
    }

    @AfterAll
    static void stop() {
        face.close();
    }

    @AfterEach
    void noConnectionThreadFailed() {
        assertThat(face.failures()).isEmpty();
    }

    static Connection connect(String params) throws SQLException {
        return connect(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, params);
    }

    static Connection connect(String user, String password, String params) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + face.port() + "/app?sslMode=DISABLED&allowPublicKeyRetrieval=true"
                + (params.isEmpty() ? "" : "&" + params), user, password);
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    // --- greeting and authentication ---

    @Test
    void greetsAsMySql84WithMariaDbsThreadId() throws Exception {
        try (RawClient raw = new RawClient(face.port())) {
            HandshakeV10 greeting = raw.readHandshake();
            assertThat(greeting.serverVersion()).isEqualTo("8.4.3");
            assertThat(greeting.capabilities()).isEqualTo(MySql8Face.CAPABILITIES);
            assertThat(greeting.capabilities() & CapabilityFlags.CLIENT_SSL).isZero();
            assertThat(greeting.capabilities() & CapabilityFlags.CLIENT_QUERY_ATTRIBUTES).isNotZero();
            assertThat(greeting.collationId()).isEqualTo(255);
            assertThat(greeting.authPluginName()).isEqualTo("caching_sha2_password");
        }
        try (Connection c = connect("")) {
            assertThat(c.getMetaData().getDatabaseProductVersion()).isEqualTo("8.4.3");
            assertThat(Long.parseLong(one(c, "SELECT CONNECTION_ID()"))).isEqualTo(((JdbcConnection) c).getId());
        }
    }

    @Test
    void firstLoginAuthenticatesInFullAndTheNextTakesTheFastPath() throws Exception {
        face.flushAuthCache();
        int full = face.fullAuthentications();
        int fast = face.fastAuthentications();
        try (Connection c = connect("")) {
            assertThat(one(c, "SELECT CURRENT_USER()")).isEqualTo("app@%");
        }
        assertThat(face.fullAuthentications()).isEqualTo(full + 1);
        try (Connection c = connect("")) {
            assertThat(one(c, "SELECT 1")).isEqualTo("1");
        }
        assertThat(face.fullAuthentications()).isEqualTo(full + 1);
        assertThat(face.fastAuthentications()).isEqualTo(fast + 1);

        face.flushAuthCache();
        try (Connection c = connect("")) {
            assertThat(one(c, "SELECT 1")).isEqualTo("1");
        }
        assertThat(face.fullAuthentications()).isEqualTo(full + 2);
    }

    @Test
    void rootWithoutPasswordLogsIn() throws Exception {
        try (Connection c = connect("root", "", "")) {
            assertThat(one(c, "SELECT CURRENT_USER()")).startsWith("root@");
        }
    }

    @Test
    void wrongPasswordIsDeniedInMySqlsWords() throws Exception {
        face.flushAuthCache();
        assertDenied();
        try (Connection c = connect("")) {
            // the account is cached now: a wrong scramble answer misses the fast path and fails full authentication
            assertThat(one(c, "SELECT 1")).isEqualTo("1");
        }
        assertDenied();
        assertThatThrownBy(() -> connect("nobody", "x", "")).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getErrorCode()).isEqualTo(1045));
    }

    private static void assertDenied() {
        assertThatThrownBy(() -> connect(TestDatabase.APP_USER, "wrong", "")).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getErrorCode()).isEqualTo(1045);
            assertThat(e.getSQLState()).isEqualTo("28000");
            assertThat(e.getMessage()).isEqualTo("Access denied for user 'app'@'127.0.0.1' (using password: YES)");
        });
    }

    @Test
    void changeUserAuthenticatesAgainAndSwitchesOnMariaDb() throws Exception {
        try (Connection c = connect("")) {
            JdbcConnection jc = (JdbcConnection) c;
            face.flushAuthCache();
            int full = face.fullAuthentications();
            jc.changeUser(TestDatabase.OTHER_USER, TestDatabase.OTHER_PASSWORD);
            assertThat(one(c, "SELECT CURRENT_USER()")).isEqualTo("other@%");
            assertThat(face.fullAuthentications()).isEqualTo(full + 1);
            jc.changeUser(TestDatabase.OTHER_USER, TestDatabase.OTHER_PASSWORD);
            assertThat(face.fullAuthentications()).isEqualTo(full + 1);
            jc.changeUser(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
            assertThat(one(c, "SELECT CURRENT_USER()")).isEqualTo("app@%");
            assertThat(Long.parseLong(one(c, "SELECT CONNECTION_ID()"))).isEqualTo(jc.getId());
        }
    }

    // --- commands ---

    @Test
    void textAndServerPreparedResultsMatchMariaDbSeenDirectly() throws Exception {
        String sql = "SELECT * FROM app.types ORDER BY id";
        for (String params : List.of("useServerPrepStmts=false", "useServerPrepStmts=true", "useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=1")) {
            List<List<String>> direct;
            try (Connection c = TestDatabase.direct(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app", params)) {
                direct = rows(c, sql);
            }
            assertThat(direct).hasSize(3);
            try (Connection c = connect(params)) {
                assertThat(rows(c, sql)).as(params).isEqualTo(direct);
            }
        }
    }

    private static List<List<String>> rows(Connection c, String sql) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.add(md.getColumnLabel(i) + "=" + rs.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    @Test
    void serverPreparedStatementsBindParametersOfManyTypes() throws Exception {
        try (Connection c = connect("useServerPrepStmts=true&cachePrepStmts=true"); Statement s = c.createStatement()) {
            s.execute("CREATE TEMPORARY TABLE typed (i INT, bi BIGINT, de DECIMAL(20,6), d DOUBLE, f FLOAT, vc VARCHAR(50),"
                    + " dt DATE, tm TIME(3), dtt DATETIME(6), bo BOOLEAN, bl BLOB, n INT)");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO typed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int round = 0; round < 2; round++) {
                    insert.setInt(1, -7 - round);
                    insert.setLong(2, Long.MIN_VALUE + round);
                    insert.setBigDecimal(3, new BigDecimal("-12345678901234.123456"));
                    insert.setDouble(4, Math.E);
                    insert.setFloat(5, 1.5f);
                    insert.setString(6, "héllo ✓ " + round);
                    insert.setDate(7, java.sql.Date.valueOf("2024-02-29"));
                    insert.setTime(8, java.sql.Time.valueOf("23:59:58"));
                    insert.setTimestamp(9, java.sql.Timestamp.valueOf("2024-02-29 23:59:58.123456"));
                    insert.setBoolean(10, true);
                    if (round == 0) {
                        insert.setBytes(11, new byte[] {0, 1, (byte) 0xff});
                    } else {
                        // a stream goes as COM_STMT_SEND_LONG_DATA, and its value is then missing from the execute packet
                        insert.setBinaryStream(11, new java.io.ByteArrayInputStream(new byte[] {0, 1, (byte) 0xfe}));
                    }
                    insert.setNull(12, java.sql.Types.INTEGER);
                    assertThat(insert.executeUpdate()).isEqualTo(1);
                }
            }
            try (PreparedStatement select = c.prepareStatement("SELECT * FROM typed WHERE vc LIKE ? AND i < ? ORDER BY i DESC")) {
                select.setString(1, "h%");
                select.setInt(2, 0);
                try (ResultSet rs = select.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt("i")).isEqualTo(-7);
                    assertThat(rs.getLong("bi")).isEqualTo(Long.MIN_VALUE);
                    assertThat(rs.getBigDecimal("de")).isEqualByComparingTo("-12345678901234.123456");
                    assertThat(rs.getDouble("d")).isEqualTo(Math.E);
                    assertThat(rs.getFloat("f")).isEqualTo(1.5f);
                    assertThat(rs.getString("vc")).isEqualTo("héllo ✓ 0");
                    assertThat(rs.getString("dt")).isEqualTo("2024-02-29");
                    assertThat(rs.getString("tm")).isEqualTo("23:59:58");
                    assertThat(rs.getString("dtt")).isEqualTo("2024-02-29 23:59:58.123456");
                    assertThat(rs.getBoolean("bo")).isTrue();
                    assertThat(rs.getBytes("bl")).containsExactly(0, 1, 0xff);
                    assertThat(rs.getObject("n")).isNull();
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt("i")).isEqualTo(-8);
                    assertThat(rs.getLong("bi")).isEqualTo(Long.MIN_VALUE + 1);
                    assertThat(rs.getBytes("bl")).containsExactly(0, 1, 0xfe);
                    assertThat(rs.getObject("n")).isNull();
                    assertThat(rs.next()).isFalse();
                }
            }
        }
    }

    @Test
    void queryAttributesReachTheFaceAndNotMariaDb() throws Exception {
        try (Connection c = connect("useServerPrepStmts=true"); Statement s = c.createStatement()) {
            s.execute("CREATE TEMPORARY TABLE attributed (v VARCHAR(20))");
            int before = face.receivedAttributeNames().size();
            ((JdbcStatement) s).setAttribute("trace_id", "abc-123");
            assertThat(s.executeUpdate("INSERT INTO attributed VALUES ('text')")).isEqualTo(1);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO attributed VALUES (?)")) {
                ((JdbcStatement) ps).setAttribute("span", 42);
                ((JdbcStatement) ps).setAttribute("when", java.time.LocalDateTime.of(2024, 2, 29, 1, 2, 3));
                ps.setString(1, "prepared");
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM attributed")) {
                ((JdbcStatement) ps).setAttribute("no_params", "x");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(2);
                }
            }
            assertThat(face.receivedAttributeNames().subList(before, face.receivedAttributeNames().size()))
                    .containsExactly("trace_id", "span", "when", "no_params");
            assertThat(one(c, "SELECT GROUP_CONCAT(v ORDER BY v) FROM attributed")).isEqualTo("prepared,text");
        }
    }

    @Test
    void transactionIsolationAndReadOnlyRoundTripUnderMySqlNames() throws Exception {
        try (Connection c = connect("useLocalSessionState=false")) {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
            c.setReadOnly(true);
            assertThat(c.isReadOnly()).isTrue();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT @@session.transaction_isolation, @@transaction_read_only AS transaction_read_only")) {
                rs.next();
                assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("@@session.transaction_isolation");
                assertThat(rs.getMetaData().getColumnLabel(2)).isEqualTo("transaction_read_only");
                assertThat(rs.getString(1)).isEqualTo("SERIALIZABLE");
                assertThat(rs.getString(2)).isEqualTo("1");
            }
            c.setReadOnly(false);
            assertThat(c.isReadOnly()).isFalse();
        }
    }

    @Test
    void removedVariableNamesAreUnknownAsOnMySql8() throws Exception {
        try (Connection c = connect("useServerPrepStmts=true"); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT @@tx_isolation")).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getErrorCode()).isEqualTo(1193);
                assertThat(e.getSQLState()).isEqualTo("HY000");
                assertThat(e.getMessage()).isEqualTo("Unknown system variable 'tx_isolation'");
            });
            try (PreparedStatement ps = c.prepareStatement("SELECT @@SESSION.TX_READ_ONLY")) {
                assertThatThrownBy(ps::executeQuery).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1193));
            }
            // MariaDB's own, which MySQL never had
            assertThatThrownBy(() -> s.executeQuery("SELECT @@in_transaction")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getMessage()).isEqualTo("Unknown system variable 'in_transaction'"));
            // MariaDB's message names its own variable; the face names MySQL's
            assertThatThrownBy(() -> s.execute("SET transaction_isolation = 'bogus'")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getMessage()).contains("'transaction_isolation'").doesNotContain("tx_isolation"));
            assertThat(one(c, "SELECT 'still here'")).isEqualTo("still here");
        }
    }

    @Test
    void setStatementIsASyntaxErrorAsOnMySql() throws Exception {
        try (Connection c = connect(""); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("SET STATEMENT max_statement_time=1 FOR SELECT 1")).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getErrorCode()).isEqualTo(1064);
                assertThat(e.getSQLState()).isEqualTo("42000");
                assertThat(e.getMessage()).contains("near 'max_statement_time=1 FOR SELECT 1' at line 1");
            });
            assertThat(one(c, "SELECT 2")).isEqualTo("2");
        }
    }

    @Test
    void twentyMegabyteBlobGoesBothWays() throws Exception {
        byte[] blob = new byte[20 * 1024 * 1024];
        new Random(7).nextBytes(blob);
        for (String params : List.of("useServerPrepStmts=true", "useServerPrepStmts=false")) {
            try (Connection c = connect(params + "&maxAllowedPacket=67108864"); Statement s = c.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE blobs (id INT, b LONGBLOB)");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO blobs VALUES (1, ?)")) {
                    ps.setBytes(1, blob);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                assertThat(one(c, "SELECT LENGTH(b) FROM blobs")).isEqualTo(String.valueOf(blob.length));
                try (PreparedStatement ps = c.prepareStatement("SELECT b, 'after' FROM blobs WHERE id = ?")) {
                    ps.setInt(1, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertThat(MessageDigest.isEqual(rs.getBytes(1), blob)).as(params).isTrue();
                        assertThat(rs.getString(2)).isEqualTo("after");
                    }
                }
            }
        }
    }

    @Test
    void loadDataLocalInfilePassesThrough() throws Exception {
        Path file = Files.createTempFile("face-load", ".csv");
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            csv.append(i).append(",row ").append(i).append('\n');
        }
        Files.writeString(file, csv);
        try (Connection c = connect("allowLoadLocalInfile=true"); Statement s = c.createStatement()) {
            s.execute("CREATE TEMPORARY TABLE loaded (id INT, v VARCHAR(20))");
            int rows = s.executeUpdate("LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE loaded FIELDS TERMINATED BY ','");
            assertThat(rows).isEqualTo(5000);
            assertThat(one(c, "SELECT CONCAT(COUNT(*), ':', MAX(v)) FROM loaded")).isEqualTo("5000:row 999");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void multiResultCallMatchesMariaDbSeenDirectly() throws Exception {
        List<String> direct;
        try (Connection c = TestDatabase.direct(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app", "")) {
            direct = callResults(c);
        }
        assertThat(direct).hasSize(3);
        for (String params : List.of("", "useServerPrepStmts=true")) {
            try (Connection c = connect(params)) {
                assertThat(callResults(c)).as(params).isEqualTo(direct);
            }
        }
        try (Connection c = connect("allowMultiQueries=true"); Statement s = c.createStatement()) {
            assertThat(s.execute("SELECT 1 AS a; SELECT @@session.transaction_isolation; DO 1")).isTrue();
            assertThat(s.getMoreResults()).isTrue();
            assertThat(s.getResultSet().getMetaData().getColumnLabel(1)).isEqualTo("@@session.transaction_isolation");
        }
    }

    private static List<String> callResults(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (CallableStatement call = c.prepareCall("{CALL two_results(?)}")) {
            call.setInt(1, 5);
            boolean isResult = call.execute();
            while (isResult || call.getUpdateCount() != -1) {
                if (isResult) {
                    try (ResultSet rs = call.getResultSet()) {
                        while (rs.next()) {
                            out.add(rs.getMetaData().getColumnLabel(1) + "=" + rs.getString(1));
                        }
                    }
                }
                isResult = call.getMoreResults();
            }
        }
        return out;
    }

    // --- raw packets ---

    @Test
    void bareQueryFromAClientThatAgreedQueryAttributesIsMalformed() throws Exception {
        try (RawClient raw = new RawClient(face.port())) {
            RawClient.Packet ok = login(raw, RawClient.DEFAULT_CAPS | CapabilityFlags.CLIENT_QUERY_ATTRIBUTES);
            assertThat(ok.isOk()).as(ok.toString()).isTrue();
            int malformed = face.malformedCommands();
            RawClient.Packet answer = raw.query("SELECT 1");
            assertThat(answer.isErr()).isTrue();
            assertThat(answer.errorCode()).isEqualTo(1835);
            assertThat(answer.sequenceId()).isEqualTo(1);
            assertThat(new String(answer.payload(), 3, 6, StandardCharsets.US_ASCII)).isEqualTo("#HY000");
            assertThat(answer.message()).isEqualTo("Malformed communication packet.");
            assertThat(raw.isClosedByServer()).isTrue();
            assertThat(face.malformedCommands()).isEqualTo(malformed + 1);
        }
    }

    @Test
    void mariaDbOnlyCommandsAreUnknownAsOnMySql() throws Exception {
        try (RawClient raw = new RawClient(face.port())) {
            assertThat(login(raw, RawClient.DEFAULT_CAPS).isOk()).isTrue();
            // COM_STMT_BULK_EXECUTE of statement 1, which MariaDB would run
            raw.write(0, new PayloadWriter().int1(0xfa).int4(1).int2(0).toByteArray());
            RawClient.Packet answer = raw.read();
            assertThat(answer.isErr()).isTrue();
            assertThat(answer.errorCode()).isEqualTo(1047);
            assertThat(answer.message()).isEqualTo("Unknown command");
            assertThat(raw.query("SELECT 1").header()).isEqualTo(1);
        }
    }

    @Test
    void preparingARemovedVariableIsRefusedAsMySql8Does() throws Exception {
        try (RawClient raw = new RawClient(face.port())) {
            assertThat(login(raw, RawClient.DEFAULT_CAPS | CapabilityFlags.CLIENT_QUERY_ATTRIBUTES).isOk()).isTrue();
            raw.write(0, ("\u0016SELECT @@tx_read_only").getBytes(StandardCharsets.US_ASCII));
            RawClient.Packet answer = raw.read();
            assertThat(answer.isErr()).isTrue();
            assertThat(answer.errorCode()).isEqualTo(1193);
            assertThat(answer.message()).isEqualTo("Unknown system variable 'tx_read_only'");
            raw.write(0, ("\u0016SELECT @@transaction_read_only").getBytes(StandardCharsets.US_ASCII));
            RawClient.Packet prepared = raw.read();
            assertThat(prepared.isOk()).as(prepared.toString()).isTrue();
            RawClient.Packet column = raw.read();
            assertThat(new String(column.payload(), StandardCharsets.UTF_8)).contains("@@transaction_read_only").doesNotContain("tx_read_only");
        }
    }

    @Test
    void queryWithTheAttributePrefixRunsAndABareQueryRunsWithoutTheCapability() throws Exception {
        try (RawClient raw = new RawClient(face.port())) {
            assertThat(login(raw, RawClient.DEFAULT_CAPS | CapabilityFlags.CLIENT_QUERY_ATTRIBUTES).isOk()).isTrue();
            raw.write(0, new PayloadWriter().int1(0x03).lenenc(0).lenenc(1).string("SELECT 41 + 1").toByteArray());
            assertSingleValue(raw, "42");
        }
        try (RawClient raw = new RawClient(face.port())) {
            assertThat(login(raw, RawClient.DEFAULT_CAPS).isOk()).isTrue();
            raw.write(0, ("\u0003SELECT 6 * 7").getBytes(StandardCharsets.US_ASCII));
            assertSingleValue(raw, "42");
        }
    }

    /**
     * A COM_QUERY of 16 MiB plus one byte takes two packets from the client; without its three-byte attribute
     * prefix it fits in one to MariaDB, whose answer starts at sequence id 1: the client must still see 2.
     */
    @Test
    void sequenceIdsStayRightWhenStrippingChangesThePacketCount() throws Exception {
        try (RawClient raw = new RawClient(face.port())) {
            assertThat(login(raw, RawClient.DEFAULT_CAPS | CapabilityFlags.CLIENT_QUERY_ATTRIBUTES).isOk()).isTrue();
            byte[] prefix = {0x03, 0x00, 0x01};
            String head = "SELECT LENGTH('";
            String tail = "')";
            int padding = PacketStream.MAX_PHYSICAL + 1 - prefix.length - head.length() - tail.length();
            byte[] payload = new PayloadWriter(PacketStream.MAX_PHYSICAL + 1).bytes(prefix).string(head)
                    .bytes("x".repeat(padding).getBytes(StandardCharsets.US_ASCII)).string(tail).toByteArray();
            assertThat(payload.length).isEqualTo(PacketStream.MAX_PHYSICAL + 1);
            raw.writeRaw(frame(0, payload, 0, PacketStream.MAX_PHYSICAL));
            raw.writeRaw(frame(1, payload, PacketStream.MAX_PHYSICAL, 1));
            RawClient.Packet columns = raw.read();
            assertThat(columns.sequenceId()).isEqualTo(2);
            raw.read();
            RawClient.Packet row = raw.read();
            assertThat(row.sequenceId()).isEqualTo(4);
            assertThat(new PayloadReader(row.payload()).readLenencString()).isEqualTo(String.valueOf(padding));
            assertThat(raw.read().sequenceId()).isEqualTo(5);
            assertThat(raw.query("SELECT 1").sequenceId()).isEqualTo(1);
        }
    }

    private static byte[] frame(int sequenceId, byte[] payload, int offset, int length) {
        return new PayloadWriter(length + 4).int3(length).int1(sequenceId).bytes(payload, offset, length).toByteArray();
    }

    private static void assertSingleValue(RawClient raw, String expected) throws Exception {
        assertThat(raw.read().payload()).containsExactly(1); // column count
        raw.read(); // column definition
        RawClient.Packet row = raw.read();
        assertThat(new PayloadReader(row.payload()).readLenencString()).isEqualTo(expected);
        RawClient.Packet end = raw.read();
        assertThat(end.header()).isEqualTo(0xfe);
        assertThat(end.sequenceId()).isEqualTo(4);
    }

    @Test
    void sessionStateTrackingNamesMySqlVariables() throws Exception {
        try (RawClient raw = new RawClient(face.port())) {
            int caps = RawClient.DEFAULT_CAPS | CapabilityFlags.CLIENT_SESSION_TRACK;
            assertThat(login(raw, caps).isOk()).isTrue();
            assertThat(raw.query("SET session_track_system_variables = 'transaction_isolation,transaction_read_only'").isOk()).isTrue();
            OkPacket ok = ok(raw.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"), true);
            assertThat(trackedVariables(ok)).containsExactly(Map.entry("transaction_isolation", "READ-COMMITTED"));
            ok = ok(raw.query("SET SESSION transaction_read_only = ON"), true);
            assertThat(trackedVariables(ok)).containsExactly(Map.entry("transaction_read_only", "ON"));
        }
    }

    private static OkPacket ok(RawClient.Packet packet, boolean sessionTrack) {
        assertThat(packet.isOk()).as(packet.toString()).isTrue();
        return OkPacket.decode(packet.payload(), packet.payload().length, sessionTrack);
    }

    private static List<Map.Entry<String, String>> trackedVariables(OkPacket ok) {
        assertThat(ok.statusFlags() & ServerStatus.SERVER_SESSION_STATE_CHANGED).isNotZero();
        List<Map.Entry<String, String>> out = new ArrayList<>();
        PayloadReader r = new PayloadReader(ok.sessionStateInfo());
        while (r.hasRemaining()) {
            int type = r.readInt1();
            PayloadReader data = new PayloadReader(r.readLenencBytes());
            if (type == 0) {
                out.add(Map.entry(data.readLenencString(), data.readLenencString()));
            }
        }
        return out;
    }

    /**
     * Logs in as app with caching_sha2_password, whichever path the face takes: the fast path, or full
     * authentication with the RSA public key. Returns the final OK or ERR.
     */
    static RawClient.Packet login(RawClient raw, int caps) throws Exception {
        HandshakeV10 greeting = raw.readHandshake();
        byte[] password = TestDatabase.APP_PASSWORD.getBytes(StandardCharsets.UTF_8);
        byte[] scramble = greeting.scramble();
        raw.write(1, new HandshakeResponse(caps & ~CapabilityFlags.CLIENT_CONNECT_WITH_DB, 16 * 1024 * 1024, 255, TestDatabase.APP_USER,
                CachingSha2Password.INSTANCE.expectedResponse(scramble, password), null, CachingSha2Password.NAME, Map.of()).encode());
        RawClient.Packet p = raw.read();
        if (p.header() != 0x01) {
            return p;
        }
        if (p.payload()[1] == 0x03) {
            return raw.read();
        }
        raw.write(p.sequenceId() + 1, new byte[] {0x02});
        RawClient.Packet key = raw.read();
        String pem = new String(key.payload(), 1, key.payload().length - 1, StandardCharsets.US_ASCII);
        PublicKey publicKey = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
                Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""))));
        byte[] withNul = java.util.Arrays.copyOf(password, password.length + 1);
        for (int i = 0; i < withNul.length; i++) {
            withNul[i] ^= scramble[i % scramble.length];
        }
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        rsa.init(Cipher.ENCRYPT_MODE, publicKey);
        raw.write(key.sequenceId() + 1, rsa.doFinal(withNul));
        return raw.read();
    }

    // --- the mariadb CLI ---

    /** libmariadb does caching_sha2_password's full authentication without TLS (it asks for the RSA key). */
    @Test
    void mariadbCliLogsInThroughTheFace() throws Exception {
        face.flushAuthCache();
        int full = face.fullAuthentications();
        String cli = ExternalProcess.require("mariadb", "apt-get install -y mariadb-client");
        ExternalProcess.Result result = ExternalProcess.run(List.of(cli, "-h", "127.0.0.1", "-P", String.valueOf(face.port()), "-u",
                TestDatabase.APP_USER, "--skip-ssl", "-N", "-B", "-e", "SELECT CONCAT('via ', @@session.transaction_isolation)", "app"),
                Map.of("MYSQL_PWD", TestDatabase.APP_PASSWORD), null, 60);
        assertThat(result.stderr()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout().trim()).isEqualTo("via REPEATABLE-READ");
        assertThat(face.fullAuthentications()).isEqualTo(full + 1);
    }
}
