package io.sluice.transparency;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import java.util.Map;

/** Transaction pooling: 16 program clients and 4 noise clients share 4 backends. */
@QuarkusTest
@TestProfile(TransactionPoolingTransparencyTest.FourBackends.class)
class TransactionPoolingTransparencyTest extends DifferentialTransparencyTest {

    public static class FourBackends implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "4", "sluice.pool.borrow-timeout", "120s",
                    // Small, so that statements are evicted and prepared again while programs run.
                    "sluice.pool.statement-cache-size", "16");
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
