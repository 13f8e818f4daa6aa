package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Management;
import io.sluice.testing.OwnDatabaseProfile;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet count where the database records connection attributes: a MariaDB with its Performance Schema on. There
 * Sluice counts distinct instance ids among its own user's sessions with {@code program_name=sluice}, not client
 * hosts: a second instance on the same host (played by a connection carrying Sluice's attributes with another
 * instance id, as that instance's pool would send them) counts, and the user's other connections, from other hosts,
 * do not. In each step the processlist fallback would have counted differently (1 host, then 3), so the counts
 * asserted here can only come from the attributes.
 */
@QuarkusTest
@TestProfile(FleetPerformanceSchemaTest.PerformanceSchemaOn.class)
class FleetPerformanceSchemaTest {
    static final int BUDGET = 8;
    /** The test configuration's two users (app and other) split the instance's part of the budget. */
    static final int SHARE = BUDGET / 2;
    static final String ANOTHER_INSTANCE = "program_name:sluice,sluice_instance:0123456789abcdef";
    static final String COUNTED_BY_ATTRIBUTES = "counted by performance_schema connection attributes";

    public static class PerformanceSchemaOn extends OwnDatabaseProfile {
        @Override
        protected List<String> serverArgs() {
            return List.of("--performance-schema=ON");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.putAll(Map.of("sluice.fleet.max-connections", Integer.toString(BUDGET), "sluice.fleet.interval", "300ms",
                    "sluice.pool.max-size", "10"));
            return config;
        }
    }

    @Test
    void instancesAreCountedByTheirConnectionAttributeNotByClientHost() throws Exception {
        try (Connection root = DriverManager.getConnection(OwnDatabaseProfile.database().jdbcUrl(null), "root", "")) {
            assertThat(one(root, "SELECT @@performance_schema")).isEqualTo("1");
        }
        Management.await("one instance counted by its attributes", () -> Management.gauge("sluice_fleet_instances", "app") == 1 && Management.readiness().contains(COUNTED_BY_ATTRIBUTES));
        assertThat(Management.gauge("sluice_fleet_share", "app")).isEqualTo(SHARE);

        try (Connection otherInstance = direct("127.0.0.1", ANOTHER_INSTANCE)) {
            assertThat(appHosts()).as("client hosts of user app: the processlist would count one instance").isEqualTo(1);
            Management.await("two instances on one host counted, share halved", () -> Management.gauge("sluice_fleet_instances", "app") == 2 && Management.gauge("sluice_fleet_share", "app") == SHARE / 2);
            assertThat(Management.readiness()).contains("across 2 instances, " + COUNTED_BY_ATTRIBUTES);

            try (Connection application = direct("127.0.0.2", "program_name:orders-service");
                    Connection console = direct("127.0.0.3", "")) {
                assertThat(appHosts()).as("client hosts of user app: the processlist would count three instances").isEqualTo(3);
                otherInstance.close();
                Management.await("the other instance gone, the user's other connections not counted",
                        () -> Management.gauge("sluice_fleet_instances", "app") == 1 && Management.gauge("sluice_fleet_share", "app") == SHARE);
                assertThat(Management.readiness()).contains("across 1 instance, " + COUNTED_BY_ATTRIBUTES);
            }
        }
    }

    /** A connection of user app straight to the database from {@code host}, with these Connector/J connection attributes. */
    private static Connection direct(String host, String attributes) throws SQLException {
        return DriverManager.getConnection(OwnDatabaseProfile.database().jdbcUrl("app") + "&localSocketAddress=" + host
                + (attributes.isEmpty() ? "" : "&connectionAttributes=" + attributes), TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
    }

    /** Distinct client hosts of user app, as the processlist fallback counts them. */
    private static int appHosts() throws SQLException {
        try (Connection root = DriverManager.getConnection(OwnDatabaseProfile.database().jdbcUrl(null), "root", "")) {
            return Integer.parseInt(one(root, "SELECT COUNT(DISTINCT SUBSTRING_INDEX(HOST, ':', 1)) FROM information_schema.PROCESSLIST WHERE USER = 'app'"));
        }
    }
}
