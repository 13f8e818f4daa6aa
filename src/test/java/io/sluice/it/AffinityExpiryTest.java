package io.sluice.it;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.observe.SluiceMetrics;
import io.sluice.pool.Janitor;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.Map;

import static io.sluice.testing.Sql.connect;
import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client idle past the affinity time gives its parked backend back (its next statement borrows again), and the
 * janitor that sees to it wakes only while something is parked: an idle Sluice does no work. It used to be a loop
 * per pool waking every 10 ms for as long as Sluice ran (2 % of a core with no client at all).
 */
@QuarkusTest
@TestProfile(AffinityExpiryTest.ShortAffinity.class)
class AffinityExpiryTest {
    static final long AFFINITY_MILLIS = 300;

    public static class ShortAffinity implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "2", "sluice.pool.affinity", AFFINITY_MILLIS + "ms");
        }
    }

    @Inject
    MeterRegistry registry;

    private long borrows() {
        return registry.find(SluiceMetrics.BORROW).timers().stream().mapToLong(Timer::count).sum();
    }

    @Test
    void aParkedBackendGoesBackAfterTheAffinityTimeAndNothingWakesWhileNothingIsParked() throws Exception {
        try (Connection c = connect()) {
            one(c, "SELECT 1");
            long before = borrows();
            assertThat(one(c, "SELECT 2")).isEqualTo("2");
            assertThat(borrows() - before).as("within the affinity time: the parked backend, no borrowing").isZero();

            Thread.sleep(3 * AFFINITY_MILLIS);
            long runs = Janitor.runs();
            Thread.sleep(1_000);
            assertThat(Janitor.runs()).as("janitor chores with nothing parked").isEqualTo(runs);

            assertThat(one(c, "SELECT 3")).isEqualTo("3");
            assertThat(borrows() - before).as("past the affinity time: given back, borrowed anew").isEqualTo(1);
        }
    }
}
