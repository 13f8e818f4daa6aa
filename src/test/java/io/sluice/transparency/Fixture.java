package io.sluice.transparency;

import io.sluice.testing.TestDatabase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The data programs work on, created through the backend as the app user. Each namespace has two schemas
 * with tables of the same names and different contents: {@code shared}, read-only and read by every
 * program (so prepared statements of the same text meet on backends), the worker tables {@code t<n>} that
 * only one program at a time uses, and stored routines that change session state where no statement text
 * shows it.
 */
final class Fixture {
    /** Seconds a table reset may wait for a lock: a backend left inside a transaction shows up as a failure, not a hang. */
    private static final int LOCK_WAIT_SECONDS = 30;

    private Fixture() {
    }

    static final List<String> ROUTINES = List.of(
            "CREATE PROCEDURE set_ctx(n INT) BEGIN SET @tenant_id = n; SET time_zone = '+00:00'; END",
            "CREATE PROCEDURE set_fail(n INT) BEGIN SET @tenant_id = n; SET time_zone = '+03:00'; SELECT * FROM no_such_table; END",
            "CREATE PROCEDURE mk_temp() BEGIN CREATE TEMPORARY TABLE IF NOT EXISTS tmp_proc (i INT); INSERT INTO tmp_proc VALUES (1); END",
            "CREATE PROCEDURE lock_in_proc(name VARCHAR(64)) BEGIN DO GET_LOCK(name, 5); END",
            "CREATE PROCEDURE prep_in_proc() BEGIN PREPARE ps_proc FROM 'SELECT 42 AS answer'; END",
            "CREATE PROCEDURE lid_in_proc(n BIGINT) BEGIN DO LAST_INSERT_ID(n); END",
            "CREATE PROCEDURE two_results() BEGIN SELECT 1 AS a; SELECT v FROM shared ORDER BY id LIMIT 2; END",
            "CREATE PROCEDURE warn_in_proc() BEGIN SELECT CAST('x' AS SIGNED) INTO @w; END",
            "CREATE PROCEDURE savepoint_in_proc() BEGIN SAVEPOINT sp1; END",
            "CREATE PROCEDURE autocommit_off_in_proc() BEGIN PREPARE ps_ac FROM 'SET autocommit = 0, @c = (SELECT COUNT(*) FROM shared)'; "
                    + "EXECUTE ps_ac; DEALLOCATE PREPARE ps_ac; END",
            "CREATE FUNCTION fset(n INT) RETURNS INT NOT DETERMINISTIC BEGIN SET @fv = n; RETURN n * 2; END",
            "CREATE FUNCTION fplain(n INT) RETURNS INT DETERMINISTIC RETURN n + 1",
            "CREATE FUNCTION ftz() RETURNS INT NOT DETERMINISTIC BEGIN SET time_zone = '+02:00'; RETURN 1; END");

    /** Creates every namespace's schemas, shared tables and routines (idempotent; once per test JVM and backend). */
    static synchronized void create(Endpoint backend) throws SQLException {
        try (Connection c = backend.connect(TestDatabase.APP_USER, null, "sslMode=DISABLED&allowPublicKeyRetrieval=true");
             Statement s = c.createStatement()) {
            for (Namespace ns : List.of(Namespace.DIRECT, Namespace.SLUICE, Namespace.NOISE)) {
                for (int k = 1; k <= 2; k++) {
                    String schema = k == 1 ? ns.schema1() : ns.schema2();
                    // Direct and Sluice runs must see the same data; noise schemas hold other values.
                    String tag = (ns == Namespace.NOISE ? "noise" : "") + k;
                    s.execute("CREATE DATABASE IF NOT EXISTS " + schema + " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
                    s.execute("DROP TABLE IF EXISTS " + schema + ".shared");
                    s.execute("CREATE TABLE " + schema + ".shared (id INT PRIMARY KEY, v VARCHAR(30) CHARACTER SET utf8mb4, "
                            + "l VARCHAR(30) CHARACTER SET latin1, b VARBINARY(8))");
                    s.execute("INSERT INTO " + schema + ".shared VALUES (1, 'one-" + tag + "', 'un-" + tag + "', 0x01), "
                            + "(2, 'two-" + tag + "', 'deux-" + tag + "', 0x0203), (3, 'Ünï-" + tag + "', 'é-" + tag + "', NULL)");
                    for (String routine : ROUTINES) {
                        String name = routine.split("[ (]")[2];
                        s.execute("DROP " + routine.split(" ")[1] + " IF EXISTS " + schema + "." + name);
                        s.execute(routine.replaceFirst(name + "\\(", schema + "." + name + "("));
                    }
                }
            }
            s.execute("CREATE TABLE IF NOT EXISTS " + Namespace.NOISE.schema1() + ".noise (id INT PRIMARY KEY, v VARCHAR(10))");
        }
    }

    /**
     * Puts the worker's tables of a namespace back to their initial contents, for the next program: rows and
     * the auto-increment counter (emptied and refilled, cheaper than creating them again).
     */
    static void resetWorkerTables(Endpoint backend, Namespace ns, int worker) throws SQLException {
        String t = Namespace.table(worker);
        try (Connection c = backend.connect(TestDatabase.APP_USER, null, "sslMode=DISABLED&allowPublicKeyRetrieval=true");
             Statement s = c.createStatement()) {
            s.execute("SET SESSION lock_wait_timeout = " + LOCK_WAIT_SECONDS + ", innodb_lock_wait_timeout = " + LOCK_WAIT_SECONDS
                    + ", sql_mode = DEFAULT");
            for (int k = 1; k <= 2; k++) {
                String table = (k == 1 ? ns.schema1() : ns.schema2()) + "." + t;
                try {
                    s.execute("DELETE FROM " + table);
                    s.execute("ALTER TABLE " + table + " AUTO_INCREMENT = 1");
                } catch (SQLException e) {
                    if (e.getErrorCode() != 1146) {
                        throw e;
                    }
                    s.execute("CREATE TABLE " + table + " (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40) CHARACTER SET utf8mb4, "
                            + "n INT NOT NULL DEFAULT 0, u INT NULL UNIQUE) ENGINE=InnoDB");
                    if (k == 1) {
                        // Only S1's table has a trigger: an INSERT there sets a user variable no statement text names.
                        s.execute("CREATE TRIGGER " + table + "_bi BEFORE INSERT ON " + table
                                + " FOR EACH ROW SET @trig = CONCAT('trig:', NEW.v)");
                    }
                }
                s.execute("INSERT INTO " + table + " (v, n, u) VALUES ('a" + k + "', 10, 1), ('b" + k + "', 20, 2), ('c" + k + "', 30, 3)");
            }
        }
    }

    /** The worker's tables as the program left them (what it committed). */
    static void readWorkerTables(Endpoint backend, Namespace ns, int worker, Observer out) throws SQLException {
        try (Connection c = backend.connect(TestDatabase.APP_USER, null, "sslMode=DISABLED&allowPublicKeyRetrieval=true");
             Statement s = c.createStatement()) {
            for (String schema : List.of(ns.schema1(), ns.schema2())) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + schema + "." + Namespace.table(worker) + " ORDER BY id")) {
                    out.add("committed in " + schema);
                    out.resultSet(rs);
                }
            }
        }
    }
}
