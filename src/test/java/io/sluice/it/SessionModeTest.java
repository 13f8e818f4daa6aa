package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.Map;

import static io.sluice.testing.Sql.one;
import static io.sluice.testing.Sql.connect;
import static org.assertj.core.api.Assertions.assertThat;

/** sluice.pool-mode=session: a client keeps one backend for its whole life, and hands it on clean. */
@QuarkusTest
@TestProfile(SessionModeTest.SessionPooling.class)
class SessionModeTest {

    public static class SessionPooling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool-mode", "session", "sluice.pool.max-size", "2");
        }
    }

    @Test
    void aClientKeepsItsBackendAndItsStateWithoutPinning() throws Exception {
        try (Connection a = connect(); Connection b = connect()) {
            String backendOfA = one(a, "SELECT CONNECTION_ID()");
            a.createStatement().execute("SET @mine = 'a'");
            for (int i = 0; i < 20; i++) {
                one(b, "SELECT 1");
                assertThat(one(a, "SELECT CONNECTION_ID()")).isEqualTo(backendOfA);
            }
            assertThat(one(a, "SELECT @mine")).isEqualTo("a");
            assertThat(one(b, "SELECT CONNECTION_ID()")).isNotEqualTo(backendOfA);
        }
        // Both backends went back; the next clients find none of that state.
        try (Connection c = connect(); Connection d = connect()) {
            assertThat(one(c, "SELECT IFNULL(@mine, 'clean')")).isEqualTo("clean");
            assertThat(one(d, "SELECT IFNULL(@mine, 'clean')")).isEqualTo("clean");
        }
    }
}
