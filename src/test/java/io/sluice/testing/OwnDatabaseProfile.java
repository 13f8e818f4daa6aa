package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.sluice.app.EmbeddedDatabase;

import java.util.List;
import java.util.Map;

/**
 * A Sluice in front of a MariaDB of its own, which a test may stop and restart (outages, failover) without
 * disturbing the database every other test shares. A subclass may start that database with server options of its
 * own ({@link #serverArgs()}: a low max_connections, the Performance Schema on).
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

    /** Options for the database's mariadbd, on top of EmbeddedDatabase's; none by default. */
    protected List<String> serverArgs() {
        return List.of();
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class, Map.of(Resource.SERVER_ARGS, String.join(" ", serverArgs()))));
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        /** The init argument carrying {@link #serverArgs()}, space-separated (no option of mariadbd's needs a space). */
        static final String SERVER_ARGS = "server-args";
        private List<String> serverArgs = List.of();

        @Override
        public void init(Map<String, String> initArgs) {
            String args = initArgs.getOrDefault(SERVER_ARGS, "");
            serverArgs = args.isBlank() ? List.of() : List.of(args.trim().split(" +"));
        }

        @Override
        public Map<String, String> start() {
            try {
                database = EmbeddedDatabase.start(serverArgs);
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
