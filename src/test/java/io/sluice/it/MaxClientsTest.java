package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.protocol.ErrorCode;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Past sluice.max-client-connections a client gets ERR 1040 in place of the handshake, as from the server. */
@QuarkusTest
@TestProfile(MaxClientsTest.ThreeClients.class)
class MaxClientsTest {

    public static class ThreeClients implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.max-client-connections", "3");
        }
    }

    @Test
    void theFourthClientIsTurnedAwayAndASlotFreesOnDisconnect() throws Exception {
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawClient c = new RawClient(SluiceTestResource.port());
                c.readHandshake();
                clients.add(c);
            }
            try (RawClient fourth = new RawClient(SluiceTestResource.port())) {
                RawClient.Packet p = fourth.read();
                assertThat(p.isErr()).isTrue();
                assertThat(p.errorCode()).isEqualTo(ErrorCode.ER_CON_COUNT_ERROR);
                assertThat(p.message()).startsWith("Too many connections").contains("sluice.max-client-connections");
                assertThat(fourth.isClosedByServer()).isTrue();
            }
            clients.remove(0).close();
            long deadline = System.currentTimeMillis() + 5000;
            while (true) {
                try (RawClient again = new RawClient(SluiceTestResource.port())) {
                    RawClient.Packet p = again.read();
                    if (!p.isErr()) {
                        assertThat(p.header()).isEqualTo(10);
                        break;
                    }
                    assertThat(System.currentTimeMillis()).isLessThan(deadline);
                    Thread.sleep(50);
                }
            }
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
    }
}
