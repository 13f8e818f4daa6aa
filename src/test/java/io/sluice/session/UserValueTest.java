package io.sluice.session;

import io.sluice.protocol.ColumnDefinition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A user variable read back from one backend and written into the SET that recreates it on another: the SQL must
 * give back the same type and value whatever the session's sql_mode, character set or escaping.
 */
class UserValueTest {

    @Test
    void integersAreCastSoThatTheTypeSurvivesTheLiteral() {
        assertThat(new UserValue(UserValue.Type.SIGNED, "-9223372036854775808", null, "binary", "binary", 0).toSql())
                .isEqualTo("CAST(-9223372036854775808 AS SIGNED)");
        assertThat(new UserValue(UserValue.Type.UNSIGNED, "18446744073709551615", null, "binary", "binary", 0).toSql())
                .isEqualTo("CAST(18446744073709551615 AS UNSIGNED)");
        assertThat(new UserValue(UserValue.Type.SIGNED, null, null, "binary", "binary", 0).toSql()).isEqualTo("CAST(NULL AS SIGNED)");
    }

    @Test
    void decimalsKeepTheirScaleInTheDigits() {
        assertThat(new UserValue(UserValue.Type.DECIMAL, "1.50", null, "binary", "binary", 2).toSql()).isEqualTo("1.50");
        // A decimal of scale 0 (UNSIGNED + 1 makes one) stays a decimal: the bare digits would be an integer.
        assertThat(new UserValue(UserValue.Type.DECIMAL, "-8", null, "binary", "binary", 38).toSql()).isEqualTo("CAST(-8 AS DECIMAL(65,0))");
        assertThat(new UserValue(UserValue.Type.DECIMAL, null, null, "binary", "binary", 38).toSql()).isEqualTo("CAST(NULL AS DECIMAL(65,30))");
    }

    @Test
    void doublesAreWrittenAsFloatingPointLiterals() {
        assertThat(new UserValue(UserValue.Type.DOUBLE, "0.1", null, "binary", "binary", 0).toSql()).isEqualTo("0.1e0");
        assertThat(new UserValue(UserValue.Type.DOUBLE, "1e300", null, "binary", "binary", 0).toSql()).isEqualTo("1e300");
        assertThat(new UserValue(UserValue.Type.DOUBLE, "-0", null, "binary", "binary", 0).toSql()).isEqualTo("-0e0");
    }

    @Test
    void stringsAreHexBytesWithCharacterSetAndCollation() {
        byte[] cafe = {'c', 'a', 'f', (byte) 0xe9};
        assertThat(new UserValue(UserValue.Type.STRING, null, cafe, "latin1", "latin1_german1_ci", 0).toSql())
                .isEqualTo("_latin1 X'636166e9' COLLATE latin1_german1_ci");
        assertThat(new UserValue(UserValue.Type.STRING, null, new byte[] {0, (byte) 0xff}, "binary", "binary", 0).toSql())
                .isEqualTo("_binary X'00ff'");
        assertThat(new UserValue(UserValue.Type.STRING, null, null, "binary", "binary", 0).toSql()).isEqualTo("CAST(NULL AS BINARY)");
        assertThat(new UserValue(UserValue.Type.STRING, null, null, "utf8mb4", "utf8mb4_bin", 0).toSql())
                .isEqualTo("CAST(NULL AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin");
    }

