package io.sluice.transparency;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import java.util.Map;

/** Transaction pooling: 16 program clients and 4 noise clients share 4 backends. */
@QuarkusTest
@TestProfile(TransactionPoolingTransparencyTest.FourBackends.class)
class TransactionPoolingTransparencyTest extends DifferentialTransparencyTest {

    /**
     * Past {@code sluice.pool.diagnostics-hold} an idle client's warnings and row count are forgotten: a documented
     * difference from a direct connection, which a program meets only when the machine stalls it for that long
     * between two statements. Longer than any such stall, so that the comparison is of behaviour, not of timing.
     */
    static final String DIAGNOSTICS_HOLD = "5s";

    public static class FourBackends implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "4", "sluice.pool.borrow-timeout", "120s",
                    // Small, so that statements are evicted and prepared again while programs run.
                    "sluice.pool.statement-cache-size", "16",
                    "sluice.pool.diagnostics-hold", DIAGNOSTICS_HOLD);
        }
    }

    @Override
    int workers() {
        return 16;
    }

    @Override
    int noiseClients() {
        return 4;
    }

    @Override
    long buildSeconds() {
        return 50;
    }
}
