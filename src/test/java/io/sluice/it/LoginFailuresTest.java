package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.app.SluiceServer;
import io.sluice.testing.ExternalProcess;
import io.sluice.testing.ExternalProcess.Result;
import io.sluice.testing.OwnDatabaseProfile;
import io.sluice.testing.TestClients;
import io.sluice.testing.TestDatabase;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever stage a login fails at, every client users run shows a proper MySQL error that says what is wrong and
 * which setting to look at: the mariadb CLI, MySQL Connector/J, MariaDB Connector/J, PyMySQL and Node's mysql, each
 * logging in and running one query. The stages: the database refuses Sluice's own login, every pooled connection is
 * in use, the database cannot be reached, and Sluice is draining before it stops.
 */
@QuarkusTest
@TestProfile(LoginFailuresTest.OnePooledConnection.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoginFailuresTest {
    /** A user Sluice knows and the database does not: the database refuses Sluice's login as it. */
    static final String STRANGER = "stranger";
    static final String STRANGER_PASSWORD = "stranger-pw";

    public static class OnePooledConnection implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "1", "sluice.pool.borrow-timeout", "1s",
                    "sluice.users." + STRANGER + ".password", STRANGER_PASSWORD);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OwnDatabaseProfile.Resource.class));
        }
    }

    /** An error as a client showed it; PyMySQL does not expose the SQLSTATE (null). */
    record Shown(String client, int code, String sqlState, String message) {
    }

    @Inject
    SluiceServer sluice;

    @Test
    @Order(1)
    void theDatabaseRefusingSluicesLoginIsNamedWithTheUsersPasswordSetting() throws Exception {
        assertThat(everyClient(STRANGER, STRANGER_PASSWORD)).allSatisfy(shown -> {
            assertThat(shown.code()).as(shown.toString()).isEqualTo(1045);
            assertThat(shown.message()).as(shown.client())
                    .contains("The database refused Sluice's login as '" + STRANGER + "'")
                    .contains("sluice.users.\"" + STRANGER + "\".password");
        });
    }

    @Test
    @Order(2)
    void anExhaustedPoolIsNamedWithItsSizeAndTimeout() throws Exception {
        try (Connection holder = sluice(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD); Statement s = holder.createStatement()) {
            s.execute("START TRANSACTION"); // the pool's one connection is this transaction's until it ends
            assertThat(everyClient(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD)).allSatisfy(shown -> {
                assertThat(shown.code()).as(shown.toString()).isEqualTo(9501);
                assertThat(shown.message()).as(shown.client()).contains("all 1 in use")
                        .contains("sluice.pool.max-size").contains("sluice.pool.borrow-timeout");
            });
            s.execute("ROLLBACK");
        }
    }

    @Test
    @Order(3)
    void anUnreachableDatabaseIsNamedWithTheBackendSettings() throws Exception {
        OwnDatabaseProfile.database().stop(false);
        try {
            assertThat(everyClient(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD)).allSatisfy(shown -> {
                assertThat(shown.code()).as(shown.toString()).isEqualTo(1429);
                assertThat(shown.message()).as(shown.client()).contains("Cannot reach the database")
                        .contains("Connection refused").contains("sluice.backend.host");
            });
        } finally {
            OwnDatabaseProfile.database().restart();
        }
    }

    @Test
    @Order(4)
    void aDrainingSluiceSaysItIsStopping() throws Exception {
        sluice.drain();
        assertThat(everyClient(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD)).allSatisfy(shown -> {
            assertThat(shown.code()).as(shown.toString()).isEqualTo(1053);
            assertThat(shown.message()).as(shown.client()).contains("Server shutdown in progress")
                    .contains("sluice.shutdown.grace");
        });
    }

    private static List<Shown> everyClient(String user, String password) throws Exception {
        List<Shown> shown = new ArrayList<>();
        shown.add(mariadbCli(user, password));
        shown.add(jdbc("MySQL Connector/J", "jdbc:mysql://127.0.0.1:" + port() + "/?sslMode=DISABLED", user, password));
        shown.add(jdbc("MariaDB Connector/J", "jdbc:mariadb://127.0.0.1:" + port() + "/app?sslMode=disable", user, password));
        shown.add(pyMySql(user, password));
        shown.add(nodeMysql(user, password));
        return shown;
    }

    private static Shown mariadbCli(String user, String password) throws Exception {
        Result r = ExternalProcess.run(List.of(ExternalProcess.require("mariadb", "apt-get install mariadb-client"),
                "--protocol=tcp", "-h", "127.0.0.1", "-P", Integer.toString(port()), "-u", user, "-e", "SELECT 1"),
                Map.of("MYSQL_PWD", password), null, 60);
        // e.g. "ERROR 9501 (HY000) at line 1: Timed-out ..." after the statement it echoes; no line when the login failed
        Matcher m = Pattern.compile("^ERROR (\\d+) \\((\\w+)\\)(?: at line \\d+)?: (.*)$", Pattern.MULTILINE).matcher(r.stderr());
        assertThat(m.find()).as("the mariadb CLI printed an error: %s%s", r.stdout(), r.stderr()).isTrue();
        return new Shown("mariadb CLI", Integer.parseInt(m.group(1)), m.group(2), m.group(3));
    }

    private static Shown jdbc(String client, String url, String user, String password) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1").close();
            throw new AssertionError(client + " logged in and ran a query");
        } catch (SQLException e) {
            return new Shown(client, e.getErrorCode(), e.getSQLState(), e.getMessage());
        }
    }

    private static Shown pyMySql(String user, String password) throws Exception {
        Result r = ExternalProcess.run(List.of(TestClients.python(), TestClients.DIR.resolve("connect_query.py").toString(),
                Integer.toString(port())), Map.of("DB_USER", user, "DB_PASSWORD", password), null, 60);
        Matcher m = Pattern.compile("error (\\d+) (.*)", Pattern.DOTALL).matcher(r.stdout().strip());
        assertThat(m.matches()).as("PyMySQL reported an error: %s%s", r.stdout(), r.stderr()).isTrue();
        return new Shown("PyMySQL", Integer.parseInt(m.group(1)), null, m.group(2));
    }

    private static Shown nodeMysql(String user, String password) throws Exception {
        Result r = ExternalProcess.run(List.of(TestClients.node(), "connect_query.js", Integer.toString(port())),
                Map.of("DB_USER", user, "DB_PASSWORD", password), TestClients.nodeDirectory(), 60);
        Matcher m = Pattern.compile("error (\\d+) (\\w+) (.*)", Pattern.DOTALL).matcher(r.stdout().strip());
        assertThat(m.matches()).as("Node's mysql reported an error: %s%s", r.stdout(), r.stderr()).isTrue();
        return new Shown("Node mysql", Integer.parseInt(m.group(1)), m.group(2), m.group(3));
    }

    private static Connection sluice(String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port() + "/?sslMode=DISABLED", user, password);
    }

    private static int port() {
        return ConfigProvider.getConfig().getValue("sluice.listen.port", Integer.class);
    }
}
