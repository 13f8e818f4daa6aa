package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.sluice.testing.mysql8.MySql8Face;

import java.util.List;
import java.util.Map;

/**
 * Runs a test class with Sluice in front of MySQL 8.4 as the protocol sees it: the test MariaDB behind
 * {@link MySql8Face}. A subclass of a test class with this profile runs the same assertions against both backends.
 */
public class MySql8Backend implements QuarkusTestProfile {
    private static MySql8Face face;

    /** The face in front of the test database, started once per test JVM. */
    public static synchronized MySql8Face face() {
        if (face == null) {
            try {
                face = MySql8Face.inFrontOfTestDatabase();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            MySql8Face started = face;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return face;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            MySql8Face f = face();
            // The face speaks plain TCP, and caching_sha2_password's full authentication then needs the server's RSA
            // key, which Sluice fetches only when told to (as on loopback, where nothing comes between).
            return Map.of("sluice.backend.host", f.host(), "sluice.backend.port", Integer.toString(f.port()),
                    "sluice.backend.jdbc-properties.allowPublicKeyRetrieval", "true");
        }

        @Override
        public void stop() {
        }
    }
}