    /** Bytes a literal of their character set would refuse (ERR 1300) cannot be set again: the client stays put. */
    @Test
    void onlyStringsValidInTheirCharacterSetAreReplayable() {
        byte[] ff = {0, (byte) 0xff};
        assertThat(new UserValue(UserValue.Type.STRING, null, ff, "utf8mb4", "utf8mb4_general_ci", 0).replayable()).isFalse();
        assertThat(new UserValue(UserValue.Type.STRING, null, ff, "binary", "binary", 0).replayable()).isTrue();
        assertThat(new UserValue(UserValue.Type.STRING, null, ff, "latin1", "latin1_swedish_ci", 0).replayable()).isTrue();
        byte[] check = "\u2713".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] emoji = "\uD83D\uDE00".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(new UserValue(UserValue.Type.STRING, null, check, "utf8mb3", "utf8mb3_general_ci", 0).replayable()).isTrue();
        assertThat(new UserValue(UserValue.Type.STRING, null, emoji, "utf8mb4", "utf8mb4_bin", 0).replayable()).isTrue();
        assertThat(new UserValue(UserValue.Type.STRING, null, emoji, "utf8mb3", "utf8mb3_bin", 0).replayable()).isFalse();
        assertThat(new UserValue(UserValue.Type.STRING, null, null, "utf8mb4", "utf8mb4_bin", 0).replayable()).isTrue();
        assertThat(new UserValue(UserValue.Type.SIGNED, "5", null, "binary", "binary", 0).replayable()).isTrue();
    }

    /** What the server sent is never written into a statement unchecked. */
    @Test
    void anythingButDigitsAndNamesIsRefused() {
        assertThatThrownBy(() -> new UserValue(UserValue.Type.SIGNED, "1; DROP TABLE t", null, "binary", "binary", 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UserValue(UserValue.Type.DOUBLE, "1e1)", null, "binary", "binary", 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UserValue(UserValue.Type.STRING, null, new byte[0], "latin1 X", "latin1_bin", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCaptureQueryReadsEachVariableFourWays() {
        CaptureQuery q = new CaptureQuery(true, false, List.of("a", "b c"));
        assertThat(q.sql()).isEqualTo("SELECT LAST_INSERT_ID(), @`a`, CHARSET(@`a`), COLLATION(@`a`), HEX(@`a`), "
                + "@`b c`, CHARSET(@`b c`), COLLATION(@`b c`), HEX(@`b c`) LIMIT 1");
    }

    /** Column definitions as MariaDB sends them for an unsigned integer, a decimal and a latin1 string variable. */
    @Test
    void theCaptureAnswerGivesTypeValueAndBytes() {
        CaptureQuery q = new CaptureQuery(false, true, List.of("u", "d", "s"));
        List<ColumnDefinition> columns = List.of(
                new ColumnDefinition("FOUND_ROWS()", 63, 21, ColumnDefinition.MYSQL_TYPE_LONGLONG, 0x80, 0),
                new ColumnDefinition("@u", 63, 20, ColumnDefinition.MYSQL_TYPE_LONGLONG, 0xa0, 0), text(), text(), text(),
                new ColumnDefinition("@d", 63, 83, ColumnDefinition.MYSQL_TYPE_NEWDECIMAL, 0x80, 38), text(), text(), text(),
                new ColumnDefinition("@s", 45, 67108860, ColumnDefinition.MYSQL_TYPE_LONG_BLOB, 0, 39), text(), text(), text());
        byte[][] row = {b("3"), b("18446744073709551615"), b("binary"), b("binary"), b("FFFFFFFFFFFFFFFF"),
                b("1.50"), b("binary"), b("binary"), b("1.50"), "é".getBytes(StandardCharsets.UTF_8), b("latin1"), b("latin1_german1_ci"), b("E9")};
        CaptureQuery.Captured c = q.parse(columns, row);
        assertThat(c.foundRows()).isEqualTo(3);
        assertThat(c.lastInsertId()).isNull();
        assertThat(c.userVariables().get("u").toSql()).isEqualTo("CAST(18446744073709551615 AS UNSIGNED)");
        assertThat(c.userVariables().get("d").toSql()).isEqualTo("1.50");
        assertThat(c.userVariables().get("d").scale()).isEqualTo(2);
        assertThat(c.userVariables().get("s").toSql()).isEqualTo("_latin1 X'e9' COLLATE latin1_german1_ci");
    }

    /** MariaDB's answers for SELECT @never and, after SET @n = NULL, SELECT @n: only the assigned one is state. */
    @Test
    void aVariableNeverAssignedIsNotCapturedButANullOneIs() {
        CaptureQuery q = new CaptureQuery(false, false, List.of("never", "n"));
        List<ColumnDefinition> columns = List.of(
                new ColumnDefinition("@never", 63, 16777216, ColumnDefinition.MYSQL_TYPE_LONG_BLOB, 0x80, 39), text(), text(), text(),
                new ColumnDefinition("@n", 63, 16777215, ColumnDefinition.MYSQL_TYPE_LONG_BLOB, 0x80, 39), text(), text(), text());
        byte[][] row = {null, b("binary"), b("binary"), null, null, b("binary"), b("binary"), null};
        CaptureQuery.Captured c = q.parse(columns, row);
        assertThat(c.userVariables()).containsOnlyKeys("n");
        assertThat(c.userVariables().get("n").toSql()).isEqualTo("CAST(NULL AS BINARY)");
    }

    private static ColumnDefinition text() {
        return new ColumnDefinition("x", 45, 16777215, 0xfd, 0, 39);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
