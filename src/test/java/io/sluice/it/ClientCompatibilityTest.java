package io.sluice.it;

import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import io.sluice.testing.TestSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.security.MessageDigest;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What an application sees through Sluice, asserted with a real JDBC driver against a real MariaDB:
 * every answer must equal the one the same driver gets from the database directly.
 * Subclasses run it with MySQL Connector/J and MariaDB Connector/J, which negotiate different capabilities.
 */
public abstract class ClientCompatibilityTest {
    static final String APP = TestDatabase.APP_USER;
    static final String PW = TestDatabase.APP_PASSWORD;

    /** The driver's JDBC URL for a server on {@code port}. */
    abstract String url(int port, String schema, String params);

    /** URL parameters that make the driver use server-side prepared statements (the binary protocol). */
    abstract String binaryProtocol();

    Connection viaSluice(String params) throws SQLException {
        return DriverManager.getConnection(url(SluiceTestResource.port(), APP, params), APP, PW);
    }

    Connection direct(String params) throws SQLException {
        return DriverManager.getConnection(url(io.sluice.testing.Backend.port(), APP, params), APP, PW);
    }

    @BeforeAll
    static void createSchema() throws SQLException {
        TestSchema.ensure();
    }

    /**
     * Column metadata that legitimately differs through Sluice for this driver (see the MariaDB subclass);
     * identity by default.
     */
    String normalizeDirectMetadata(String header) {
        return header;
    }

    List<List<String>> directRows(List<List<String>> rows) {
        List<List<String>> out = new ArrayList<>(rows);
        out.set(0, rows.get(0).stream().map(this::normalizeDirectMetadata).toList());
        return out;
    }

