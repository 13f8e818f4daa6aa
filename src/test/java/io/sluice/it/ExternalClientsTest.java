package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.ExternalProcess;
import io.sluice.testing.ExternalProcess.Result;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestClients;
import io.sluice.testing.TestDatabase;
import io.sluice.testing.TestSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The clients real users run — the mariadb CLI, PyMySQL, Node's mysql and sysbench — get through Sluice
 * exactly what they get from the database directly. PyMySQL and Node's mysql do not speak
 * CLIENT_DEPRECATE_EOF, so they see the EOF packets Sluice writes for them.
 */
@QuarkusTest
public class ExternalClientsTest {
    static final Path CLIENTS = TestClients.DIR;
    static final Map<String, String> ENV = Map.of("DB_USER", TestDatabase.APP_USER, "DB_PASSWORD", TestDatabase.APP_PASSWORD,
            "MYSQL_PWD", TestDatabase.APP_PASSWORD);

    @BeforeAll
    static void setUp() throws Exception {
        TestSchema.ensure();
    }

    static int sluice() {
        return SluiceTestResource.port();
    }

    static int direct() {
        return io.sluice.testing.Backend.port();
    }

    private static Result cli(int port) throws Exception {
        String mariadb = ExternalProcess.require("mariadb", "apt-get install mariadb-client");
        Path script = CLIENTS.resolve("queries.sql");
        return ExternalProcess.run(List.of("bash", "-c", mariadb + " --batch --force --comments -h 127.0.0.1 -P " + port
                + " -u " + TestDatabase.APP_USER + " app < " + script), ENV, null, 60);
    }

    @Test
    void theMariadbCommandLineClientSeesTheSameAsDirectly() throws Exception {
        Result direct = cli(direct());
        Result proxied = cli(sluice());
        assertThat(proxied.stdout()).isEqualTo(direct.stdout());
        assertThat(proxied.stderr()).isEqualTo(direct.stderr()).contains("ERROR 1146");
        assertThat(proxied.stdout()).contains("héllo wörld ✓").contains("Division by 0").contains("first_value");
    }

    private static Result pymysql(int port) throws Exception {
        return ExternalProcess.run(List.of(TestClients.python(), CLIENTS.resolve("pymysql_client.py").toString(), Integer.toString(port)), ENV, null, 60);
    }

    @Test
    void pyMySqlSeesTheSameAsDirectly() throws Exception {
        Result direct = pymysql(direct());
        assertThat(direct.exitCode()).as("PyMySQL directly (apt-get install python3-pymysql): %s", direct.stderr()).isZero();
        Result proxied = pymysql(sluice());
        assertThat(proxied.stderr()).isEmpty();
        assertThat(proxied.stdout()).isEqualTo(direct.stdout()).contains("warnings 1").contains("1146");
    }

    /** Node's mysql package (installed once, see TestClients) run against {@code port}. */
    static Result node(int port) throws Exception {
        return ExternalProcess.run(List.of(TestClients.node(), "node_client.js", Integer.toString(port)),
                ENV, TestClients.nodeDirectory(), 60);
    }

    @Test
    void nodeMysqlSeesTheSameAsDirectly() throws Exception {
        Result direct = node(direct());
        assertThat(direct.exitCode()).as(direct.stderr()).isZero();
        Result proxied = node(sluice());
        assertThat(proxied.stderr()).isEmpty();
        assertThat(proxied.stdout()).isEqualTo(direct.stdout()).contains("Division by 0").contains("error 1146 42S02");
    }

    @Test
    void sysbenchRunsWithoutErrors() throws Exception {
        String sysbench = ExternalProcess.require("sysbench", "apt-get install sysbench");
        List<String> common = List.of("--db-driver=mysql", "--mysql-host=127.0.0.1", "--mysql-port=" + sluice(),
                "--mysql-user=" + TestDatabase.APP_USER, "--mysql-password=" + TestDatabase.APP_PASSWORD, "--mysql-db=app",
                "--tables=2", "--table-size=2000");
        for (String phase : List.of("cleanup", "prepare")) {
            Result r = ExternalProcess.run(Stream.concat(Stream.of(sysbench, "oltp_read_write"), Stream.concat(common.stream(), Stream.of(phase))).toList(),
                    Map.of(), null, 120);
            assertThat(r.exitCode()).as(phase + ": " + r.stdout() + r.stderr()).isZero();
        }
        for (String test : List.of("oltp_point_select", "oltp_read_write")) {
            Result r = ExternalProcess.run(Stream.concat(Stream.of(sysbench, test), Stream.concat(common.stream(),
                    Stream.of("--threads=8", "--time=3", "--report-interval=0", "run"))).toList(), Map.of(), null, 120);
            assertThat(r.exitCode()).as(test + ": " + r.stdout() + r.stderr()).isZero();
            assertThat(r.stdout()).containsPattern("transactions:\\s+[1-9]").containsPattern("reconnects:\\s+0 ");
            if (test.equals("oltp_point_select")) {
                // oltp_read_write may meet deadlocks between its own threads, which sysbench ignores by design.
                assertThat(r.stdout()).containsPattern("ignored errors:\\s+0 ");
            }
        }
    }
}
