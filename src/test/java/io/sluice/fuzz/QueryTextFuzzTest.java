package io.sluice.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.frontend.KillStatements;
import io.sluice.session.StatementTraits;

import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What Sluice reads in a COM_QUERY's SQL before relaying it: {@link StatementTraits} (pins, LAST_INSERT_ID, KILL
 * anywhere) in every dialect, and whether it is a KILL Sluice answers itself. Neither documents an exception, so none
 * may escape; both read only their {@code [offset, offset + length)} of the packet (the SQL alone in an array of its own
 * reads the same); a text that is a KILL statement is one that {@link StatementTraits#kills()} sees; and both are linear
 * in the text's length: an input taking longer than the per-input limit (5 s, for inputs of up to a few hundred KiB
 * that a linear reading takes milliseconds over) is a finding, as a backtracking regular expression was.
 *
 * <p>Input: a flag byte (bit 0 NO_BACKSLASH_ESCAPES, bit 1 ANSI_QUOTES, bit 2 a double-byte client character set),
 * then the SQL; the test reads it where the packet holds it, after the flag byte, with a byte after it.
 */
class QueryTextFuzzTest {

    /** Each input (each seed in the test phase) within 5 s: while fuzzing, libFuzzer's -timeout. */
    @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @FuzzTest(maxDuration = "30s")
    void readsAnySql(byte[] input) {
        int flags = input.length > 0 ? input[0] : 0;
        var dialect = new StatementTraits.Dialect((flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
        int length = Math.max(0, input.length - 1);
        // In a packet: the command byte before the SQL, and here one byte of something else after it.
        byte[] packet = Arrays.copyOf(input.length == 0 ? new byte[1] : input, length + 2);
        packet[length + 1] = '\'';
        byte[] alone = Arrays.copyOfRange(packet, 1, 1 + length);

        StatementTraits inPacket = StatementTraits.of(packet, 1, length, dialect);
        StatementTraits byItself = StatementTraits.of(alone, 0, length, dialect);
        if (!inPacket.pins().equals(byItself.pins()) || inPacket.readsLastInsertId() != byItself.readsLastInsertId()) {
            throw new AssertionError("StatementTraits reads past its SQL: " + inPacket.pins() + " vs " + byItself.pins());
        }
        Optional<String> kill = KillStatements.parse(packet, 1, length);
        if (!kill.equals(KillStatements.parse(alone, 0, length))) {
            throw new AssertionError("KillStatement reads past its SQL: " + kill);
        }
        if (inPacket.kills() != byItself.kills()) {
            throw new AssertionError("StatementTraits.kills() reads past its SQL");
        }
        if (kill.isPresent() && !inPacket.kills()) {
            // The session asks kills() first: a KILL it did not see would be relayed.
            throw new AssertionError("a KILL statement (" + kill.get() + ") that StatementTraits does not see");
        }
    }

    // ---- seed inputs ----

    static byte[] sql(int flags, String sql) {
        return Packets.concat(new byte[] {(byte) flags}, sql.getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, byte[]> seeds() {
        Map<String, String> statements = new LinkedHashMap<>();
        statements.put("kill", "KILL 5");
        statements.put("kill-query", "kill query 42;");
        statements.put("kill-connection-spaces", "  KILL\tCONNECTION   7  ;  ");
        statements.put("kill-hard", "KILL HARD QUERY 1");
        statements.put("kill-19-digits-over-long", "KILL 9223372036854775808");
        statements.put("kill-20-digits", "KILL 99999999999999999999");
        statements.put("kill-user", "KILL USER app");
        statements.put("kill-query-id", "KILL QUERY ID 5");
        statements.put("kill-no-id", "KILL");
        statements.put("kill-unicode-digits", "KILL ١٢٣");
        statements.put("killer", "KILLER 5");
        statements.put("select", "SELECT 1");
        statements.put("user-variable", "SET @a = 1");
        statements.put("select-into-variable", "SELECT 1 INTO @x");
        statements.put("system-variable", "SELECT @@session.last_insert_id, @@identity");
        statements.put("account", "GRANT SELECT ON *.* TO 'app'@'%'");
        statements.put("account-unquoted", "CREATE USER app@localhost");
        statements.put("get-lock", "SELECT GET_LOCK('x', 10)");
        statements.put("get-lock-comment", "SELECT GET_LOCK/* c */('x', 10)");
        statements.put("found-rows", "SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1; SELECT FOUND_ROWS()");
        statements.put("last-insert-id", "SELECT LAST_INSERT_ID()");
        statements.put("lock-tables", "LOCK TABLES t WRITE");
        statements.put("flush-read-lock", "FLUSH TABLES WITH READ LOCK");
        statements.put("temporary-table", "CREATE OR REPLACE TEMPORARY TABLE tmp (id INT)");
        statements.put("prepare", "PREPARE s FROM 'SELECT 1'");
        statements.put("xa", "XA START 'x'");
        statements.put("handler", "HANDLER t OPEN");
        statements.put("executable-comment", "/*!50000 SELECT @x */");
        statements.put("mariadb-executable-comment", "/*M!100100 SELECT GET_LOCK('a', 1) */");
        statements.put("executable-comment-unterminated", "/*!");
        statements.put("comment-unterminated", "SELECT 1 /* @x");
        statements.put("comment-then-call", "SELECT ROW_COUNT /**/ ()");
        statements.put("dash-comment-at-end", "SELECT 1 --");
        statements.put("dash-comment", "SELECT 1 -- @x\n, CONNECTION_ID()");
        statements.put("hash-comment", "# @x\nSELECT 1");
        statements.put("quote-unterminated", "SELECT 'abc");
        statements.put("backslash-at-end", "SELECT 'abc\\");
        statements.put("doubled-quotes", "SELECT 'a''b', \"c\"\"d\", `e``f` @x");
        statements.put("backtick-unterminated", "SELECT `a");
        statements.put("at-at-end", "SELECT @");
        statements.put("at-at-at-end", "SELECT @@");
        statements.put("multi-statement", "SELECT 1; SET @a=1; LOCK TABLES t READ");
        statements.put("empty", "");
        statements.put("kill-after-comment", "/* hello */ KILL 7");
        statements.put("kill-after-hash-comment", "# hello\nKILL QUERY 7");
        statements.put("kill-after-dash-comment", "-- hello\nKILL 7;");
        statements.put("kill-in-executable-comment", "/*!50000 KILL 7 */");
        statements.put("kill-in-mariadb-executable-comment", "/*M!100100 KILL 7 */");
        statements.put("kill-after-statement", "SELECT 1; KILL 7");
        statements.put("kill-comments-between", "KILL/* a */QUERY/* b */7/* c */;/* d */");
        statements.put("kill-in-compound", "BEGIN NOT ATOMIC SELECT 1; IF 1 THEN KILL 7; END IF; END");
        statements.put("kill-in-procedure", "CREATE PROCEDURE p() KILL 7");
        statements.put("kill-in-prepare", "PREPARE s FROM 'KILL 7'");
        statements.put("kill-in-execute-immediate", "EXECUTE IMMEDIATE \"KILL 7\"");
        statements.put("kill-column", "SELECT kill FROM t");
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        statements.forEach((name, text) -> seeds.put(name, sql(0, text)));
        // Long inputs: each must be read in time linear in its length. The first froze Sluice's carrier threads
        // when KillStatement matched "\s*;?\s*$" by backtracking: quadratic in the spaces.
        seeds.put("kill-300k-spaces-x", sql(0, "KILL 1" + " ".repeat(300_000) + "x"));
        seeds.put("kill-100k-tabs-semicolon-x", sql(0, "KILL QUERY 1" + "\t".repeat(100_000) + ";x"));
        seeds.put("kill-25k-comments", sql(0, "KILL " + "/**/".repeat(25_000) + "1x"));
        seeds.put("unterminated-comments-30k", sql(0, "SELECT a" + " /*".repeat(30_000)));
        seeds.put("words-50k", sql(0, "SELECT " + "a ".repeat(50_000) + "("));
        seeds.put("long-word-100k", sql(0, "SELECT " + "a".repeat(100_000)));
        seeds.put("prepare-quotes-50k", sql(0, "PREPARE s FROM '" + "''".repeat(50_000)));
        seeds.put("backslashes-100k", sql(0, "SELECT '" + "\\".repeat(100_000)));
        seeds.put("dashes-100k", sql(0, "-".repeat(100_000)));
        seeds.put("no-backslash-escapes", sql(1, "SELECT 'a\\' , @x"));
        seeds.put("ansi-quotes", sql(2, "SELECT \"a\\\" , @x"));
        seeds.put("double-byte-lead-at-end", Packets.concat(new byte[] {4}, "SELECT '".getBytes(), new byte[] {(byte) 0x81}));
        seeds.put("double-byte-backslash-second-byte", Packets.concat(new byte[] {4}, "SELECT '".getBytes(),
                new byte[] {(byte) 0x95, 0x5c}, "', @x".getBytes()));
        seeds.put("invalid-utf8", Packets.concat(new byte[] {0}, "KILL ".getBytes(), new byte[] {(byte) 0xc3, 0x28, (byte) 0xff}));
        seeds.put("nul-bytes", Packets.concat(new byte[] {0}, "KILL\0 5".getBytes()));
        return seeds;
    }
}
