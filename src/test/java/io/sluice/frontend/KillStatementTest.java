package io.sluice.frontend;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The KILL statements Sluice answers itself, read as the server reads them, comments and all. */
class KillStatementTest {

    /** {@code \n} in the text stands for a line break (a CSV source cannot hold one). */
    private static Optional<KillStatement> parse(String sql) {
        byte[] b = ("\u0003" + sql.replace("\\n", "\n")).getBytes(StandardCharsets.UTF_8);
        return KillStatement.parse(b, 1, b.length - 1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "KILL 5|5|true",
            "kill connection 7;|7|true",
            "KILL QUERY 42|42|false",
            "  KILL\tHARD QUERY 3 ; |3|false",
            "KILL SOFT CONNECTION 3|3|true",
            "/* hello */ KILL 5|5|true",
            "# hello\\nKILL 5|5|true",
            "-- hello\\nKILL QUERY 5|5|false",
            "--\u007f hello\\nKILL 5|5|true",
            "KILL/* a */QUERY/* b */9/* c */;/* d */|9|false",
            "KILL 9223372036854775807|9223372036854775807|true",
            "KILL CONNECTION_ID()|-1|true",
            "kill query connection_id ( )|-1|false",
            "KILL CONNECTION CONNECTION_ID();|-1|true"})
    void supportedForms(String sql, long id, boolean connection) {
        assertThat(parse(sql)).contains(new KillStatement(OptionalLong.of(id), connection));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "KILL",
            "KILL USER app",
            "KILL QUERY ID 5",
            "KILL 5; SELECT 1",
            "KILL 5 x",
            "KILL 9223372036854775808",
            "KILL 99999999999999999999",
            "KILL 5x",
            "KILL @v",
            "KILL CONNECTION_ID",
            "KILL CONNECTION_ID(1)"})
    void otherFormsAreKillsSluiceDoesNotRun(String sql) {
        assertThat(parse(sql)).contains(new KillStatement(OptionalLong.empty(), true));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"SELECT 1", "KILLER 5", "/*!50000 KILL 5 */", "SELECT 1; KILL 5", "--KILL 5"})
    void textsThatDoNotStartWithKill(String sql) {
        assertThat(parse(sql)).isEmpty();
    }

    /**
     * Three clients sending this froze Sluice for 30 s when KILL was matched by a regular expression ending in
     * {@code \s*;?\s*$}, which backtracks quadratically over the spaces. Read in one pass, it takes milliseconds.
     */
    @Test
    void trailingWhiteSpaceIsReadInOnePass() {
        String sql = "KILL 1" + " ".repeat(1_000_000) + "x";
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThat(parse(sql)).contains(new KillStatement(OptionalLong.empty(), true)));
    }
}
