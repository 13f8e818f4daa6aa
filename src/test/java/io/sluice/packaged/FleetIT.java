package io.sluice.packaged;

import io.sluice.app.EmbeddedDatabase;
import io.sluice.protocol.ErrorCode;
import io.sluice.testing.PackagedSluice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three packaged Sluice processes, each connecting to the database from its own loopback address (as pods from
 * their own IPs), in front of one MariaDB that takes 60 connections. Each has sluice.pool.max-size 40: without the
 * fleet budget they would open up to 120. With a budget of 80 % (48), under more client load than the database takes
 * (90 busy clients), the database never holds more than the budget, no client fails, and when one instance stops,
 * the other two grow into its share.
 *
 * <p>The database counts the instances by client host (MariaDB records no connection attributes unless its
 * Performance Schema is on).
 */
class FleetIT {
    static final int MAX_CONNECTIONS = 60;
    static final int PERCENT = 80;
    static final int BUDGET = MAX_CONNECTIONS * PERCENT / 100;
    static final int INSTANCES = 3;
    static final int POOL_MAX_SIZE = 40;
    static final int CLIENTS_PER_INSTANCE = 30;
    static final String INTERVAL = "1s";

    private EmbeddedDatabase db;
    private final List<PackagedSluice> instances = new ArrayList<>();
    /** What clients failed with, other than borrow timeouts: must stay empty. */
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger borrowTimeouts = new AtomicInteger();
    private final AtomicLong queries = new AtomicLong();

    @AfterEach
    void stop() throws Exception {
        instances.forEach(PackagedSluice::close);
        if (db != null) {
            db.close();
        }
    }

