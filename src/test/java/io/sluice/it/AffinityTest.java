package io.sluice.it;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.observe.SluiceMetrics;
import io.sluice.testing.TestDatabase;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.Map;

import static io.sluice.testing.Sql.one;
import static io.sluice.testing.Sql.connect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Affinity: a client keeps the backend it just used between statements, but never at anyone else's expense.
 * One backend and an affinity of an hour make both sides visible: a parked backend that were not taken over at
 * once would leave the second client waiting into the borrow timeout.
 */
@QuarkusTest
@TestProfile(AffinityTest.OneBackendLongAffinity.class)
class AffinityTest {

    public static class OneBackendLongAffinity implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "1", "sluice.pool.affinity", "1h", "sluice.pool.borrow-timeout", "3s");
        }
    }

    @Inject
    MeterRegistry registry;

    private long borrows() {
        return registry.find(SluiceMetrics.BORROW).timers().stream().mapToLong(Timer::count).sum();
    }

    @Test
    void statementsInARowBorrowOnce() throws Exception {
        try (Connection c = connect()) {
            one(c, "SELECT 1");
            long before = borrows();
            for (int i = 0; i < 20; i++) {
                assertThat(one(c, "SELECT " + i)).isEqualTo(String.valueOf(i));
            }
            assertThat(borrows() - before).isZero();
        }
    }

    @Test
    void anotherClientTakesAParkedBackendOverAtOnceAndEachKeepsItsOwnState() throws Exception {
        try (Connection first = connect(); Connection second = connect()) {
            try (Statement s = first.createStatement()) {
                s.execute("SET time_zone = '+05:00'");
            }
            // The only backend is parked for the first client now; the second must not wait for it.
            assertThat(one(second, "SELECT @@time_zone")).isEqualTo("SYSTEM");
            assertThat(one(first, "SELECT @@time_zone")).isEqualTo("+05:00");
            assertThat(one(second, "SELECT @@time_zone")).isEqualTo("SYSTEM");
        }
    }

    @Test
    void aBackendClosedWhileParkedIsReplacedUnnoticed() throws Exception {
        try (Connection c = connect()) {
            String backendId = one(c, "SELECT CONNECTION_ID()");
            try (Connection root = TestDatabase.root(); Statement s = root.createStatement()) {
                s.execute("KILL " + backendId);
            }
            assertThat(one(c, "SELECT 42")).isEqualTo("42");
            assertThat(one(c, "SELECT CONNECTION_ID()")).isNotEqualTo(backendId);
        }
    }

    private double waiting() {
        return registry.find(SluiceMetrics.CLIENTS_WAITING).gauges().stream().mapToDouble(g -> g.value()).sum();
    }

    /**
     * Clients queued for the only backend are served in the order they came, each after the one before parks
     * (and, since others wait, gives back) the backend. Waiters that woke up now and then to look for parked
     * backends lost their place in the queue every time.
     */
    @Test
    void waitingClientsAreServedFirstComeFirstServed() throws Exception {
        int clients = 5;
        // When each ran, by the server's clock: the order the replies reach the test threads may differ.
        Map<Integer, String> ranAt = new ConcurrentHashMap<>();
        List<Thread> waiters = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        try (Connection holder = connect()) {
            for (int i = 0; i < clients; i++) {
                connections.add(connect());
            }
            io.sluice.testing.TestSchema.ensure();
            holder.setAutoCommit(false);
            holder.createStatement().execute("INSERT INTO counter (n) VALUES (43)");
            for (int i = 0; i < clients; i++) {
                int n = i;
                Connection c = connections.get(i);
                waiters.add(Thread.ofVirtual().start(() -> {
                    try {
                        ranAt.put(n, one(c, "SELECT SYSDATE(6)"));
                    } catch (Exception e) {
                        ranAt.put(n, "failed: " + e.getMessage());
                    }
                }));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (waiting() < i + 1 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(waiting()).as("client %d queued", i).isEqualTo(i + 1);
                Thread.sleep(60);
            }
            holder.rollback();
            for (Thread t : waiters) {
                t.join(Duration.ofSeconds(10));
            }
            assertThat(ranAt).hasSize(clients);
            assertThat(ranAt.values()).noneMatch(v -> v.startsWith("failed"));
            List<Integer> served = ranAt.entrySet().stream().sorted(Map.Entry.comparingByValue()).map(Map.Entry::getKey).toList();
            assertThat(served).containsExactly(0, 1, 2, 3, 4);
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }
}
