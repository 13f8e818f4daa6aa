package io.sluice.transparency;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every program the differential test ever found failing, run again in every build: generated ones by their
 * seed and index, and small hand-written ones that show one finding each. Each runs several times at once, on
 * a pool of two backends that noise clients keep dirtying, so that it meets backends other clients used.
 */
@QuarkusTest
@TestProfile(TransparencyRegressionTest.TwoBackends.class)
class TransparencyRegressionTest {
    /** Copies of a program run at once (each on its own worker tables). */
    private static final int COPIES = 3;

    public static class TwoBackends implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "2", "sluice.pool.borrow-timeout", "120s", "sluice.pool.statement-cache-size", "4",
                    "sluice.pool.diagnostics-hold", TransactionPoolingTransparencyTest.DIAGNOSTICS_HOLD);
        }
    }

    @ConfigProperty(name = "sluice.backend.host")
    String backendHost;
    @ConfigProperty(name = "sluice.backend.port")
    int backendPort;
    @ConfigProperty(name = "sluice.listen.port")
    int sluicePort;

    /** Generated programs that failed once (seed, index), with what they found. */
    static List<Program> foundBySeed() {
        long s = DifferentialTransparencyTest.BUILD_SEED;
        return List.of(
                ProgramGenerator.generate(s, 0),
                ProgramGenerator.generate(s, 3),
                ProgramGenerator.generate(s, 14),
                ProgramGenerator.generate(s, 19),
                ProgramGenerator.generate(s, 37),
                ProgramGenerator.generate(s, 46),
                ProgramGenerator.generate(s, 72),
                ProgramGenerator.generate(s, 129),
                ProgramGenerator.generate(s, 133),
                ProgramGenerator.generate(s, 135),
                ProgramGenerator.generate(s, 163),
                ProgramGenerator.generate(s, 168),
                ProgramGenerator.generate(s, 171),
                ProgramGenerator.generate(s, 199),
                ProgramGenerator.generate(s, 355),
                ProgramGenerator.generate(s, 367),
                ProgramGenerator.generate(s, 139),
                ProgramGenerator.generate(s, 368),
                ProgramGenerator.generate(s, 469),
                ProgramGenerator.generate(s, 672),
                ProgramGenerator.generate(s, 825),
                ProgramGenerator.generate(s, 924),
                ProgramGenerator.generate(s, 931),
                ProgramGenerator.generate(s, 1175),
                // collation_database set, then USE: the server puts the new schema's back, with no tracking report.
                ProgramGenerator.generate(s, 1339),
                // An error converting a CALL's argument names a row counted by the backend's previous statement (masked).
                ProgramGenerator.generate(s, 2125),
                // A SET whose subquery was refused keeps FOUND_ROWS() as the client had it, not as the backend had it.
                ProgramGenerator.generate(s, 1618),
                // Found with seed 7 against the MySQL 8 face.
                ProgramGenerator.generate(7, 393),
                ProgramGenerator.generate(7, 681),
                ProgramGenerator.generate(7, 975),
                ProgramGenerator.generate(7, 1246),
                ProgramGenerator.generate(7, 2068),
                ProgramGenerator.generate(7, 2087),
                ProgramGenerator.generate(7, 2166),
                // A statement prepared with no schema, executed in a transaction after USE: its hidden prepare left the
                // schema with COM_CHANGE_USER, which ended the transaction; the UPDATE after it committed on its own.
                ProgramGenerator.generate(7, 539),
                // A prepared statement's string parameter takes the collation SET NAMES ... COLLATE gave character_set_client.
                ProgramGenerator.generate(7, 107),
                // Preparing SET @a = ? creates @a as a binary NULL; SET @a = NULL on a backend where a noise client's
                // string @a was kept its type.
                ProgramGenerator.generate(31, 145),
                // A procedure that set time_zone and failed: the change was reported with the OK of Sluice's own read
                // that followed, and the client lost it (session mode).
                ProgramGenerator.generate(555, 1134),
                // A statement prepared with no schema, executed after USE: the server switches schema for it and back,
                // which resets collation_database; Sluice had prepared it in the client's schema.
                ProgramGenerator.generate(101, 1884),
                // ROW_COUNT() after a prepare the server refused (no schema) is -1.
                ProgramGenerator.generate(9001, 838),
                // A multi-statement read ROW_COUNT() (recreated with Sluice's temporary table) and then started a
                // transaction, which the reset that takes the table away ended.
                ProgramGenerator.generate(4242, 4852),
                // Found on the MySQL 8 face (see TransparencyRegressionOnMySql8Test): ROW_COUNT() of 1 in a transaction.
                ProgramGenerator.generate(4242, 1825),
                // SELECT SQL_CALC_FOUND_ROWS refused before it ran (no schema) keeps FOUND_ROWS() as the client had it.
                ProgramGenerator.generate(4242, 2216),
                // COM_RESET_CONNECTION keeps the count of an error max_error_count = 0 kept from being stored.
                ProgramGenerator.generate(4242, 259),
                // SAVEPOINT with autocommit off, before any table was read: no status flag shows the transaction it
                // belongs to, and ROLLBACK TO SAVEPOINT ran on another backend (1305 SAVEPOINT sp1 does not exist).
                ProgramGenerator.generate(8585, 439),
                // SELECT ... FROM shared failed with autocommit off: the transaction it started was left on the backend.
                ProgramGenerator.generate(4242, 5791),
                // The harness: a variable holding the schema name, read with HEX() after SET NAMES binary, showed the run's
                // own schema name as the hex of its hex, which the namespace did not mask.
                ProgramGenerator.generate(5151, 419),
                ProgramGenerator.generate(5151, 686),
                // A statement prepared again on a backend (another one, or the pinned one that lacked it) turned the
                // variable it assigns binary there, and an execute's NULL then kept that type where the client's own
                // variable was a string.
                ProgramGenerator.generate(5151, 1586),
                ProgramGenerator.generate(5151, 83),
                // SET autocommit = 0 with a subquery that read a table: MariaDB keeps an InnoDB transaction no status
                // flag shows, which the client's disconnect rolls back and the next statement with autocommit on
                // commits; Sluice let it go to other clients (353 in every mode; 286 found on the MySQL 8 face).
                ProgramGenerator.generate(7474, 353),
                ProgramGenerator.generate(7474, 286),
                // An execute whose statement Sluice prepared again under LOCK TABLES, refused (ERR 1100): SHOW ERRORS
                // read nothing, Sluice having cleared the error as its own.
                ProgramGenerator.generate(7474, 721),
                // A prepare of the text a statement already prepared on the backend, answered from Sluice's cache: the
                // server's prepare (it opens the table) would have cleared the error before it, SHOW ERRORS read it.
                ProgramGenerator.generate(8585, 4606),
                // A function called by an INSERT set @fv (the trigger @trig); the client then set sql_select_limit = 1,
                // which cut Sluice's own list of the backend's user variables short before it read them back: @fv was lost.
                ProgramGenerator.generate(9292, 1119),
                // An UPDATE prepared again for its execute in a READ ONLY transaction, under another div_precision_increment:
                // refused (ERR 1792), then Sluice's SET back to the client's value left ROW_COUNT() 0 where the client's
                // own connection had -1.
                ProgramGenerator.generate(9191, 8),
                // With autocommit off, an UPDATE's ROW_COUNT() of 2 read by an execute that Sluice prepared again in another
                // character set: the SETs there and back left 0 on the transaction's backend, where no count was recreated.
                ProgramGenerator.generate(5757, 3197),
                // SET collation_connection after SET NAMES: Sluice replayed the client as SET NAMES ... COLLATE, which
                // also gave the collation to character_set_client, which a string parameter takes.
                ProgramGenerator.generate(9191, 1835),
                // SET tx_read_only = 1 inside a transaction that SET autocommit = 1 then ended: the backend stays read-write
                // until a COMMIT or ROLLBACK; Sluice's replay elsewhere made the next INSERT fail as read-only.
                ProgramGenerator.generate(6161, 2388));
    }

    /** Hand-written: each the smallest program that showed one finding. */
    static List<Program> handWritten() {
        return List.of(
                program("state a procedure set before it failed stays with the client, though the server reports it late",
                        sql("START TRANSACTION"), sql("CALL set_fail(6)"), sql("SET @@group_concat_max_len = 1024"),
                        sql("SELECT @@session.time_zone, @tenant_id"), sql("COMMIT"), sql("SELECT 1"), sql("SELECT @@session.time_zone")),
                program("a transaction started after ROW_COUNT() in the same multi-statement stays open",
                        sql("INSERT INTO {T} (v, n) VALUES ('x', 1), ('y', 2)"),
                        sql("SHOW WARNINGS; SELECT LAST_INSERT_ID(), ROW_COUNT(); START TRANSACTION"),
                        sql("SELECT @@in_transaction"), sql("INSERT INTO {T} (v, n) VALUES ('z', 3)"), sql("ROLLBACK"),
                        sql("SELECT v FROM {T} ORDER BY id")),
                program("SELECT SQL_CALC_FOUND_ROWS refused before it runs keeps FOUND_ROWS() as it was",
                        sql("SELECT * FROM shared"), sql("SELECT SQL_CALC_FOUND_ROWS nosuch FROM shared LIMIT 1"),
                        sql("SET @@session.check_constraint_checks = 0"), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT * FROM shared WHERE id < 3"), new Step.ResetConnection(),
                        sql("SELECT SQL_CALC_FOUND_ROWS id FROM no_such_table LIMIT 1"), sql("SET autocommit := 1"), sql("SELECT FOUND_ROWS()")),
                program("an error counted but not stored (max_error_count = 0) is still counted after the client's reset",
                        sql("SET max_error_count := 0"), sql("INSERT INTO {T} (v, n) VALUES ('big', 99999999999)"), new Step.ResetConnection(),
                        sql("SELECT @@warning_count, @@error_count"), sql("INSERT INTO {T} (v, n) VALUES ('big', 99999999999)"),
                        new Step.ResetConnection(), sql("SELECT @@warning_count, @@error_count")),
                program("a transaction a failed statement started with autocommit off stays open",
                        sql("SET @d = 9223372036854775807"), sql("SET autocommit = 0"), sql("SELECT @d := IFNULL(@d, 0) + 1 FROM shared ORDER BY id"),
                        new Step.Prepare(0, "SELECT id, v, l FROM shared WHERE id = ?"), sql("SELECT @@in_transaction"),
                        sql("INSERT INTO {T} (v, n) VALUES ('z', 3)"), sql("ROLLBACK"), sql("SET autocommit = 1"), sql("SELECT v FROM {T} ORDER BY id")),
                program("SET @@sql_mode = 'ANSI' is not reported by MariaDB's session tracking",
                        sql("SET @@sql_mode = 'ANSI'"), sql("SELECT 1"), sql("SHOW SESSION VARIABLES LIKE 'sql_mode'")),
                program("autocommit = 0 holds for the next statement wherever it runs",
                        sql("SET autocommit = 0"), sql("INSERT INTO {T} (id, v) VALUES (0, 'zero')"), sql("SELECT 1"),
                        new Step.Reconnect(false), sql("SELECT * FROM {T} ORDER BY id")),
                program("KILL QUERY of the session's own id interrupts itself, and says so in SHOW WARNINGS",
                        new Step.KillSelf(false), sql("SHOW WARNINGS"), sql("KILL QUERY CONNECTION_ID()"), sql("SHOW WARNINGS")),
                program("a user variable keeps its type, character set and bytes on the next backend",
                        sql("SET @a = _latin1 X'636166E9' COLLATE latin1_german1_ci, @b = CAST(18446744073709551615 AS UNSIGNED), "
                                + "@c = 12345678901234567890.123456789, @d = 0.1e0"),
                        sql("SELECT 1"), sql("SELECT @a, HEX(@a), COLLATION(@a), @b, @c, @d")),
                program("a variable the client never set reads as never set, whatever another client left",
                        sql("SELECT @a, @b, @c, @d, @tenant_id, @trig")),
                program("SHOW WARNINGS after INSERT IGNORE and a statement that reads no table",
                        sql("INSERT IGNORE INTO {T} (id, v) VALUES (1, 'dup')"), sql("SELECT 1"), sql("SHOW WARNINGS"),
                        sql("SELECT @@warning_count, ROW_COUNT()")),
                program("LAST_INSERT_ID(expr) and an explicit id do what they do on the server",
                        sql("SELECT LAST_INSERT_ID(42)"), sql("SELECT 1"), sql("INSERT INTO {T} (id, v) VALUES (50, 'x')"),
                        sql("SELECT 1"), sql("SELECT LAST_INSERT_ID()"), sql("INSERT INTO {T} (id, v) VALUES (2, 'odku') ON DUPLICATE KEY UPDATE n = 1"),
                        sql("SELECT 1"), sql("SELECT LAST_INSERT_ID(), @@identity")),
                program("a procedure that sets a user variable and the time zone does not leak them",
                        sql("CALL set_ctx(5)"), sql("SELECT @tenant_id, @@time_zone")),
                program("a prepared statement keeps the schema it was prepared in",
                        new Step.Prepare(0, "SELECT v FROM shared WHERE id = ?"), sql("USE {S2}"), sql("SELECT 1"),
                        new Step.Execute(0, List.of(1L))),
                program("ROW_COUNT() and FOUND_ROWS() answer about the client's own previous statement",
                        sql("UPDATE {T} SET n = n + 1 WHERE id <= 2"), sql("SELECT ROW_COUNT()"), sql("SELECT * FROM shared"),
                        sql("SET @x = 1"), sql("SELECT FOUND_ROWS()")),
                program("KILL QUERY CONNECTION_ID() interrupts the session's own statement",
                        sql("KILL QUERY CONNECTION_ID()"), sql("SELECT 1")),
                program("collation_database set by the client holds on a backend whose schema had to change",
                        sql("SET collation_database = 'utf8mb4_bin'"), sql("SELECT @@collation_database"),
                        sql("SELECT DATABASE(), @@character_set_database, @@collation_database")),
                program("FOUND_ROWS() outlives COM_RESET_CONNECTION, as on the server",
                        sql("SELECT * FROM shared"), new Step.ResetConnection(), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT -0e0 INTO @a"), new Step.ResetConnection(), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT v FROM shared LIMIT 1 INTO @b"), new Step.ResetConnection(), sql("SELECT FOUND_ROWS()")),
                program("a utf8mb4 variable holding bytes invalid in utf8mb4 (a parameter sent as bytes) stays usable",
                        new Step.Prepare(1, "SET @a = ?"), new Step.Execute(1, List.of(new byte[] {0, (byte) 0xff}, "two-1")),
                        sql("SELECT 1 / 0"), sql("SELECT HEX(@a), CHARSET(@a)")),
                program("FOUND_ROWS() after a SELECT that failed while it ran (the rows it sent) and one refused before it ran (unchanged)",
                        sql("SELECT * FROM shared"), sql("SELECT fset('abc')"), sql("SET @x = 1"), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT * FROM shared"), sql("SELECT fset(IF(id = 3, 'x', id)) FROM shared ORDER BY id"), sql("SET @x = 1"),
                        sql("SELECT FOUND_ROWS()"), sql("SELECT * FROM shared"), sql("SELECT (SELECT id FROM shared)"), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT * FROM shared"), sql("SET @c = (SELECT nosuch)"), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT * FROM shared"), sql("SET @c = (SELECT id FROM shared)"), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT * FROM shared"), sql("SELECT nosuch"), sql("SET @x = 2"), sql("SELECT FOUND_ROWS()"),
                        new Step.Prepare(1, "SELECT fset(?)"), sql("SELECT * FROM shared"),
                        new Step.Execute(1, List.of("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII))), sql("SET @x = 3"),
                        sql("SELECT FOUND_ROWS()")),
                program("FOUND_ROWS() after a statement stopped by KILL QUERY",
                        new Step.KillRunningQuery(), sql("SELECT FOUND_ROWS()")),
                program("FOUND_ROWS() after statements whose rows sent are not what it counts",
                        sql("SELECT * FROM shared"), sql("CALL warn_in_proc()"), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT * FROM shared"), sql("SHOW WARNINGS"), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT * FROM shared"), sql("SHOW VARIABLES LIKE 'nothing%'"), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT * FROM shared"), sql("INSERT INTO {T} (id, v) SELECT id + 100, v FROM shared"), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT * FROM shared"), sql("SET @x = (SELECT MAX(id) FROM shared)"), sql("SELECT FOUND_ROWS()"),
                        sql("CREATE TEMPORARY TABLE tmp2 AS SELECT * FROM shared WHERE id < 3"), sql("SET NAMES latin1"),
                        sql("SELECT FOUND_ROWS()")),
                program("GET DIAGNOSTICS that raises a condition (no such condition) leaves ROW_COUNT() at -1",
                        sql("SET @x = 1"), sql("GET DIAGNOSTICS CONDITION 1 @m = MESSAGE_TEXT, @e = MYSQL_ERRNO"), sql("SELECT ROW_COUNT()"),
                        sql("UPDATE {T} SET n = n + 1 WHERE id <= 2"), sql("GET DIAGNOSTICS CONDITION 3 @m = MESSAGE_TEXT"), sql("SELECT ROW_COUNT()")),
                program("GET DIAGNOSTICS leaves ROW_COUNT() and SHOW WARNINGS leaves FOUND_ROWS() as they were",
                        sql("UPDATE {T} SET n = n + 1"), sql("GET DIAGNOSTICS @n = NUMBER, @r = ROW_COUNT"), sql("SELECT ROW_COUNT(), @r"),
                        sql("SHOW VARIABLES WHERE Variable_name IN ('time_zone', 'sql_select_limit')"), sql("SHOW WARNINGS"),
                        sql("SELECT FOUND_ROWS()")),
                program("an error's condition outlives a statement that reads no table, FOUND_ROWS() included",
                        sql("SELECT * FROM shared"), sql("SELECT * FROM tmp1"), sql("SELECT FOUND_ROWS()"), sql("SHOW WARNINGS")),
                program("a statement prepared again on the backend a temporary table pins leaves the variables it assigns as they were",
                        new Step.Prepare(0, "SET @a = ?"), sql("CREATE TEMPORARY TABLE tmp1 (i INT)"), sql("SET @a = _ascii'ascii'"),
                        new Step.Execute(0, java.util.Arrays.asList((Object) null)), sql("SELECT @a, HEX(@a), COLLATION(@a), COERCIBILITY(@a)")),
                program("a prepare that assigns a user variable creates it, as NULL",
                        new Step.Prepare(0, "SET @a = ?"), sql("SELECT @a, HEX(@a), COLLATION(@a), COERCIBILITY(@a)")),
                program("a transaction no status flag shows (autocommit turned off by a SET that read a table) goes with the client's disconnect",
                        sql("SET autocommit = 0, @c = (SELECT COUNT(*) FROM {T}); INSERT INTO {T} (v, n) VALUES ('hidden', 1)"),
                        sql("SELECT @@in_transaction, @@autocommit, @c"), sql("UPDATE {T} SET n = n + 1 WHERE id = 1"),
                        new Step.Reconnect(false), sql("SELECT v, n FROM {T} ORDER BY id")),
                program("a transaction no status flag shows, left by a text-prepared SET, goes with the client's disconnect",
                        sql("PREPARE st FROM 'SET autocommit = 0, @c = (SELECT COUNT(*) FROM {T})'"), sql("EXECUTE st"),
                        sql("INSERT INTO {T} (v, n) VALUES ('hidden', 1)"), new Step.Reconnect(false), sql("SELECT v, n FROM {T} ORDER BY id")),
                program("a transaction no status flag shows outlives the client's reset, until a statement with autocommit on commits it",
                        sql("SET autocommit = 0, @c = (SELECT COUNT(*) FROM {T}); INSERT INTO {T} (v, n) VALUES ('hidden', 1)"),
                        new Step.ResetConnection(), sql("SELECT @@in_transaction, @@autocommit, @c"),
                        sql("INSERT INTO {T} (v, n) VALUES ('after', 2)"), sql("SELECT v FROM {T} ORDER BY id")),
                program("a savepoint taken with autocommit off, before any table was read, stays with the client until its transaction ends",
                        new Step.Jdbc(Step.Jdbc.Call.AUTOCOMMIT, "false"), sql("SAVEPOINT sp1"), sql("DO SLEEP(0.05)"),
                        sql("SELECT 1"), sql("DO SLEEP(0.05)"), sql("ROLLBACK TO SAVEPOINT sp1"), sql("SAVEPOINT sp2"),
                        sql("INSERT INTO {T} (v, n) VALUES ('sp', 1)"), sql("ROLLBACK TO sp2"), sql("RELEASE SAVEPOINT sp1"),
                        sql("SAVEPOINT sp1"), new Step.Jdbc(Step.Jdbc.Call.COMMIT, null), sql("DO SLEEP(0.05)"),
                        sql("ROLLBACK TO SAVEPOINT sp1"), sql("SAVEPOINT sp3"), new Step.Jdbc(Step.Jdbc.Call.AUTOCOMMIT, "true"),
                        sql("DO SLEEP(0.05)"), sql("ROLLBACK TO SAVEPOINT sp3"), sql("SELECT v, n FROM {T} ORDER BY id")),
                program("a savepoint taken with autocommit off by statements Sluice does not see stays with the client until its transaction ends",
                        new Step.Jdbc(Step.Jdbc.Call.AUTOCOMMIT, "false"), sql("EXECUTE IMMEDIATE 'SAVEPOINT sp1'"), sql("DO SLEEP(0.05)"),
                        sql("SELECT 1"), sql("DO SLEEP(0.05)"), sql("ROLLBACK TO SAVEPOINT sp1"), new Step.Jdbc(Step.Jdbc.Call.COMMIT, null),
                        sql("BEGIN NOT ATOMIC SAVEPOINT sp2; END"), sql("DO SLEEP(0.05)"), sql("SELECT 1"), sql("DO SLEEP(0.05)"),
                        sql("ROLLBACK TO SAVEPOINT sp2"), sql("INSERT INTO {T} (v, n) VALUES ('sp', 1)"), new Step.Jdbc(Step.Jdbc.Call.COMMIT, null),
                        sql("CALL savepoint_in_proc()"), sql("DO SLEEP(0.05)"), sql("ROLLBACK TO SAVEPOINT sp1"),
                        new Step.Jdbc(Step.Jdbc.Call.AUTOCOMMIT, "true"), sql("SELECT v, n FROM {T} ORDER BY id")),
                program("a transaction no status flag shows, left by a procedure's prepared SET, goes with the client's disconnect",
                        sql("CALL autocommit_off_in_proc()"), sql("SELECT @@in_transaction, @@autocommit, @c"),
                        sql("INSERT INTO {T} (v, n) VALUES ('hidden', 1)"), new Step.Reconnect(false), sql("SELECT v, n FROM {T} ORDER BY id")),
                program("user variables stored code set are read back whole, whatever sql_select_limit the client set",
                        sql("INSERT INTO {T} (v, n) VALUES ('f', fset(11))"), sql("SET @@sql_select_limit = 1"),
                        sql("SELECT @fv, @trig"), sql("SET sql_select_limit = 0"), sql("DO fset(12)"), sql("SELECT 1"),
                        sql("SET sql_select_limit = DEFAULT"), sql("SELECT @fv, HEX(@fv), COLLATION(@fv), COERCIBILITY(@fv)")),
                program("an execute whose statement is prepared again and refused there leaves its error for SHOW ERRORS",
                        new Step.Prepare(0, "INSERT INTO {T} (v, n) VALUES (?, ?)"), new Step.Prepare(1, "SELECT v FROM shared WHERE id = ?"),
                        new Step.Prepare(2, "SELECT l FROM shared WHERE id = ?"), new Step.Prepare(3, "SELECT b FROM shared WHERE id = ?"),
                        new Step.Prepare(4, "SELECT id FROM shared WHERE id = ?"), sql("LOCK TABLES shared READ"),
                        new Step.Execute(0, List.of("x", 1L)), sql("SHOW ERRORS"), sql("SELECT @@error_count, ROW_COUNT()"), sql("UNLOCK TABLES")),
                program("a decimal of scale 0 stays a decimal, and a prepared SELECT @a describes @a as it is now",
                        new Step.Prepare(1, "SELECT @a, @b"), sql("SET @a = CAST(5 AS UNSIGNED)"),
                        sql("SELECT @a := IFNULL(@a, 0) + 1 FROM shared ORDER BY id"), sql("SELECT 1 / 0"),
                        sql("SELECT @a, HEX(@a), COLLATION(@a), COERCIBILITY(@a)"), new Step.Prepare(2, "SELECT @a, @b")),
                program("a prepare of a text already prepared clears the conditions before it, as the server's prepare does",
                        new Step.Prepare(0, "SELECT id, v, l FROM shared WHERE id = ?"), sql("SELECT nosuch"),
                        new Step.Prepare(1, "SELECT id, v, l FROM shared WHERE id = ?"), sql("SHOW ERRORS"),
                        sql("SELECT 1 / 0"), new Step.Prepare(2, "SELECT id, v, l FROM shared WHERE id = ?"), sql("SELECT @@warning_count"),
                        new Step.Prepare(3, "SELECT ?"), sql("SELECT nosuch"), new Step.Prepare(4, "SELECT ?"), sql("SHOW ERRORS"),
                        sql("SELECT ROW_COUNT()")),
                program("a prepare of a text already prepared clears the conditions before it on the backend a temporary table pins",
                        sql("CALL mk_temp()"), new Step.Prepare(0, "SELECT id, v, l FROM shared WHERE id = ?"), sql("SELECT nosuch"),
                        new Step.Prepare(1, "SELECT id, v, l FROM shared WHERE id = ?"), sql("SHOW ERRORS"),
                        sql("UPDATE {T} SET n = n + 1"), new Step.Prepare(2, "SELECT id, v, l FROM shared WHERE id = ?"),
                        sql("SELECT ROW_COUNT()")),
                program("Sluice's own reads get their row under sql_select_limit = 0: the last insert id set on another backend",
                        sql("SELECT LAST_INSERT_ID(4242)"), sql("SET sql_select_limit = 0"), sql("SELECT 1"), sql("SET @li = LAST_INSERT_ID()"),
                        sql("SELECT @li LIMIT 1"), sql("DO SLEEP(0.05)"), sql("SET @li = LAST_INSERT_ID()"), sql("SELECT @li LIMIT 1")),
                clientCollation(),
                program("transaction characteristics set inside a transaction that SET autocommit = 1 ends hold from its COMMIT only",
                        new Step.Jdbc(Step.Jdbc.Call.AUTOCOMMIT, "false"), sql("SELECT COUNT(*) FROM shared"), sql("SET tx_read_only = 1"),
                        sql("SET tx_isolation = 'SERIALIZABLE'"), sql("SET autocommit = 1"), sql("DO SLEEP(0.05)"),
                        sql("INSERT INTO {T} (v, n) VALUES ('ro', 1)"), sql("SELECT @@tx_read_only, @@tx_isolation"), sql("DO SLEEP(0.05)"),
                        sql("INSERT INTO {T} (v, n) VALUES ('ro', 2)"), sql("COMMIT"), sql("DO SLEEP(0.05)"),
                        sql("INSERT INTO {T} (v, n) VALUES ('ro', 3)"), sql("SET SESSION tx_read_only = 0"),
                        sql("INSERT INTO {T} (v, n) VALUES ('rw', 4)"), sql("SELECT v, n FROM {T} ORDER BY id")),
                underSelectLimit(0, "a variable an unscoped SET changed",
                        sql("SET @@sql_mode = 'ANSI'"), sql("SELECT 1"), sql("SELECT @@sql_mode LIMIT 1")),
                underSelectLimit(0, "the collation SET NAMES ... COLLATE chose",
                        sql("SET NAMES latin1 COLLATE latin1_german1_ci"), sql("SELECT 1"), sql("SELECT @@collation_connection LIMIT 1")),
                underSelectLimit(0, "FOUND_ROWS() after SQL_CALC_FOUND_ROWS",
                        sql("SELECT SQL_CALC_FOUND_ROWS id FROM shared ORDER BY id LIMIT 1"), sql("SET @x = 1"), sql("SELECT FOUND_ROWS() LIMIT 1"),
                        sql("SELECT SQL_CALC_FOUND_ROWS id FROM shared ORDER BY id LIMIT 2"), sql("SELECT 1"), sql("SELECT FOUND_ROWS() LIMIT 1")),
                underSelectLimit(0, "user variables a SELECT assigned",
                        sql("SELECT id INTO @v FROM shared ORDER BY id LIMIT 1"), sql("SELECT 1"), sql("SELECT @v, FOUND_ROWS() LIMIT 1"),
                        sql("SELECT @a := 5 LIMIT 1"), sql("SELECT 1"), sql("SELECT @a LIMIT 1")),
                underSelectLimit(0, "the conditions a statement left",
                        sql("INSERT IGNORE INTO {T} (id, v) VALUES (1, 'dup')"), sql("SELECT 1"), sql("SHOW WARNINGS LIMIT 10"),
                        sql("SELECT @@warning_count LIMIT 1")),
                underSelectLimit(1, "all of the above",
                        sql("INSERT INTO {T} (v, n) VALUES ('li', 1)"), sql("SELECT 1"), sql("SET @li = LAST_INSERT_ID()"),
                        sql("SET @@sql_mode = 'ANSI'"), sql("SET NAMES latin1 COLLATE latin1_german1_ci"),
                        sql("SELECT SQL_CALC_FOUND_ROWS id FROM shared ORDER BY id LIMIT 2"), sql("SELECT 1"), sql("SELECT FOUND_ROWS()"),
                        sql("SELECT id INTO @v FROM shared ORDER BY id LIMIT 1"), sql("SELECT @a := 5"), sql("SELECT 1"),
                        sql("INSERT IGNORE INTO {T} (id, v) VALUES (1, 'dup')"), sql("SELECT 1"), sql("SHOW WARNINGS"),
                        sql("SELECT @li, @@sql_mode, @@collation_connection, @v, @a, @@warning_count")));
    }

    /**
     * A string parameter takes the collation character_set_client holds inside the server, which only SET NAMES ...
     * COLLATE and the handshake choose; SET collation_connection, SET character_set_client and SET CHARACTER SET
     * leave it or take the default (program 1835 of seed 9191, both faces).
     */
    static Program clientCollation() {
        return program("a string parameter takes the collation character_set_client holds, which SET collation_connection leaves and SET NAMES sets",
                new Step.Prepare(0, "SELECT COLLATION(?), @@collation_connection"), sql("SET NAMES utf8mb4"),
                sql("SET SESSION collation_connection = 'utf8mb4_unicode_ci'"), sql("DO SLEEP(0.05)"), new Step.Execute(0, List.of("x")),
                sql("DO SLEEP(0.05)"), new Step.Execute(0, List.of("y")),
                sql("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci"), sql("SET collation_connection = 'utf8mb4_general_ci'"),
                sql("DO SLEEP(0.05)"), new Step.Execute(0, List.of("x")), sql("DO SLEEP(0.05)"), new Step.Execute(0, List.of("y")),
                sql("SET character_set_client = 'utf8mb4'"), sql("DO SLEEP(0.05)"), new Step.Execute(0, List.of("x")),
                sql("SET NAMES latin1 COLLATE latin1_german1_ci"), sql("SET character_set_connection = 'utf8mb4'"),
                sql("DO SLEEP(0.05)"), new Step.Execute(0, List.of("x")), sql("SET CHARACTER SET latin1"),
                sql("DO SLEEP(0.05)"), new Step.Execute(0, List.of("x")), sql("SELECT @@character_set_client, @@collation_connection"));
    }

    /**
     * Sluice reads what the client's statements left on a backend with SELECTs of its own, which run under the client's
     * sql_select_limit: with 0 they came back without their row (the client reads with LIMITs of its own).
     */
    static Program underSelectLimit(int limit, String what, Step... steps) {
        List<Step> list = new ArrayList<>();
        list.add(sql("SET sql_select_limit = " + limit));
        list.addAll(List.of(steps));
        list.add(sql("SET sql_select_limit = DEFAULT"));
        list.add(sql("SELECT @@sql_select_limit, @@sql_mode, @@collation_connection, LAST_INSERT_ID(), @li, @v, @a"));
        return program("Sluice's own reads get their row under sql_select_limit = " + limit + ": " + what, list.toArray(Step[]::new));
    }

    static Program program(String what, Step... steps) {
        List<Step> list = new ArrayList<>();
        list.add(new Step.Sql("SELECT '" + what.replace("'", "''") + "' AS finding"));
        list.addAll(List.of(steps));
        return new Program(0, -1, 1, true, true, list);
    }

    static Step sql(String sql) {
        return new Step.Sql(sql);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foundBySeed")
    void generatedProgramThatOnceFailed(Program program) throws Exception {
        run(program);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("handWritten")
    void handWrittenProgram(Program program) throws Exception {
        run(program);
    }

    private void run(Program program) throws Exception {
        run(program, new Endpoint("sluice", "127.0.0.1", sluicePort), new Endpoint("direct", backendHost, backendPort));
    }

    /** Runs copies of {@code program} through Sluice and directly, among noise clients, and asserts they observe the same. */
    static void run(Program program, Endpoint sluice, Endpoint backend) throws Exception {
        Fixture.create(backend);
        DifferentialRun runner = new DifferentialRun(sluice, backend, COPIES, 0);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> noise = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            noise.add(Thread.ofPlatform().start(new NoiseClient(sluice, 7 + i, stop, new AtomicLong())));
        }
        try {
            List<Thread> copies = new ArrayList<>();
            List<Mismatch> found = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Exception> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int copy = 0; copy < COPIES; copy++) {
                int worker = 200 + copy;
                copies.add(Thread.ofPlatform().start(() -> {
                    try {
                        Mismatch m = runner.compare(program, worker);
                        if (m != null) {
                            found.add(m);
                        }
                    } catch (Exception e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : copies) {
                t.join();
            }
            assertThat(errors).isEmpty();
            assertThat(found.stream().map(Mismatch::render).toList()).isEmpty();
        } finally {
            stop.set(true);
            for (Thread t : noise) {
                t.join();
            }
        }
    }
}
