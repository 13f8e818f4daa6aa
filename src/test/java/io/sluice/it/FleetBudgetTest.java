package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Management;
import io.sluice.testing.Sql;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One Sluice under a fleet budget of 8 connections, split between its two users (app and other): app's pool holds 4
 * although its max-size is 10. Another instance is played by a connection of user app from 127.0.0.2 (the database
 * counts client hosts of the user: MariaDB records no connection attributes by default). The multi-process case,
 * with real instances and a database that refuses what exceeds it, is {@code FleetIT}.
 */
@QuarkusTest
@TestProfile(FleetBudgetTest.Budget.class)
class FleetBudgetTest {
    static final int BUDGET = 8;
    static final int POOL_MAX_SIZE = 10;

    public static class Budget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.fleet.max-connections", Integer.toString(BUDGET), "sluice.fleet.interval", "300ms",
                    "sluice.pool.max-size", Integer.toString(POOL_MAX_SIZE), "sluice.pool.borrow-timeout", "20s");
        }
    }

    @Test
    void clientsBeyondTheShareWaitForItInsteadOfOpeningMoreConnections() throws Exception {
        Management.await("app's share is counted", () -> Management.gauge("sluice_fleet_share", "app") == 4 && Management.gauge("sluice_fleet_instances", "app") == 1);
        assertThat(Management.gauge("sluice_fleet_budget", "app")).isEqualTo(BUDGET);
        assertThat(Management.gauge("sluice_fleet_database_max_connections", "app")).isEqualTo(2000);

        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger mostOpen = new AtomicInteger();
        ConcurrentLinkedQueue<String> readiness = new ConcurrentLinkedQueue<>();
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (!done.get()) {
                try {
                    mostOpen.accumulateAndGet(appBackendsFrom("127.0.0.1"), Math::max);
                    readiness.add(Management.get("/q/health/ready").body());
                    Thread.sleep(20);
                } catch (Exception e) {
                    readiness.add("watcher failed: " + e);
                }
            }
        });
        List<Throwable> failures = load(12, 6, "SELECT SLEEP(0.1)");
        done.set(true);
        watcher.join();

        assertThat(failures).as("every client served, none failed").isEmpty();
        assertThat(mostOpen.get()).as("backend connections of app at most its share").isBetween(1, 4);
        assertThat(readiness).as("readiness says the fleet share holds clients back")
                .anyMatch(body -> body.contains("clients waiting: the fleet share, not sluice.pool.max-size (10), is holding them back"));
    }

    @Test
    void anotherInstanceHalvesTheShareClosingIdleConnectionsAndItsLeavingRestoresIt() throws Exception {
        Management.await("app's share is counted", () -> Management.gauge("sluice_fleet_share", "app") == 4);
        assertThat(load(8, 2, "SELECT SLEEP(0.2)")).isEmpty();
        Management.await("app's pool holds its share, idle", () -> appBackendsFrom("127.0.0.1") == 4);

        try (Connection otherInstance = TestDatabase.direct(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app", "localSocketAddress=127.0.0.2")) {
            Management.await("two instances seen, share 2", () -> Management.gauge("sluice_fleet_instances", "app") == 2 && Management.gauge("sluice_fleet_share", "app") == 2);
            Management.await("idle connections beyond the share closed", () -> appBackendsFrom("127.0.0.1") <= 2);
            assertThat(Management.get("/q/health/ready").body()).contains("across 2 instances, counted by client hosts in the processlist");
            assertThat(load(8, 2, "SELECT SLEEP(0.05)")).isEmpty();
            assertThat(appBackendsFrom("127.0.0.1")).isLessThanOrEqualTo(2);
        }
        Management.await("one instance again, share 4", () -> Management.gauge("sluice_fleet_instances", "app") == 1 && Management.gauge("sluice_fleet_share", "app") == 4);
    }

    /** {@code clients} clients each running {@code sql} {@code times} times through Sluice; what they failed with. */
    private static List<Throwable> load(int clients, int times, String sql) throws InterruptedException {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (Connection c = Sql.connect()) {
                    for (int n = 0; n < times; n++) {
                        one(c, sql);
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return new ArrayList<>(failures);
    }

    /** Connections of user app the database has from {@code host}. */
    private static int appBackendsFrom(String host) {
        try (Connection root = TestDatabase.root()) {
            return Integer.parseInt(one(root, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app' AND HOST LIKE '" + host + ":%'"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
