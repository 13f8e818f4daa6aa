package io.sluice.transparency;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Generates client programs from a grammar of everything that touches session state: system variables in
 * every SET form (and SET STATEMENT ... FOR), character sets, schemas and qualified names, user variables,
 * temporary tables, prepared statements of both protocols, transactions with their characteristics and
 * savepoints, named locks, warnings and errors, LAST_INSERT_ID(), ROW_COUNT(), FOUND_ROWS(), stored routines
 * and triggers that change state unseen, multi-statements, statements that fail half-way, KILL, reset,
 * change of user and disconnects — interleaved with observations of all of it.
 *
 * <p>The same seed and index always give the same program. Generation follows the program's likely state
 * (in a transaction, which statements are prepared) only to make interesting sequences likely; a step that
 * fails is just as good an observation.
 */
final class ProgramGenerator {
    /** Session variables a program may set or look at, with values that behave the same on every run. */
    static final List<Variable> VARIABLES = List.of(
            new Variable("sql_mode", "''", "'ANSI_QUOTES'", "'NO_BACKSLASH_ESCAPES'", "'PIPES_AS_CONCAT'", "'TRADITIONAL'", "'ANSI'",
                    "'STRICT_ALL_TABLES,NO_ZERO_DATE'", "DEFAULT", "'NO_AUTO_VALUE_ON_ZERO'", "'IGNORE_SPACE,HIGH_NOT_PRECEDENCE'"),
            new Variable("time_zone", "'+00:00'", "'+05:30'", "'-08:00'", "'SYSTEM'", "DEFAULT"),
            new Variable("sql_select_limit", "1", "2", "DEFAULT", "18446744073709551615"),
            new Variable("group_concat_max_len", "4", "6", "1024"),
            new Variable("div_precision_increment", "0", "2", "8", "30"),
            new Variable("auto_increment_increment", "1", "3", "7"),
            new Variable("auto_increment_offset", "1", "2"),
            new Variable("lc_time_names", "'en_US'", "'de_DE'", "'fr_FR'", "'ja_JP'"),
            new Variable("foreign_key_checks", "0", "1"),
            new Variable("unique_checks", "0", "1"),
            new Variable("sql_safe_updates", "0", "1"),
            new Variable("sql_notes", "0", "1"),
            new Variable("max_error_count", "0", "1", "64"),
            new Variable("default_week_format", "0", "3", "7"),
            new Variable("sql_auto_is_null", "0", "1"),
            new Variable("max_statement_time", "0", "100"),
            new Variable("wait_timeout", "3600", "28800"),
            new Variable("lock_wait_timeout", "50", "31536000"),
            new Variable("innodb_lock_wait_timeout", "5", "50"),
            new Variable("sql_big_selects", "0", "1"),
            new Variable("optimizer_search_depth", "0", "12", "62"),
            new Variable("sort_buffer_size", "262144", "2097152"),
            new Variable("sql_quote_show_create", "0", "1"),
            new Variable("character_set_results", "NULL", "'latin1'", "'utf8mb4'", "'binary'"),
            new Variable("collation_connection", "'utf8mb4_bin'", "'latin1_german1_ci'", "'utf8mb4_unicode_ci'"),
            new Variable("character_set_client", "'latin1'", "'utf8mb4'"),
            new Variable("collation_database", "'latin1_swedish_ci'", "'utf8mb4_bin'"),
            new Variable("tx_isolation", "'READ-COMMITTED'", "'SERIALIZABLE'", "'REPEATABLE-READ'", "'READ-UNCOMMITTED'"),
            new Variable("tx_read_only", "0", "1"),
            new Variable("autocommit", "0", "1"),
            new Variable("default_storage_engine", "'InnoDB'", "'MyISAM'", "'MEMORY'"),
            new Variable("sql_if_exists", "0", "1"),
            new Variable("check_constraint_checks", "0", "1"),
            new Variable("insert_id", "100", "500"),
            new Variable("timestamp", "1000000000", "1700000000.5", "DEFAULT"),
            new Variable("last_insert_id", "77", "0"));

