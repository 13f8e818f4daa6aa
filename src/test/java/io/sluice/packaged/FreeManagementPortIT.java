package io.sluice.packaged;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.sluice.testing.Management;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged application the integration tests start binds its management interface on a free port, not on
 * Quarkus's defaults: with something already listening on 9000 (the production default) and 9001 (the default test
 * port), as on a developer's machine, it starts, answers its health checks and serves a query.
 */
@QuarkusIntegrationTest
@WithTestResource(FreeManagementPortIT.DefaultPortsTaken.class)
class FreeManagementPortIT {
    static final List<Integer> DEFAULT_PORTS = List.of(9000, 9001);

    /** Holds 9000 and 9001 while the packaged application starts and runs (if another process holds one, as well). */
    public static class DefaultPortsTaken implements QuarkusTestResourceLifecycleManager {
        private final List<ServerSocket> held = new ArrayList<>();

        @Override
        public Map<String, String> start() {
            for (int port : DEFAULT_PORTS) {
                try {
                    ServerSocket socket = new ServerSocket();
                    socket.bind(new InetSocketAddress("0.0.0.0", port));
                    held.add(socket);
                } catch (IOException takenAlready) {
                    // Something else listens there: just as good for this test.
                }
            }
            return Map.of();
        }

        @Override
        public void stop() {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a listener we opened
                }
            }
        }
    }

    @Test
    void theManagementInterfaceIsOnAFreePortAndSluiceServes() throws Exception {
        assertThat(Management.port()).isNotIn(DEFAULT_PORTS);
        Management.Response ready = Management.get("/q/health/ready");
        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port() + "/?sslMode=DISABLED",
                TestDatabase.APP_USER, TestDatabase.APP_PASSWORD)) {
            assertThat(one(c, "SELECT 6 * 7")).isEqualTo("42");
        }
    }
}
