package io.sluice.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** The tables and procedures the client tests read, with known values, created once per test run. */
public final class TestSchema {
    private static boolean created;

    private TestSchema() {
    }

    public static synchronized void ensure() throws SQLException {
        if (created) {
            return;
        }
        try (Connection c = TestDatabase.root(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS app.types ("
                    + "id INT PRIMARY KEY, ti TINYINT, si SMALLINT, mi MEDIUMINT, i INT, bi BIGINT, ubi BIGINT UNSIGNED,"
                    + "de DECIMAL(20,6), f FLOAT, d DOUBLE, b BIT(8), bo BOOLEAN,"
                    + "dt DATE, dtt DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME(3), y YEAR,"
                    + "c CHAR(5), vc VARCHAR(100), bin BINARY(4), vb VARBINARY(16), tt TINYTEXT, tx TEXT, mt MEDIUMTEXT,"
                    + "bl BLOB, lb LONGBLOB, e ENUM('red','green'), st SET('a','b','c'), js JSON) CHARACTER SET utf8mb4");
            s.execute("DELETE FROM app.types");
            s.execute("INSERT INTO app.types VALUES "
                    + "(1, -128, -32768, -8388608, -2147483648, -9223372036854775808, 18446744073709551615,"
                    + " -12345678901234.123456, 3.5, 2.718281828459045, b'10100101', TRUE,"
                    + " '2024-02-29', '2024-02-29 23:59:58.123456', '2038-01-19 03:14:07.999', '-838:59:59.000', 2155,"
                    + " 'abc', 'héllo wörld ✓ 🐟', 0x00ff10ab, 0xdeadbeef, 'tiny', 'text', 'medium', 0x0102, 0x03,"
                    + " 'green', 'a,c', '{\"k\": [1, 2, {\"x\": null}]}'),"
                    + "(2, 127, 32767, 8388607, 2147483647, 9223372036854775807, 0,"
                    + " 0.000001, -0.0, 1e308, b'0', FALSE, '1000-01-01', '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01.000',"
                    + " '838:59:59.999', 1901, '', '', 0x00000000, X'', '', '', '', X'', X'', 'red', '', '[]'),"
                    + "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS app.big (id INT PRIMARY KEY, payload LONGBLOB)");
            s.execute("CREATE TABLE IF NOT EXISTS app.counter (id INT AUTO_INCREMENT PRIMARY KEY, n INT)");
            s.execute("DROP PROCEDURE IF EXISTS app.two_results");
            s.execute("CREATE PROCEDURE app.two_results(IN x INT) BEGIN "
                    + "SELECT x AS first_value; SELECT id, vc FROM app.types WHERE id <= 2 ORDER BY id; END");
        }
        created = true;
    }
}
