package io.sluice.transparency;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import java.util.Map;

/**
 * Session pooling: each client keeps a backend for its connection; 5 program clients and 2 noise clients queue for 4.
 * Not more: a program holds its backend from connect to disconnect, so a client queued behind several long programs
 * could wait past its own socketTimeout (90 s) on a loaded machine, which is capacity, not transparency (with 8, a CI
 * run beside other builds saw six programs fail to connect).
 */
@QuarkusTest
@TestProfile(SessionPoolingTransparencyTest.FourBackends.class)
class SessionPoolingTransparencyTest extends DifferentialTransparencyTest {

    public static class FourBackends implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool-mode", "session", "sluice.pool.max-size", "4", "sluice.pool.borrow-timeout", "120s",
                    "sluice.pool.statement-cache-size", "16");
        }
    }

    @Override
    int workers() {
        return 5;
    }

    @Override
    int noiseClients() {
        return 2;
    }

    @Override
    long buildSeconds() {
        return 35;
    }
}
