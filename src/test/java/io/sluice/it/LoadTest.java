package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak in small (bench/soak.sh runs 5000 clients for ten minutes): 2000 client connections on a pool of 20
 * run point selects for a while. No errors, the database sees at most the pool, and neither threads nor file
 * descriptors grow from one half of the run to the other.
 */
@QuarkusTest
@TestProfile(LoadTest.PoolOfTwenty.class)
class LoadTest {
    static final int CLIENTS = 2000;

    public static class PoolOfTwenty implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "20", "sluice.pool.borrow-timeout", "60s");
        }
    }

    private static long openFileDescriptors() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static int databaseConnections() throws Exception {
        try (Connection root = TestDatabase.root();
             ResultSet rs = root.createStatement().executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void twoThousandClientsOnTwentyBackends() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong queries = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(CLIENTS);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            int n = i;
            clients.add(Thread.ofVirtual().start(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port()
                        + "/app?sslMode=DISABLED&useServerPrepStmts=true", TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
                     PreparedStatement ps = c.prepareStatement("SELECT ? + 1")) {
                    connected.countDown();
                    while (running.get()) {
                        ps.setInt(1, n);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            if (rs.getInt(1) != n + 1) {
                                errors.incrementAndGet();
                            }
                        }
                        queries.incrementAndGet();
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            }));
        }
        var threads = ManagementFactory.getThreadMXBean();
        assertThat(connected.await(120, java.util.concurrent.TimeUnit.SECONDS)).as("all clients connected").isTrue();
        long queriesAtStart = queries.get();
        Thread.sleep(8_000);
        int threadsWarm = threads.getThreadCount();
        long fdsWarm = openFileDescriptors();
        int peakDb = databaseConnections();
        Thread.sleep(8_000);
        int threadsLate = threads.getThreadCount();
        long fdsLate = openFileDescriptors();
        peakDb = Math.max(peakDb, databaseConnections());
        running.set(false);
        for (Thread t : clients) {
            t.join(60_000);
        }
        assertThat(errors.get()).isZero();
        assertThat(queries.get() - queriesAtStart).as("queries in the measured 16 s").isGreaterThan(CLIENTS * 2L);
        assertThat(peakDb).as("backend connections the database saw").isLessThanOrEqualTo(21);
        assertThat(threadsLate).as("platform threads, late vs warm").isLessThanOrEqualTo(threadsWarm + 4);
        assertThat(fdsLate).as("file descriptors, late vs warm").isLessThanOrEqualTo(fdsWarm + 20);
    }
}
