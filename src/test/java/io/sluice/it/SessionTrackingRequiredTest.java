package io.sluice.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Management;
import io.sluice.testing.NoSessionTrackProxy;
import io.sluice.testing.Sql;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A backend that does not agree CLIENT_SESSION_TRACK (an old server, or a proxy in front of one) would silently
 * turn off the tracking Sluice follows sessions by, and every client's SET would leak to the next client: Sluice
 * refuses it, says why to the client, and readiness goes down naming it.
 */
@QuarkusTest
@TestProfile(SessionTrackingRequiredTest.WithoutSessionTracking.class)
class SessionTrackingRequiredTest {

    public static class WithoutSessionTracking implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Resource.class));
        }
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        private NoSessionTrackProxy proxy;

        @Override
        public Map<String, String> start() {
            try {
                var db = TestDatabase.get();
                proxy = new NoSessionTrackProxy(db.host(), db.port());
                return Map.of("sluice.backend.host", "127.0.0.1", "sluice.backend.port", Integer.toString(proxy.port()),
                        "sluice.listen.port", Integer.toString(SluiceTestResource.freePort()),
                        "sluice.users.app.password", TestDatabase.APP_PASSWORD, "sluice.pool.borrow-timeout", "10m");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            try {
                proxy.close();
            } catch (Exception ignored) {
                // The JVM is done with it.
            }
        }
    }

    @Test
    void aClientIsToldAtOnceAndReadinessNamesTheBackend() throws Exception {
        int port = ConfigProvider.getConfig().getValue("sluice.listen.port", Integer.class);
        // The borrow timeout is ten minutes: the client gets its answer because Sluice refuses, not because it gave up.
        assertThatThrownBy(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/?sslMode=DISABLED",
                    TestDatabase.APP_USER, TestDatabase.APP_PASSWORD)) {
                Sql.one(c, "SELECT 1");
            }
        }).isInstanceOf(SQLException.class).hasMessageContaining("session-state tracking").hasMessageContaining("CLIENT_SESSION_TRACK");

        Management.Response ready = Management.get("/q/health/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.body()).contains("session-state tracking").contains("CLIENT_SESSION_TRACK");
    }
}