    /** User variable names: noise clients set the same ones, so that a leak shows. */
    static final List<String> USER_VARIABLES = List.of("a", "b", "c", "d", "tenant_id", "trig", "fv", "w");

    /** Values of every type a user variable can hold, written as SQL. */
    static final List<String> VALUES = List.of(
            "0", "-7", "42", "9223372036854775807", "-9223372036854775808", "CAST(18446744073709551615 AS UNSIGNED)",
            "CAST(5 AS UNSIGNED)", "1.50", "-0.001", "12345678901234567890.123456789", "0.0", "1.5e0", "-2.25e-3", "1e300",
            "0.1e0", "3.141592653589793e0", "'plain'", "''", "'Ünïcödé ✓'", "_latin1 X'636166E9'", "_utf8mb4'Ab' COLLATE utf8mb4_bin",
            "CONVERT('abc' USING latin1) COLLATE latin1_german1_ci", "'it''s'", "X'00FF10'", "_binary'abc'", "UNHEX('00')",
            "NULL", "CAST(NULL AS SIGNED)", "(SELECT v FROM shared WHERE id = 2)", "(SELECT COUNT(*) FROM {T})", "DATABASE()",
            "@@time_zone", "DATE('2024-02-29')", "b'101'", "TRUE", "LAST_INSERT_ID()", "JSON_OBJECT('k', 1)", "@a + 1",
            "CONCAT(@b, '!')", "_latin1'x' COLLATE latin1_bin", "CAST('2.50' AS DECIMAL(10,4))", "-0e0", "1.7976931348623157e308",
            "4.9e-324", "2.2250738585072014e-308", "RAND(7)", "'x' COLLATE utf8mb4_unicode_ci", "CAST(-1 AS SIGNED)",
            "_utf8mb3'utf8mb3 text'", "_ascii'ascii'", "_ucs2 X'00410042'", "_binary X''");

    private final SplittableRandom random;
    private final long seed;
    private final int index;
    private final List<Step> steps = new ArrayList<>();
    private final Set<Integer> preparedSlots = new LinkedHashSet<>();
    private boolean multiQueries;
    private boolean inTransaction;
    private boolean timestampSet;

    private ProgramGenerator(long seed, int index) {
        this.seed = seed;
        this.index = index;
        this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
    }

    static Program generate(long seed, int index) {
        return new ProgramGenerator(seed, index).program();
    }

    private Program program() {
        int loginSchema = pick(1, 1, 1, 1, 1, 2, 0);
        multiQueries = random.nextInt(3) > 0;
        boolean serverPrepare = random.nextInt(5) > 0;
        int length = random.nextInt(10) == 0 ? 60 + random.nextInt(60) : 8 + random.nextInt(40);
        while (steps.size() < length) {
            step();
        }
        return new Program(seed, index, loginSchema, multiQueries, serverPrepare, List.copyOf(steps));
    }

    private void step() {
        int category = weighted(14, 4, 6, 12, 26, 9, 3, 9, 3, 9, 3, 5, 6, 4, 3, 2, 3, 2);
        switch (category) {
            case 0 -> setSystemVariable();
            case 1 -> characterSet();
            case 2 -> schema();
            case 3 -> setUserVariable();
            case 4 -> observe();
            case 5 -> ownTable();
            case 6 -> temporaryTable();
            case 7 -> preparedStatement();
            case 8 -> sqlPrepared();
            case 9 -> transaction();
            case 10 -> namedLock();
            case 11 -> warnOrFail();
            case 12 -> routine();
            case 13 -> multiStatement();
            case 14 -> failHalfWay();
            case 15 -> kill();
            case 16 -> session();
            case 17 -> setStatementFor();
            default -> throw new IllegalStateException();
        }
    }

    // ---- system variables and character sets ----