    @Test
    void theFleetStaysWithinItsBudgetAndTheOthersGrowIntoALeaversShare() throws Exception {
        db = EmbeddedDatabase.start(List.of("--max-connections=" + MAX_CONNECTIONS));
        db.createUser(io.sluice.testing.TestDatabase.APP_USER, io.sluice.testing.TestDatabase.APP_PASSWORD);
        for (int i = 0; i < INSTANCES; i++) {
            instances.add(PackagedSluice.start(db, List.of(), "sluice.backend.jdbc-properties.localSocketAddress=127.0.0." + (i + 2),
                    "sluice.fleet.max-connections-percent=" + PERCENT, "sluice.fleet.interval=" + INTERVAL,
                    "sluice.pool.max-size=" + POOL_MAX_SIZE, "sluice.pool.borrow-timeout=10s"));
        }
        int share = BUDGET / INSTANCES;
        for (PackagedSluice sluice : instances) {
            await("every instance sees " + INSTANCES + " and takes a share of " + share,
                    () -> gauge(sluice, "sluice_fleet_instances") == INSTANCES && gauge(sluice, "sluice_fleet_share") == share);
            assertThat(gauge(sluice, "sluice_fleet_database_max_connections")).isEqualTo(MAX_CONNECTIONS);
        }

        try (Connection root = DriverManager.getConnection(db.jdbcUrl(null), "root", "")) {
            one(root, "SELECT 1");
            root.createStatement().execute("FLUSH STATUS");
            AtomicBoolean watching = new AtomicBoolean(true);
            AtomicInteger mostConnected = new AtomicInteger();
            AtomicInteger mostLoggedIn = new AtomicInteger();
            Map<String, Integer> mostPerHost = new ConcurrentHashMap<>();
            Thread watcher = Thread.ofVirtual().start(() -> watch(watching, mostConnected, mostLoggedIn, mostPerHost));

            List<AtomicBoolean> running = new ArrayList<>();
            List<Thread> clients = new ArrayList<>();
            for (PackagedSluice sluice : instances) {
                AtomicBoolean on = new AtomicBoolean(true);
                running.add(on);
                for (int c = 0; c < CLIENTS_PER_INSTANCE; c++) {
                    clients.add(Thread.ofVirtual().start(() -> client(sluice, on)));
                }
            }
            Thread.sleep(6_000);
            assertThat(mostPerHost).as("each instance used its whole share under this load").containsOnlyKeys("127.0.0.2", "127.0.0.3", "127.0.0.4")
                    .allSatisfy((host, most) -> assertThat(most).isBetween(share - 2, share));
            await("readiness says the share holds clients back (the queue comes and goes: sampled until seen)",
                    () -> instances.get(0).management("/q/health/ready").contains("clients waiting: the fleet share, not sluice.pool.max-size (40), is holding them back"));

            // The third instance leaves: its clients first (they would see it drain), then the process, by SIGTERM.
            running.get(2).set(false);
            for (int c = 2 * CLIENTS_PER_INSTANCE; c < clients.size(); c++) {
                clients.get(c).join();
            }
            PackagedSluice leaver = instances.get(2);
            leaver.process.destroy();
            assertThat(leaver.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long left = System.nanoTime();
            int grown = BUDGET / (INSTANCES - 1);
            for (PackagedSluice sluice : instances.subList(0, 2)) {
                await("the others see " + (INSTANCES - 1) + " and grow to " + grown,
                        () -> gauge(sluice, "sluice_fleet_instances") == INSTANCES - 1 && gauge(sluice, "sluice_fleet_share") == grown);
            }
            long grewAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left);
            mostPerHost.clear();
            Thread.sleep(4_000);
            assertThat(mostPerHost).as("the two that stay use their grown share").containsOnlyKeys("127.0.0.2", "127.0.0.3")
                    .allSatisfy((host, most) -> assertThat(most).isGreaterThan(share).isLessThanOrEqualTo(grown));

            running.forEach(on -> on.set(false));
            for (Thread t : clients) {
                t.join();
            }
            watching.set(false);
            watcher.join();
            int maxUsed = Integer.parseInt(one(root, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'MAX_USED_CONNECTIONS'"));
            System.out.printf("FleetIT: %d queries, %d borrow timeouts, most Sluice logins at once %d, most Threads_connected %d "
                    + "less this test's 2 (Max_used_connections %d), budget %d; the others grew %d ms after the third left%n",
                    queries.get(), borrowTimeouts.get(), mostLoggedIn.get(), mostConnected.get(), maxUsed, BUDGET, grewAfterMillis);
            assertThat(failures).as("client errors other than borrow timeouts").isEmpty();
            assertThat(borrowTimeouts.get()).as("borrow timeouts: with 10 s to wait and 20 ms queries, none is expected").isZero();
            assertThat(mostLoggedIn.get()).as("Sluice's backend connections, all instances together").isLessThanOrEqualTo(BUDGET);
            // Threads_connected and Max_used_connections also count each instance's readiness check (a handshake read
            // without logging in, at most one per instance at a time, outside the pool) and this test's own two.
            assertThat(mostConnected.get()).as("Threads_connected, less this test's two").isLessThanOrEqualTo(BUDGET + INSTANCES);
            assertThat(maxUsed).as("the database's peak of connections").isLessThanOrEqualTo(BUDGET + INSTANCES + 2);
            assertThat(queries.get()).isGreaterThan(1000);
        }
    }

    /** A client of {@code sluice}: 20 ms statements back to back while {@code on}. */
    private void client(PackagedSluice sluice, AtomicBoolean on) {
        while (on.get()) {
            try (Connection c = sluice.connect()) {
                while (on.get()) {
                    one(c, "SELECT SLEEP(0.02)");
                    queries.incrementAndGet();
                }
            } catch (SQLException e) {
                if (e.getErrorCode() == ErrorCode.PROXY_BORROW_TIMEOUT) {
                    borrowTimeouts.incrementAndGet();
                } else {
                    failures.add(e.getErrorCode() + " " + e.getMessage());
                    return;
                }
            }
        }
    }

    /** Samples Threads_connected (less this test's two connections) and each client host's connections until told to stop. */
    private void watch(AtomicBoolean watching, AtomicInteger mostConnected, AtomicInteger mostLoggedIn, Map<String, Integer> mostPerHost) {
        try (Connection monitor = DriverManager.getConnection(db.jdbcUrl(null), "root", "")) {
            while (watching.get()) {
                mostConnected.accumulateAndGet(Integer.parseInt(one(monitor,
                        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'THREADS_CONNECTED'")) - 2, Math::max);
                try (var rs = monitor.createStatement().executeQuery("SELECT SUBSTRING_INDEX(HOST, ':', 1), COUNT(*) "
                        + "FROM information_schema.PROCESSLIST WHERE USER = 'app' GROUP BY 1")) {
                    int loggedIn = 0;
                    while (rs.next()) {
                        mostPerHost.merge(rs.getString(1), rs.getInt(2), Math::max);
                        loggedIn += rs.getInt(2);
                    }
                    mostLoggedIn.accumulateAndGet(loggedIn, Math::max);
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            failures.add("monitor: " + e);
        }
    }

    /** A fleet gauge of the app user's pool, from the instance's /q/metrics. */
    private static int gauge(PackagedSluice sluice, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*user=\"app\"[^}]*} ([0-9.]+)").matcher(sluice.management("/q/metrics"));
        return m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
