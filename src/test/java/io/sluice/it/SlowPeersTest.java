package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.app.SluiceServer;
import io.sluice.pool.BackendPool;
import io.sluice.protocol.ErrorCode;
import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.auth.NativePassword;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Slow and silent peers are cut off by timeouts, without holding threads, memory or backends. */
@QuarkusTest
@TestProfile(SlowPeersTest.ShortTimeouts.class)
class SlowPeersTest {

    public static class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.client.packet-timeout", "2s", "sluice.client.write-timeout", "3s",
                    "sluice.backend.socket-timeout", "2s");
        }
    }

    @Inject
    SluiceServer sluice;

    @AfterEach
    void noBackendIsLeft() throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (sluice.pools().all().stream().mapToInt(BackendPool::borrowed).sum() > 0) {
            assertThat(System.currentTimeMillis()).as("backends given back").isLessThan(deadline);
            Thread.sleep(100);
        }
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port() + "/app?sslMode=DISABLED",
                TestDatabase.APP_USER, TestDatabase.APP_PASSWORD); ResultSet rs = c.createStatement().executeQuery("SELECT 'others fine'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("others fine");
        }
    }

    @Test
    void aHandshakeTrickledAByteAtATimeIsTimedOut() throws Exception {
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            var hs = c.readHandshake();
            byte[] auth = NativePassword.INSTANCE.expectedResponse(hs.scramble(), TestDatabase.APP_PASSWORD.getBytes(StandardCharsets.UTF_8));
            byte[] payload = new HandshakeResponse(RawClient.DEFAULT_CAPS, 1 << 24, 45, TestDatabase.APP_USER, auth, null,
                    NativePassword.NAME, Map.of()).encode();
            byte[] frame = new byte[payload.length + 4];
            frame[0] = (byte) payload.length;
            frame[3] = 1;
            System.arraycopy(payload, 0, frame, 4, payload.length);
            long start = System.nanoTime();
            try {
                for (byte b : frame) {
                    c.writeRaw(new byte[] {b});
                    Thread.sleep(300);
                }
            } catch (java.io.IOException closedOnUs) {
                // Sluice hung up mid-trickle: what we want.
            }
            assertThat(c.isClosedByServer()).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(15_000);
        }
    }

    @Test
    void aCommandTrickledAfterLoginIsCutOff() throws Exception {
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app").isOk()).isTrue();
            long start = System.nanoTime();
            c.writeRaw(new byte[] {100, 0, 0, 0, 0x03});
            try {
                for (int i = 0; i < 40; i++) {
                    Thread.sleep(250);
                    c.writeRaw(new byte[] {'x'});
                }
            } catch (java.io.IOException closedOnUs) {
                // expected
            }
            assertThat(c.isClosedByServer()).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1_500L, 12_000L);
        }
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedAndItsBackendFreed() throws Exception {
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            c.socket().setReceiveBufferSize(4096);
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app").isOk()).isTrue();
            assertThat(c.query("SELECT REPEAT('x', 1000) FROM seq_1_to_2000000").isErr()).isFalse();
            // Reads nothing more. After write-timeout (3 s) Sluice gives up on it.
            Thread.sleep(7000);
            assertThat(sluice.pools().all().stream().mapToInt(BackendPool::borrowed).sum()).as("backend still held").isZero();
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    @Test
    void aSilentBackendGivesAClearErrorAndTheClientCarriesOn() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port() + "/app?sslMode=DISABLED",
                TestDatabase.APP_USER, TestDatabase.APP_PASSWORD)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT SLEEP(20)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(ErrorCode.ER_QUERY_ON_FOREIGN_DATA_SOURCE);
                        assertThat(e.getMessage()).contains("Lost connection to backend");
                    });
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1_500L, 10_000L);
            try (ResultSet rs = c.createStatement().executeQuery("SELECT 'next statement'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("next statement");
            }
        }
    }
}