    private void setSystemVariable() {
        Variable v = VARIABLES.get(random.nextInt(VARIABLES.size()));
        String value = v.values().get(random.nextInt(v.values().size()));
        boolean timestamp = v.name().equals("timestamp");
        String form = pick("SET %s = %s", "SET SESSION %s = %s", "SET @@%s = %s", "SET @@session.%s = %s", "SET LOCAL %s = %s",
                "SET %s := %s");
        if (random.nextInt(4) == 0) {
            Variable w = VARIABLES.get(random.nextInt(VARIABLES.size()));
            sql(String.format(form, v.name(), value) + ", " + w.name() + " = " + w.values().get(random.nextInt(w.values().size())));
            // A SET of two may fail whole (a variable the MySQL 8 face lacks, a bad value): whether the clock was fixed
            // is known only when neither fixes it.
            if (timestamp && value.equals("DEFAULT") || w.name().equals("timestamp")) {
                timestampSet = false;
            }
        } else if (random.nextInt(6) == 0) {
            sql(String.format(form, v.name(), value) + ", @" + userVariable() + " = " + value());
            if (timestamp && value.equals("DEFAULT")) {
                timestampSet = false;
            }
        } else {
            sql(String.format(form, v.name(), value));
            if (timestamp) {
                timestampSet = !value.equals("DEFAULT");
            }
        }
    }

    private void characterSet() {
        sql(pick("SET NAMES latin1", "SET NAMES utf8mb4", "SET NAMES utf8mb4 COLLATE utf8mb4_bin", "SET NAMES utf8mb3",
                "SET NAMES latin1 COLLATE latin1_german1_ci", "SET CHARACTER SET latin1", "SET CHARACTER SET utf8mb4",
                "SET character_set_results = NULL", "SET NAMES binary", "SET NAMES ascii", "SET NAMES DEFAULT"));
    }

    private void setStatementFor() {
        sql(pick("SET STATEMENT sql_select_limit = 1 FOR SELECT id, v FROM shared ORDER BY id",
                "SET STATEMENT time_zone = '+09:00' FOR SELECT FROM_UNIXTIME(1000000000), @@time_zone",
                "SET STATEMENT sql_mode = 'ANSI_QUOTES' FOR SELECT \"v\" FROM shared WHERE id = 1",
                "SET STATEMENT div_precision_increment = 1 FOR SELECT 10 / 3",
                "SET STATEMENT lc_time_names = 'de_DE', sql_select_limit = 2 FOR SELECT DATE_FORMAT('2024-03-01', '%W %M'), id FROM shared",
                "SET STATEMENT max_error_count = 0 FOR SELECT CAST('x' AS SIGNED)",
                "SET STATEMENT sql_mode = '' FOR INSERT INTO {T} (v, n) VALUES ('stmt', NULL)"));
    }

    // ---- schemas ----

    private void schema() {
        switch (random.nextInt(6)) {
            case 0 -> sql("USE {S1}");
            case 1 -> sql("USE {S2}");
            case 2 -> steps.add(new Step.Jdbc(Step.Jdbc.Call.CATALOG, pick("{S1}", "{S2}")));
            case 3 -> sql(pick("SELECT v FROM {S2}.shared WHERE id = 1", "SELECT COUNT(*), MAX(v) FROM {S1}.{T}",
                    "SELECT v, DATABASE() FROM {S2}.{T} WHERE id = 2", "INSERT INTO {S2}.{T} (v) VALUES ('q2')"));
            case 4 -> sql("USE no_such_schema");
            default -> sql("SELECT DATABASE(), @@character_set_database, @@collation_database");
        }
    }

    // ---- user variables ----

    private String userVariable() {
        return USER_VARIABLES.get(random.nextInt(4 + (random.nextInt(3) == 0 ? USER_VARIABLES.size() - 4 : 0)));
    }

    private String value() {
        return VALUES.get(random.nextInt(VALUES.size()));
    }

    private void setUserVariable() {
        String a = userVariable();
        String b = userVariable();
        switch (random.nextInt(10)) {
            case 0, 1, 2 -> sql("SET @" + a + " = " + value());
            case 3 -> sql("SET @" + a + " := " + value() + ", @" + b + " = " + value());
            case 4 -> sql("SELECT @" + a + " := " + value());
            case 5 -> sql("SELECT " + value() + " INTO @" + a);
            case 6 -> sql("SELECT v, id INTO @" + a + ", @" + b + " FROM shared WHERE id = " + (1 + random.nextInt(3)));
            case 7 -> sql("DO @" + a + " := " + value());
            case 8 -> sql("SELECT @" + a + " := IFNULL(@" + a + ", 0) + 1 FROM shared ORDER BY id");
            default -> sql("SET @" + a + " = " + value() + ", " + VARIABLES.get(random.nextInt(3)).name() + " = DEFAULT");
        }
    }

