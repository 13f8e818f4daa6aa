package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.protocol.ErrorCode;
import io.sluice.testing.Management;
import io.sluice.testing.OwnDatabaseProfile;
import io.sluice.testing.TestDatabase;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ERR 1040 end to end. Sluice's app pool has a fleet share of 8 on a MariaDB that takes 20 connections; other clients
 * of the database (direct root connections) then take every connection it has left, so Sluice's next backend login is
 * refused with "Too many connections". Under steady client load through Sluice: the share drops at once (metric and
 * readiness say so), clients keep being served by the connections Sluice already has, waiting in the borrow queue
 * instead of failing, and once the other clients let go, the share climbs back a step per count (additive increase),
 * not in one jump.
 */
@QuarkusTest
@TestProfile(FleetTooManyConnectionsTest.SmallDatabase.class)
class FleetTooManyConnectionsTest {
    static final int MAX_CONNECTIONS = 20;
    static final int BUDGET = 16;
    /** The test configuration's two users (app and other) split the instance's part of the budget. */
    static final int SHARE = BUDGET / 2;
    static final int CLIENTS = 8;
    static final String BORROW_TIMEOUT = "5s";
    static final String LOWERED = "lowered after the database refused a connection (ERR 1040), recovering";

    public static class SmallDatabase extends OwnDatabaseProfile {
        @Override
        protected List<String> serverArgs() {
            return List.of("--max-connections=" + MAX_CONNECTIONS);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.putAll(Map.of("sluice.fleet.max-connections", Integer.toString(BUDGET), "sluice.fleet.interval", "500ms",
                    "sluice.pool.max-size", "10", "sluice.pool.borrow-timeout", BORROW_TIMEOUT));
            return config;
        }
    }

    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong queries = new AtomicLong();

    @Test
    void aRefusedLoginLowersTheShareAtOnceClientsWaitAndTheShareRecoversStepByStep() throws Exception {
        Management.await("app's share counted", () -> Management.gauge("sluice_fleet_share", "app") == SHARE && Management.gauge("sluice_fleet_instances", "app") == 1);
        // The connections Sluice already has, before the database fills: with no warm connections (min-idle 0) whether
        // it had any depended on what ran before, and with none no client could be served (it failed so twice in CI).
        warmAppPool(3);

        List<Connection> hogs = hogTheDatabase();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(Thread.ofVirtual().start(() -> client(running)));
        }
        List<Integer> shares = new CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (watching.get()) {
                shares.add(Management.gauge("sluice_fleet_share", "app"));
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            Management.await("the share drops below " + SHARE + " and readiness says why", () -> Management.gauge("sluice_fleet_share", "app") < SHARE && Management.readiness().contains(LOWERED));
            long before = queries.get();
            Management.await("clients are served while the database is full", () -> queries.get() >= before + 100);
        } finally {
            for (Connection hog : hogs) {
                hog.close();
            }
        }
        int released = shares.size();
        Management.await("the share is back at " + SHARE + " and no longer lowered", () -> Management.gauge("sluice_fleet_share", "app") == SHARE && !Management.readiness().contains(LOWERED));
        running.set(false);
        for (Thread t : clients) {
            t.join();
        }
        watching.set(false);
        watcher.join();

        assertThat(failures).as("client errors, borrow timeouts included (5 s to wait, 20 ms statements, at least one connection)").isEmpty();
        List<Integer> climb = shares.subList(released, shares.size());
        assertThat(climb).as("after the release: no new refusal, the share only climbs").isSorted();
        int atRelease = climb.getFirst();
        assertThat(atRelease).as("the share when the database was freed").isLessThan(SHARE);
        assertThat(climb.stream().filter(s -> s > atRelease && s < SHARE).distinct().count())
                .as("steps between the lowered share (%d) and the share (%d), not one jump: %s", atRelease, SHARE, climb).isGreaterThanOrEqualTo(2);
    }

    /**
     * A pool with no connection at all while the database refuses every login as too many: its client waits the borrow
     * timeout and gets a borrow timeout, instead of retrying the login for as long as the database stays full. User
     * other's pool is such a pool here (this database does not know the user, so it never got a connection).
     */
    @Test
    void aBorrowThatOnlyMeetsRefusalsEndsAtTheBorrowTimeout() throws Exception {
        List<Connection> hogs = hogTheDatabase();
        ConcurrentLinkedQueue<Integer> errors = new ConcurrentLinkedQueue<>();
        int port = ConfigProvider.getConfig().getValue("sluice.listen.port", Integer.class);
        Thread client = Thread.ofVirtual().start(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/other?sslMode=DISABLED",
                    TestDatabase.OTHER_USER, TestDatabase.OTHER_PASSWORD)) {
                one(c, "SELECT 1");
                errors.add(0);
            } catch (SQLException e) {
                errors.add(e.getErrorCode());
            }
        });
        try {
            // A bound against hanging, far beyond the 5 s borrow timeout: without one the client would wait until the
            // database had room (and then be refused, as this database does not know user other).
            assertThat(client.join(java.time.Duration.ofSeconds(60))).as("the client's borrow ended while the database stayed full").isTrue();
        } finally {
            for (Connection hog : hogs) {
                hog.close();
            }
        }
        client.join();
        assertThat(errors).as("what the client got").containsExactly(ErrorCode.PROXY_BORROW_TIMEOUT);
    }

    /**
     * Root connections, straight to the database, until it refuses them with ERR 1040 three times in a row, a tenth of a
     * second apart: then it has none left. One refusal is not enough: a login Sluice was attempting at that moment
     * (user other's, which this database refuses with ERR 1045 once it has room) held a connection slot briefly.
     */
    /** Has Sluice open {@code n} backend connections of app's pool: as many clients in a transaction at once, then done. */
    private static void warmAppPool(int n) throws Exception {
        int port = ConfigProvider.getConfig().getValue("sluice.listen.port", Integer.class);
        List<Connection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED",
                        TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
                clients.add(c);
                // Each holds its backend until it closes: the others need backends of their own.
                c.createStatement().execute("START TRANSACTION");
                one(c, "SELECT 1");
            }
        } finally {
            for (Connection c : clients) {
                c.close();
            }
        }
    }

    private static List<Connection> hogTheDatabase() throws Exception {
        List<Connection> hogs = new ArrayList<>();
        int refusedInARow = 0;
        while (refusedInARow < 3) {
            assertThat(hogs.size()).as("connections the database took").isLessThan(MAX_CONNECTIONS + 5);
            try {
                hogs.add(DriverManager.getConnection(OwnDatabaseProfile.database().jdbcUrl(null), "root", ""));
                refusedInARow = 0;
            } catch (SQLException e) {
                if (e.getErrorCode() != ErrorCode.ER_CON_COUNT_ERROR) {
                    for (Connection hog : hogs) {
                        hog.close();
                    }
                    throw e;
                }
                refusedInARow++;
                Thread.sleep(100);
            }
        }
        return hogs;
    }

    /** A client of Sluice: 20 ms statements back to back while {@code running}; what it fails with is recorded. */
    private void client(AtomicBoolean running) {
        int port = ConfigProvider.getConfig().getValue("sluice.listen.port", Integer.class);
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED",
                TestDatabase.APP_USER, TestDatabase.APP_PASSWORD)) {
            while (running.get()) {
                one(c, "SELECT SLEEP(0.02)");
                queries.incrementAndGet();
            }
        } catch (SQLException e) {
            failures.add(e.getErrorCode() + " " + e.getMessage());
        }
    }
}