    /** Every row and column as the driver hands it out, as getString and as getObject, for comparison. */
    static List<List<String>> rows(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<List<String>> out = new ArrayList<>();
        List<String> header = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            header.add(md.getColumnLabel(i) + ":" + md.getColumnTypeName(i) + ":" + md.getPrecision(i) + ":" + md.getScale(i));
        }
        out.add(header);
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String asObject;
                try {
                    Object o = rs.getObject(i);
                    asObject = o instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(o);
                } catch (SQLException e) {
                    // Some values have no Java object (a TIME beyond 24 h); the driver's refusal is part of the answer.
                    asObject = "refused: " + e.getMessage();
                }
                row.add(rs.getString(i) + " | " + asObject);
            }
            out.add(row);
        }
        return out;
    }

    List<List<String>> textQuery(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rows(rs);
        }
    }

    List<List<String>> preparedQuery(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs);
            }
        }
    }

    @Test
    void everyColumnTypeReadsTheSameAsDirectlyOverTheTextProtocol() throws SQLException {
        try (Connection proxied = viaSluice(""); Connection plain = direct("")) {
            String sql = "SELECT * FROM types ORDER BY id";
            List<List<String>> expected = directRows(textQuery(plain, sql));
            assertThat(textQuery(proxied, sql)).isEqualTo(expected);
            assertThat(expected).hasSize(4);
        }
    }

    @Test
    void everyColumnTypeReadsTheSameAsDirectlyOverTheBinaryProtocol() throws SQLException {
        try (Connection proxied = viaSluice(binaryProtocol()); Connection plain = direct(binaryProtocol())) {
            String sql = "SELECT * FROM types WHERE id >= ? ORDER BY id";
            List<List<String>> expected = directRows(preparedQuery(plain, sql, 1));
            assertThat(preparedQuery(proxied, sql, 1)).isEqualTo(expected);
        }
    }

    @Test
    void knownValuesArriveIntact() throws SQLException {
        for (String params : List.of("", binaryProtocol())) {
            try (Connection c = viaSluice(params);
                 PreparedStatement ps = c.prepareStatement("SELECT ubi, de, vc, vb, dt, CAST(tm AS CHAR) AS tm, e, js FROM types WHERE id = ?")) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("ubi")).isEqualTo("18446744073709551615");
                    assertThat(rs.getBigDecimal("de")).isEqualByComparingTo(new BigDecimal("-12345678901234.123456"));
                    assertThat(rs.getString("vc")).isEqualTo("héllo wörld ✓ 🐟");
                    assertThat(rs.getBytes("vb")).isEqualTo(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
                    assertThat(rs.getDate("dt").toString()).isEqualTo("2024-02-29");
                    assertThat(rs.getString("tm")).startsWith("-838:59:59");
                    assertThat(rs.getString("e")).isEqualTo("green");
                    assertThat(rs.getString("js")).contains("\"x\": null");
                    assertThat(rs.next()).isFalse();
                }
            }
        }
    }

    @Test
    void preparedStatementsBindEveryParameterType() throws SQLException {
        for (String params : List.of("", binaryProtocol())) {
            try (Connection c = viaSluice(params)) {
                c.createStatement().execute("CREATE TEMPORARY TABLE p (a BIGINT, b DOUBLE, c VARCHAR(50), d DATETIME(3), e VARBINARY(8), f DECIMAL(10,2), g DATE)");
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    for (int i = 0; i < 50; i++) {
                        ins.setLong(1, Long.MAX_VALUE - i);
                        ins.setDouble(2, i / 3.0);
                        ins.setString(3, "row " + i + " ✓");
                        ins.setTimestamp(4, java.sql.Timestamp.valueOf("2025-06-01 12:00:00.125"));
                        ins.setBytes(5, new byte[] {(byte) i, 0, (byte) 0xff});
                        ins.setBigDecimal(6, new BigDecimal(i + ".25"));
                        if (i % 2 == 0) {
                            ins.setNull(7, java.sql.Types.DATE);
                        } else {
                            ins.setDate(7, java.sql.Date.valueOf("2025-01-0" + (1 + i % 9)));
                        }
                        assertThat(ins.executeUpdate()).isEqualTo(1);
                    }
                }
                try (PreparedStatement sel = c.prepareStatement("SELECT a, b, c, e, f, g FROM p WHERE a <= ? ORDER BY a DESC")) {
                    sel.setLong(1, Long.MAX_VALUE - 10);
                    try (ResultSet rs = sel.executeQuery()) {
                        int n = 10;
                        while (rs.next()) {
                            assertThat(rs.getLong(1)).isEqualTo(Long.MAX_VALUE - n);
                            assertThat(rs.getDouble(2)).isEqualTo(n / 3.0);
                            assertThat(rs.getString(3)).isEqualTo("row " + n + " ✓");
                            assertThat(rs.getBytes(4)).isEqualTo(new byte[] {(byte) n, 0, (byte) 0xff});
                            assertThat(rs.getBigDecimal(5)).isEqualByComparingTo(n + ".25");
                            assertThat(rs.getDate(6) == null).isEqualTo(n % 2 == 0);
                            n++;
                        }
                        assertThat(n).isEqualTo(50);
                    }
                }
            }
        }
    }

    @Test
    void errorsCarryTheServersCodeAndSqlState() throws SQLException {
        for (String params : List.of("", binaryProtocol())) {
            try (Connection c = viaSluice(params)) {
                assertThatThrownBy(() -> c.createStatement().execute("SELEC 1"))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getErrorCode()).isEqualTo(1064);
                            assertThat(e.getSQLState()).isEqualTo("42000");
                        });
                assertThatThrownBy(() -> {
                    PreparedStatement ps = c.prepareStatement("SELECT * FROM no_such_table WHERE id = ?");
                    ps.setInt(1, 1);
                    ps.executeQuery();
                })
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getErrorCode()).isEqualTo(1146);
                            assertThat(e.getSQLState()).isEqualTo("42S02");
                            assertThat(e.getMessage()).contains("no_such_table");
                        });
                c.createStatement().execute("CREATE TEMPORARY TABLE u (id INT PRIMARY KEY)");
                c.createStatement().execute("INSERT INTO u VALUES (1)");
                assertThatThrownBy(() -> c.createStatement().execute("INSERT INTO u VALUES (1)"))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getErrorCode()).isEqualTo(1062);
                            assertThat(e.getSQLState()).isEqualTo("23000");
                        });
                // The connection carries on after errors.
                assertThat(textQuery(c, "SELECT 42").get(1)).containsExactly("42 | 42");
            }
        }
    }

    @Test
    void wrongPasswordIsDeniedLikeTheServerDoes() {
        assertThatThrownBy(() -> DriverManager.getConnection(url(SluiceTestResource.port(), APP, ""), APP, "wrong"))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(1045);
                    assertThat(e.getSQLState()).isEqualTo("28000");
                    assertThat(e.getMessage()).contains("Access denied for user 'app'");
                });
        assertThatThrownBy(() -> DriverManager.getConnection(url(SluiceTestResource.port(), APP, ""), "nobody", "x"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
    }

    @Test
    void unknownDefaultSchemaIsRefused() {
        assertThatThrownBy(() -> DriverManager.getConnection(url(SluiceTestResource.port(), "no_such_db", ""), APP, PW))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(1049);
                    assertThat(e.getSQLState()).isEqualTo("42000");
                });
    }

    @Test
    void aTwentyMegabyteRowGoesBothWays() throws Exception {
        byte[] payload = new byte[20 * 1024 * 1024 + 17];
        new Random(7).nextBytes(payload);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(payload);
        for (String params : List.of("", binaryProtocol())) {
            try (Connection c = viaSluice(params + (params.isEmpty() ? "" : "&") + "maxAllowedPacket=67108864")) {
                c.createStatement().execute("DELETE FROM big");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO big VALUES (1, ?)")) {
                    ps.setBytes(1, payload);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT payload, LENGTH(payload) FROM big WHERE id = ?")) {
                    ps.setInt(1, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        byte[] back = rs.getBytes(1);
                        assertThat(rs.getLong(2)).isEqualTo(payload.length);
                        assertThat(MessageDigest.getInstance("SHA-256").digest(back)).isEqualTo(digest);
                    }
                }
            }
        }
    }

    /** Every result set and update count a CALL produces, in order. */
    static List<Object> callResults(Connection c) throws SQLException {
        List<Object> results = new ArrayList<>();
        try (CallableStatement call = c.prepareCall("{CALL two_results(?)}")) {
            call.setInt(1, 5);
            boolean isResultSet = call.execute();
            while (true) {
                if (isResultSet) {
                    try (ResultSet rs = call.getResultSet()) {
                        results.add(rows(rs));
                    }
                } else if (call.getUpdateCount() != -1) {
                    results.add("update count " + call.getUpdateCount());
                } else {
                    return results;
                }
                isResultSet = call.getMoreResults();
            }
        }
    }

    @Test
    void aCallReturnsEveryResultSet() throws SQLException {
        for (String params : List.of("", binaryProtocol())) {
            try (Connection proxied = viaSluice(params); Connection plain = direct(params)) {
                List<Object> results = callResults(proxied);
                assertThat(results).isEqualTo(callResults(plain));
                assertThat(results.size()).isGreaterThanOrEqualTo(2);
                assertThat(results.get(0)).asString().contains("5 | 5");
                // The connection is usable afterwards: every result was consumed.
                assertThat(textQuery(proxied, "SELECT 1").get(1)).containsExactly("1 | 1");
            }
        }
    }

    @Test
    void multiStatementsRunOnlyWhenTheClientEnablesThem() throws SQLException {
        try (Connection c = viaSluice(multiQueries(false)); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("SELECT 1; SELECT 2"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1064));
        }
        try (Connection c = viaSluice(multiQueries(true)); Statement s = c.createStatement()) {
            assertThat(s.execute("SELECT 1; SELECT 2")).isTrue();
            assertThat(rows(s.getResultSet()).get(1)).containsExactly("1 | 1");
            assertThat(s.getMoreResults()).isTrue();
            assertThat(rows(s.getResultSet()).get(1)).containsExactly("2 | 2");
            assertThat(s.getMoreResults()).isFalse();
        }
        // A backend that just ran multi-statements must not run them for the next client that did not ask.
        for (int i = 0; i < 5; i++) {
            try (Connection c = viaSluice(multiQueries(false)); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute("SELECT 1; SELECT 2")).isInstanceOf(SQLException.class);
            }
        }
    }

    abstract String multiQueries(boolean on);

    @Test
    void affectedRowsFollowTheClientsFoundRowsSetting() throws SQLException {
        for (boolean foundRows : List.of(true, false)) {
            try (Connection proxied = viaSluice(affectedRows(!foundRows)); Connection plain = direct(affectedRows(!foundRows))) {
                for (Connection c : List.of(proxied, plain)) {
                    c.createStatement().execute("CREATE TEMPORARY TABLE fr (id INT PRIMARY KEY, v INT)");
                    c.createStatement().execute("INSERT INTO fr VALUES (1, 1), (2, 2)");
                }
                int direct = plain.createStatement().executeUpdate("UPDATE fr SET v = 1");
                int sluice = proxied.createStatement().executeUpdate("UPDATE fr SET v = 1");
                assertThat(sluice).isEqualTo(direct).isEqualTo(foundRows ? 2 : 1);
            }
        }
    }

    abstract String affectedRows(boolean on);

    @Test
    void insertIdsWarningsAndTransactionsBehaveAsDirectly() throws SQLException {
        try (Connection c = viaSluice("")) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO counter (n) VALUES (1), (2)", Statement.RETURN_GENERATED_KEYS);
                try (ResultSet keys = s.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    long first = keys.getLong(1);
                    assertThat(textQuery(c, "SELECT LAST_INSERT_ID()").get(1).get(0)).startsWith(first + " ");
                }
            }
            assertThat(warningsOf(c)).isEqualTo(warningsOf(direct(""))).contains("1365");
            c.setAutoCommit(false);
            c.createStatement().executeUpdate("INSERT INTO counter (n) VALUES (100)");
            try (Connection other = viaSluice("")) {
                assertThat(textQuery(other, "SELECT COUNT(*) FROM counter WHERE n = 100").get(1).get(0)).startsWith("0 ");
            }
            c.rollback();
            assertThat(textQuery(c, "SELECT COUNT(*) FROM counter WHERE n = 100").get(1).get(0)).startsWith("0 ");
            c.setAutoCommit(true);
        }
    }

    static String warningsOf(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1/0").close();
            StringBuilder out = new StringBuilder();
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                out.append(w.getErrorCode()).append(' ').append(w.getMessage()).append('\n');
            }
            return out.toString();
        }
    }

    @Test
    void twoHundredClientsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(200);
        try {
            List<Callable<Long>> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                tasks.add(() -> {
                    try (Connection c = viaSluice(n % 2 == 0 ? "" : binaryProtocol());
                         PreparedStatement ps = c.prepareStatement("SELECT ? + 1, CONNECTION_ID(), SLEEP(0.01)")) {
                        long sum = 0;
                        for (int k = 0; k < 5; k++) {
                            ps.setInt(1, n * 10 + k);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                sum += rs.getLong(1);
                            }
                        }
                        return sum;
                    }
                });
            }
            List<Future<Long>> results = pool.invokeAll(tasks);
            for (int i = 0; i < 200; i++) {
                long expected = 0;
                for (int k = 0; k < 5; k++) {
                    expected += i * 10 + k + 1;
                }
                assertThat(results.get(i).get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cursorFetchReadsEveryRow() throws SQLException {
        try (Connection c = viaSluice(cursorFetch());
             PreparedStatement ps = c.prepareStatement("SELECT seq FROM seq_1_to_1000 WHERE seq > ?")) {
            ps.setFetchSize(100);
            ps.setInt(1, 0);
            long sum = 0;
            int count = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sum += rs.getLong(1);
                    count++;
                }
            }
            assertThat(count).isEqualTo(1000);
            assertThat(sum).isEqualTo(500500);
            assertThat(textQuery(c, "SELECT 7").get(1)).containsExactly("7 | 7");
        }
    }

    abstract String cursorFetch();

    static byte[] sha(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    static String str(Object o) {
        return o instanceof byte[] b ? Arrays.toString(b) : String.valueOf(o);
    }
}