    // ---- observations ----

    private void observe() {
        switch (random.nextInt(22)) {
            case 0, 1, 2 -> {
                List<String> names = new ArrayList<>();
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                    Variable v = VARIABLES.get(random.nextInt(VARIABLES.size()));
                    if (!v.name().equals("timestamp") || timestampSet) {
                        names.add("@@session." + v.name());
                    }
                }
                if (!names.isEmpty()) {
                    sql("SELECT " + String.join(", ", names));
                }
            }
            case 3, 4, 5 -> {
                String v = userVariable();
                sql("SELECT @" + v + ", HEX(@" + v + "), COLLATION(@" + v + "), COERCIBILITY(@" + v + ")");
            }
            case 6 -> sql(pick("SELECT DATABASE()", "SELECT DATABASE(), USER(), CURRENT_USER()"));
            case 7 -> sql(pick("SELECT LAST_INSERT_ID()", "SELECT @@identity, @@last_insert_id", "SELECT LAST_INSERT_ID() + 0, @a"));
            case 8 -> sql("SELECT ROW_COUNT()");
            case 9 -> sql("SELECT FOUND_ROWS()");
            case 10 -> sql(pick("SHOW WARNINGS", "SHOW ERRORS", "SHOW COUNT(*) WARNINGS", "SELECT @@warning_count, @@error_count",
                    "SHOW WARNINGS LIMIT 1"));
            case 11 -> sql(pick("GET DIAGNOSTICS @n = NUMBER, @r = ROW_COUNT", "GET DIAGNOSTICS CONDITION 1 @m = MESSAGE_TEXT, @e = MYSQL_ERRNO"));
            case 12 -> steps.add(new Step.Jdbc(Step.Jdbc.Call.WARNINGS, null));
            case 13 -> sql(pick("SELECT * FROM {T} ORDER BY id", "SELECT * FROM {S1}.{T} ORDER BY id", "SELECT * FROM {S2}.{T} ORDER BY id"));
            case 14 -> sql(pick("SELECT * FROM shared ORDER BY id", "SELECT v, l, b FROM shared WHERE id = 3"));
            case 15 -> sql(pick("SELECT FROM_UNIXTIME(1000000000)", "SELECT DATE_FORMAT('2024-03-01', '%W %M')", "SELECT 10 / 3",
                    "SELECT 'a' || 'b'", "SELECT \"dq\"", "SELECT 'x\\ny'", "SELECT GROUP_CONCAT(v ORDER BY id) FROM shared",
                    "SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A'", "SELECT WEEK('2024-01-07')", "SELECT 'Ünï' = 'uni', LENGTH('é'), HEX('é')",
                    "SELECT CAST(1 AS UNSIGNED) - 2", "SELECT 5 NOT BETWEEN 1 AND 3"));
            case 16 -> sql("SELECT @@in_transaction, @@tx_isolation, @@tx_read_only, @@autocommit");
            case 17 -> sql(pick("SELECT IS_FREE_LOCK('{L}a')", "SELECT IS_USED_LOCK('{L}a') IS NOT NULL, IS_FREE_LOCK('{L}b')"));
            case 18 -> sql(pick("SELECT CONNECTION_ID() > 0", "SELECT CONNECTION_ID()"));
            case 19 -> sql(pick("SHOW SESSION VARIABLES LIKE 'sql_mode'", "SHOW VARIABLES WHERE Variable_name IN ('time_zone', 'sql_select_limit')"));
            case 20 -> sql(pick("SELECT * FROM tmp1", "SELECT * FROM tmp_proc", "SHOW CREATE TABLE tmp1"));
            default -> {
                if (timestampSet) {
                    sql("SELECT NOW(), UNIX_TIMESTAMP(), CURDATE()");
                } else {
                    sql("SELECT 1");
                }
            }
        }
    }

    // ---- the program's own table ----

    private void ownTable() {
        sql(pick("INSERT INTO {T} (v, n) VALUES ('x', 1)", "INSERT INTO {T} (v, n) VALUES ('x', 1), ('y', 2)",
                "INSERT IGNORE INTO {T} (id, v) VALUES (1, 'dup')", "INSERT INTO {T} (id, v) VALUES (1, 'dup')",
                "INSERT INTO {T} (v, u) VALUES ('p', 50), ('q', 1)", "UPDATE {T} SET n = n + 1 WHERE id <= 2",
                "UPDATE {T} SET n = n WHERE id = 1", "UPDATE {T} SET n = LAST_INSERT_ID(n + 1) WHERE id = 1",
                "DELETE FROM {T} WHERE id = 3", "REPLACE INTO {T} (id, v) VALUES (2, 'r')",
                "INSERT INTO {T} (v) VALUES ('x') ON DUPLICATE KEY UPDATE n = n + 1",
                "INSERT INTO {T} (id, v) VALUES (2, 'odku') ON DUPLICATE KEY UPDATE n = n + 100",
                "UPDATE {T} SET v = 'a value that is much too long for the forty characters of v'",
                "INSERT INTO {T} (v, n) VALUES ('big', 99999999999)", "INSERT INTO {T} (v, n) VALUES ('null', NULL)",
                "UPDATE {T} SET n = n + 1", "SELECT SQL_CALC_FOUND_ROWS id FROM {T} ORDER BY id LIMIT 1",
                "INSERT INTO {T} (id, v) VALUES (0, 'zero')", "SELECT id, v FROM {T} WHERE id = 2 FOR UPDATE"));
    }

    private void temporaryTable() {
        sql(pick("CREATE TEMPORARY TABLE tmp1 (i INT, s VARCHAR(10))", "CREATE TEMPORARY TABLE shared (id INT, v VARCHAR(30))",
                "CREATE TEMPORARY TABLE tmp2 AS SELECT * FROM shared", "INSERT INTO tmp1 VALUES (1, 'x')", "SELECT * FROM tmp1",
                "DROP TEMPORARY TABLE tmp1", "DROP TEMPORARY TABLE IF EXISTS tmp_none", "DROP TEMPORARY TABLE IF EXISTS shared"));
    }

    // ---- prepared statements ----

    private static final List<String> PREPARED = List.of(
            "SELECT id, v, l FROM shared WHERE id = ?", "SELECT v FROM {T} WHERE id = ?", "INSERT INTO {T} (v, n) VALUES (?, ?)",
            "UPDATE {T} SET n = n + ? WHERE id = ?", "SELECT ?, ? + 1", "SELECT @a, @b", "SELECT \"shared\"", "SELECT 'x' || 'y'",
            "SELECT CHARSET(?), COLLATION(?)", "SELECT COUNT(*) FROM shared WHERE v = ?", "SELECT LAST_INSERT_ID()", "SET @a = ?",
            "SELECT ? INTO @b", "CALL set_ctx(?)", "SELECT * FROM tmp1", "SELECT FROM_UNIXTIME(?)", "SELECT id FROM shared ORDER BY id",
            "SELECT v FROM shared WHERE v = 'Ünï-1'", "SELECT ROW_COUNT()", "SELECT fset(?)");

    private void preparedStatement() {
        if (preparedSlots.isEmpty() || random.nextInt(4) == 0) {
            int slot = random.nextInt(4);
            preparedSlots.add(slot);
            steps.add(new Step.Prepare(slot, PREPARED.get(random.nextInt(PREPARED.size()))));
            return;
        }
        int slot = preparedSlots.stream().skip(random.nextInt(preparedSlots.size())).findFirst().orElseThrow();
        if (random.nextInt(8) == 0) {
            preparedSlots.remove(slot);
            steps.add(new Step.ClosePrepared(slot));
            return;
        }
        steps.add(new Step.Execute(slot, java.util.Arrays.asList(parameter(), parameter())));
    }

    private Object parameter() {
        return switch (random.nextInt(9)) {
            case 0, 1 -> (long) (1 + random.nextInt(3));
            case 2 -> (long) random.nextInt(1_000_000_000);
            case 3 -> "Ünï-1";
            case 4 -> "two-1";
            case 5 -> new BigDecimal("12.50");
            case 6 -> 0.1;
            case 7 -> new byte[] {0, (byte) 0xff};
            default -> null;
        };
    }

    private void sqlPrepared() {
        sql(pick("PREPARE ps1 FROM 'SELECT v FROM shared WHERE id = ?'", "EXECUTE ps1 USING 2", "SET @p = 3", "EXECUTE ps1 USING @p",
                "DEALLOCATE PREPARE ps1", "PREPARE ps2 FROM 'SET @c = ?'", "EXECUTE ps2 USING 'from ps2'", "EXECUTE IMMEDIATE 'SELECT 7'",
                "EXECUTE ps_proc"));
    }

    // ---- transactions ----

    private void transaction() {
        if (!inTransaction && random.nextInt(3) > 0) {
            inTransaction = true;
            switch (random.nextInt(7)) {
                case 0 -> sql("START TRANSACTION");
                case 1 -> sql("BEGIN");
                case 2 -> sql("START TRANSACTION READ ONLY");
                case 3 -> sql("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                case 4 -> steps.add(new Step.Jdbc(Step.Jdbc.Call.AUTOCOMMIT, "false"));
                case 5 -> sql("SET autocommit = 0");
                default -> {
                    sql(pick("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "SET TRANSACTION READ ONLY",
                            "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED, READ WRITE"));
                    inTransaction = false;
                }
            }
            return;
        }
        switch (random.nextInt(12)) {
            case 0, 1 -> {
                sql(pick("COMMIT", "ROLLBACK", "COMMIT AND CHAIN", "ROLLBACK AND CHAIN", "COMMIT WORK"));
                inTransaction = random.nextInt(4) == 0;
            }
            case 2 -> {
                steps.add(new Step.Jdbc(pick(Step.Jdbc.Call.COMMIT, Step.Jdbc.Call.ROLLBACK), null));
            }
            case 3 -> {
                steps.add(new Step.Jdbc(Step.Jdbc.Call.AUTOCOMMIT, "true"));
                inTransaction = false;
            }
            case 4 -> sql("SET autocommit = 1");
            case 5 -> sql("SAVEPOINT sp1");
            case 6 -> sql(pick("ROLLBACK TO SAVEPOINT sp1", "RELEASE SAVEPOINT sp1", "SAVEPOINT sp2", "ROLLBACK TO sp2"));
            case 7 -> steps.add(new Step.Jdbc(Step.Jdbc.Call.ISOLATION, pick("1", "2", "4", "8")));
            case 8 -> steps.add(new Step.Jdbc(Step.Jdbc.Call.READ_ONLY, pick("true", "false")));
            case 9 -> sql(pick("LOCK TABLES {T} WRITE", "UNLOCK TABLES", "LOCK TABLES shared READ"));
            default -> sql(pick("SET TRANSACTION READ WRITE", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
        }
    }

    private void namedLock() {
        sql(pick("SELECT GET_LOCK('{L}a', 5)", "SELECT GET_LOCK('{L}b', 5)", "SELECT RELEASE_LOCK('{L}a')", "SELECT RELEASE_ALL_LOCKS()",
                "DO GET_LOCK('{L}c', 5)", "SELECT RELEASE_LOCK('{L}b'), RELEASE_LOCK('{L}c')"));
    }

    // ---- warnings, errors, routines ----

    private void warnOrFail() {
        sql(pick("SELECT CAST('x' AS SIGNED)", "SELECT 1 / 0", "DROP TEMPORARY TABLE IF EXISTS no_such_tmp",
                "SELECT DATE_ADD('2024-02-30', INTERVAL 1 DAY)", "SET profiling = 1",
                "SIGNAL SQLSTATE '01000' SET MESSAGE_TEXT = 'custom warning', MYSQL_ERRNO = 1642", "SELECT nosuch",
                "SELECT * FROM no_such_table", "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom error'",
                "SELECT CAST('1x' AS SIGNED), CAST('2y' AS SIGNED)", "SELECT GROUP_CONCAT(v ORDER BY id) FROM shared"));
    }

    private void routine() {
        sql(pick("CALL set_ctx(5)", "CALL set_fail(6)", "CALL mk_temp()", "CALL lock_in_proc('{L}p')", "CALL prep_in_proc()",
                "CALL lid_in_proc(4242)", "CALL two_results()", "CALL warn_in_proc()", "SELECT fset(3)", "SET @d = fset(4)",
                "SELECT fplain(1)", "SELECT ftz()", "DO fset(9)", "INSERT INTO {T} (v, n) VALUES ('f', fset(11))", "CALL {S2}.set_ctx(7)",
                "SELECT LAST_INSERT_ID(42)", "SELECT LAST_INSERT_ID(LAST_INSERT_ID() + 1)", "DO LAST_INSERT_ID(99)"));
    }

    // ---- multi-statements and partial failure ----

    private void multiStatement() {
        if (!multiQueries) {
            observe();
            return;
        }
        List<Supplier<String>> parts = List.of(
                () -> "SET @" + userVariable() + " = " + value(),
                () -> {
                    Variable v = VARIABLES.get(random.nextInt(VARIABLES.size()));
                    return "SET " + v.name() + " = " + v.values().get(random.nextInt(v.values().size()));
                },
                () -> "SELECT @" + userVariable(),
                () -> "INSERT INTO {T} (v) VALUES ('m')",
                () -> "SELECT LAST_INSERT_ID(), ROW_COUNT()",
                () -> "USE {S2}",
                () -> "SHOW WARNINGS",
                () -> "SELECT CAST('x' AS SIGNED)",
                () -> "SELECT nosuch",
                () -> "CALL set_ctx(8)",
                () -> "START TRANSACTION",
                () -> "COMMIT");
        int n = 2 + random.nextInt(2);
        List<String> sql = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sql.add(parts.get(random.nextInt(parts.size())).get());
        }
        sql(String.join("; ", sql));
    }

    private void failHalfWay() {
        List<String> options = new ArrayList<>(List.of("SET @a = 1, time_zone = 'bogus'", "SET time_zone = '+01:00', sql_mode = 'NONSENSE'",
                "INSERT INTO {T} (v, u) VALUES ('ok', 60), ('dup', 1)", "CALL set_fail(3)", "UPDATE {T} SET n = n + 1, u = 1",
                "SELECT fset(5), nosuch FROM shared", "SET @b = 'before', @c = (SELECT nosuch)"));
        if (multiQueries) {
            options.add("SET @a = 1; SELECT nosuch; SET @b = 2");
            options.add("SET time_zone = '+04:00'; SELECT * FROM no_such_table; SET time_zone = '+05:00'");
        }
        sql(options.get(random.nextInt(options.size())));
    }

    // ---- kills and the session itself ----

    private void kill() {
        switch (random.nextInt(6)) {
            case 0, 1 -> steps.add(new Step.KillRunningQuery());
            case 2, 3 -> steps.add(new Step.KillSelf(false));
            case 4 -> sql("KILL QUERY CONNECTION_ID()");
            default -> {
                steps.add(new Step.KillSelf(true));
                reconnect();
            }
        }
    }

    private void session() {
        switch (random.nextInt(6)) {
            case 0, 1 -> {
                steps.add(new Step.ResetConnection());
                preparedSlots.clear();
                inTransaction = false;
                timestampSet = false;
            }
            case 2 -> {
                steps.add(new Step.ChangeUser(pick("other", "app")));
                preparedSlots.clear();
                inTransaction = false;
                timestampSet = false;
            }
            default -> reconnect();
        }
    }

    private void reconnect() {
        steps.add(new Step.Reconnect(random.nextBoolean()));
        preparedSlots.clear();
        inTransaction = false;
        timestampSet = false;
    }

    // ---- helpers ----

    private void sql(String sql) {
        steps.add(new Step.Sql(sql));
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    private int weighted(int... weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int x = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    /** A session variable and values for it. */
    record Variable(String name, List<String> values) {
        Variable(String name, String... values) {
            this(name, List.of(values));
        }
    }
}
