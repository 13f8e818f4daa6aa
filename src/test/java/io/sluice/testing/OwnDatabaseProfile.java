package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.sluice.app.EmbeddedDatabase;

import java.util.List;
import java.util.Map;

/**
 * A Sluice in front of a MariaDB of its own, which a test may stop and restart (outages, failover) without
 * disturbing the database every other test shares.
 */
public class OwnDatabaseProfile implements QuarkusTestProfile {
    private static volatile EmbeddedDatabase database;

    /** The database only this profile's Sluice uses. */
    public static EmbeddedDatabase database() {
        return database;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("sluice.pool.borrow-timeout", "20s", "sluice.pool.max-size", "5");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                database = EmbeddedDatabase.start(List.of());
                database.createUser(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Map.of(
                    "sluice.backend.host", database.host(),
                    "sluice.backend.port", Integer.toString(database.port()),
                    "sluice.listen.port", Integer.toString(SluiceTestResource.freePort()),
                    "sluice.users.app.password", TestDatabase.APP_PASSWORD);
        }

        @Override
        public void stop() {
            try {
                database.close();
            } catch (Exception ignored) {
                // The JVM is done with it.
            }
        }
    }
}
