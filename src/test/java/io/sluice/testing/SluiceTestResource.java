package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

/** Points Sluice at the test database, with the test users, on a free port. */
public class SluiceTestResource implements QuarkusTestResourceLifecycleManager {
    private static volatile int sluicePort;

    @Override
    public Map<String, String> start() {
        var db = TestDatabase.get();
        sluicePort = freePort();
        return Map.of(
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

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
