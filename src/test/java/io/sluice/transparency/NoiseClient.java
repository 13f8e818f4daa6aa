package io.sluice.transparency;

import io.sluice.testing.TestDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that only ever leaves dirt behind, through Sluice: odd sql_mode, time zone, character sets and
 * limits, user variables of the names programs use, temporary tables that shadow the programs' tables,
 * pending transaction characteristics, warnings, a last insert id, named locks, text-protocol prepared
 * statements, and server-side prepared statements of the programs' SQL text prepared in other schemas.
 * Nothing it sees is checked; if any of it reaches a program, that program's observations show it.
 */
final class NoiseClient implements Runnable {
    private static final List<String> POISON = List.of(
            "SET sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT,NO_BACKSLASH_ESCAPES'", "SET time_zone = '+09:00'", "SET NAMES latin1",
            "SET character_set_results = NULL", "SET sql_select_limit = 1", "SET auto_increment_increment = 7",
            "SET div_precision_increment = 9", "SET lc_time_names = 'ja_JP'", "SET group_concat_max_len = 5",
            "SET @a = 'noise', @b = 3.14159, @c = X'DEAD', @d = CAST(18446744073709551615 AS UNSIGNED)",
            "SET @trig = 'noise', @tenant_id = 666, @fv = -1, @w = 'w'", "SET timestamp = 42", "SET insert_id = 999",
            "SET sql_notes = 0", "SET max_error_count = 1", "USE " + Namespace.SLUICE.schema2(), "USE " + Namespace.NOISE.schema2(),
            "SELECT LAST_INSERT_ID(666)", "INSERT IGNORE INTO " + Namespace.NOISE.schema1() + ".noise VALUES (1, 'n'), (1, 'n')",
            "SELECT CAST('noise' AS SIGNED)", "SELECT nosuch", "SET TRANSACTION READ ONLY", "SET tx_isolation = 'SERIALIZABLE'",
            "SET autocommit = 0", "COMMIT", "SET autocommit = 1", "CREATE TEMPORARY TABLE shared (id INT, v VARCHAR(30))",
            "CREATE TEMPORARY TABLE t0 (noise INT)", "SELECT GET_LOCK('noise-lock', 0)", "PREPARE ps1 FROM 'SELECT ''noise'''",
            "CALL set_ctx(666)", "SET collation_connection = 'latin1_bin'", "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci",
            "SET sql_mode = 'TRADITIONAL'", "SET foreign_key_checks = 0", "SET sql_safe_updates = 1", "SET default_storage_engine = 'MEMORY'",
            "SET collation_database = 'latin1_german1_ci'", "SET tx_read_only = 1", "SET max_statement_time = 1000",
            "SELECT * FROM shared", "SELECT 1", "SIGNAL SQLSTATE '01000' SET MESSAGE_TEXT = 'noise warning'",
            // Counted and not stored: MariaDB's reset keeps the count.
            "SET STATEMENT max_error_count = 0 FOR SELECT CAST('noise' AS SIGNED)");

    private final Endpoint sluice;
    private final long seed;
    private final AtomicBoolean stop;
    private final AtomicLong statements;

    NoiseClient(Endpoint sluice, long seed, AtomicBoolean stop, AtomicLong statements) {
        this.sluice = sluice;
        this.seed = seed;
        this.stop = stop;
        this.statements = statements;
    }

    @Override
    public void run() {
        SplittableRandom random = new SplittableRandom(seed);
        while (!stop.get()) {
            String schema = switch (random.nextInt(4)) {
                case 0 -> null;
                case 1 -> Namespace.SLUICE.schema1();
                default -> Namespace.NOISE.schema1();
            };
            try (Connection c = sluice.connect(TestDatabase.APP_USER, schema,
                    "sslMode=DISABLED&allowPublicKeyRetrieval=true&useServerPrepStmts=true&cachePrepStmts=false&socketTimeout=120000")) {
                // Short sessions: a noise client that pinned itself gives its backend back soon.
                for (int i = 0, n = 3 + random.nextInt(12); i < n && !stop.get(); i++) {
                    if (random.nextInt(5) == 0) {
                        prepareProgramText(c, random);
                    } else {
                        try (Statement s = c.createStatement()) {
                            s.execute(POISON.get(random.nextInt(POISON.size())));
                        } catch (SQLException expected) {
                            // Dirt is dirt, whether or not the statement worked.
                        }
                    }
                    statements.incrementAndGet();
                }
                if (random.nextInt(4) == 0) {
                    // Leave in the middle of a transaction.
                    try (Statement s = c.createStatement()) {
                        s.execute("START TRANSACTION");
                        s.execute("SELECT * FROM " + Namespace.NOISE.schema1() + ".noise FOR UPDATE");
                    } catch (SQLException ignored) {
                        // As above.
                    }
                    c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).abortInternal();
                }
            } catch (SQLException e) {
                // The next session tries again.
            }
        }
    }

    /** Prepares SQL that programs prepare too, in this client's (other) schema, sql_mode and character set. */
    private static void prepareProgramText(Connection c, SplittableRandom random) {
        String sql = pick(random, "SELECT id, v, l FROM shared WHERE id = ?", "SELECT \"shared\"", "SELECT 'x' || 'y'",
                "SELECT CHARSET(?), COLLATION(?)", "SELECT COUNT(*) FROM shared WHERE v = ?", "SELECT id FROM shared ORDER BY id",
                "SELECT v FROM shared WHERE v = 'Ünï-1'");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
                ps.setLong(i, 1);
            }
            ps.execute();
        } catch (SQLException ignored) {
            // As above.
        }
    }

    private static String pick(SplittableRandom random, String... options) {
        return options[random.nextInt(options.length)];
    }
}
