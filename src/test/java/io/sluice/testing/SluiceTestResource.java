package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Points Sluice at the test database, with the test users, on free ports: the MySQL listener's, and the management
 * interface's for the packaged application the integration tests start (Quarkus passes it these settings; the
 * default 9000 may be taken on a developer's machine). Quarkus tests bind the management interface on
 * {@code quarkus.management.test-port} instead (0 in application.properties: a free one).
 */
public class SluiceTestResource implements QuarkusTestResourceLifecycleManager {
    private static volatile int sluicePort;
    private static volatile int managementPort;

    @Override
    public Map<String, String> start() {
        var db = TestDatabase.get();
        sluicePort = freePort();
        managementPort = freePort();
        return Map.of(
                "quarkus.management.port", Integer.toString(managementPort),
                "sluice.backend.host", db.host(),
                "sluice.backend.port", Integer.toString(db.port()),
                "sluice.listen.port", Integer.toString(sluicePort),
                "sluice.users.app.password", TestDatabase.APP_PASSWORD,
                "sluice.users.other.password", TestDatabase.OTHER_PASSWORD);
    }

    @Override
    public void stop() {
    }

    /** The port the Sluice under test listens on. */
    public static int port() {
        return sluicePort;
    }

    /** The management port the packaged application is given (Quarkus tests use quarkus.management.test-port). */
    public static int managementPort() {
        return managementPort;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
