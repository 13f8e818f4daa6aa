package io.sluice.transparency;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.MySql8Backend;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static io.sluice.transparency.TransparencyRegressionTest.program;
import static io.sluice.transparency.TransparencyRegressionTest.sql;

/**
 * Findings of the differential test against the MySQL 8 face that only that face shows (MariaDB takes another path
 * through Sluice for them), run again in every build as {@link TransparencyRegressionTest} runs the others.
 */
@QuarkusTest
@TestProfile(TransparencyRegressionOnMySql8Test.TwoBackendsOnMySql8.class)
class TransparencyRegressionOnMySql8Test {

    public static class TwoBackendsOnMySql8 extends TransparencyRegressionTest.TwoBackends {
        @Override
        public List<TestResourceEntry> testResources() {
            return new MySql8Backend().testResources();
        }
    }

    @ConfigProperty(name = "sluice.backend.host")
    String backendHost;
    @ConfigProperty(name = "sluice.backend.port")
    int backendPort;
    @ConfigProperty(name = "sluice.listen.port")
    int sluicePort;

    static List<Program> foundOnMySql8() {
        return List.of(
                // ROW_COUNT() of 1 inside a transaction, after the SETs of a re-prepare in the prepare's character set:
                // MySQL has no anonymous block to recreate it, and Sluice's SELECT ... INTO was kept out of transactions.
                ProgramGenerator.generate(4242, 1825),
                // SAVEPOINT with autocommit off, before any table was read: ROLLBACK TO SAVEPOINT ran on another backend.
                ProgramGenerator.generate(8585, 4725),
                // SELECT ... INTO @c, then a read of ROW_COUNT() that Sluice recreated with @sluice_row_count on a backend
                // kept for the next statement: the reset that took the helper away took @c too, never read back (about
                // one run in ten; VariablesBeforeResetOnMySql8Test shows it every time).
                ProgramGenerator.generate(9292, 1153),
                // An UPDATE prepared again in a READ ONLY transaction, refused: the SET back to the client's variables left
                // ROW_COUNT() 0 where the client's own connection had -1 (as on MariaDB).
                ProgramGenerator.generate(9191, 8),
                // ROW_COUNT() of 2 inside a read-write transaction, after the SETs of a re-prepare (as on MariaDB).
                ProgramGenerator.generate(5757, 3197),
                // The collation a string parameter takes, after SET collation_connection (as on MariaDB).
                ProgramGenerator.generate(9191, 1835),
                TransparencyRegressionTest.clientCollation(),
                program("ROW_COUNT() of a SELECT ... INTO reads 1 inside a transaction, whatever Sluice ran in between",
                        new Step.Prepare(0, "SELECT ROW_COUNT()"), sql("SET NAMES utf8mb3"), sql("START TRANSACTION READ ONLY"),
                        sql("SELECT v, id INTO @b, @d FROM shared WHERE id = 3"), new Step.Execute(0, List.of()), sql("COMMIT"),
                        sql("SELECT @b, @d, @sluice_row_count")),
                program("ROW_COUNT() of a SELECT ... INTO reads 1 under sql_select_limit = 0, whatever Sluice ran in between",
                        new Step.Prepare(0, "SELECT ROW_COUNT() LIMIT 1"), sql("SET sql_select_limit = 0"), sql("SET NAMES utf8mb3"),
                        sql("START TRANSACTION READ ONLY"), sql("SELECT v, id INTO @b, @d FROM shared WHERE id = 3 LIMIT 1"),
                        new Step.Execute(0, List.of()), sql("COMMIT"), sql("SET sql_select_limit = DEFAULT"),
                        sql("SELECT @b, @d, @sluice_row_count, @@warning_count")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foundOnMySql8")
    void programFoundOnMySql8(Program program) throws Exception {
        TransparencyRegressionTest.run(program, new Endpoint("sluice", "127.0.0.1", sluicePort), new Endpoint("direct", backendHost, backendPort));
    }
}
