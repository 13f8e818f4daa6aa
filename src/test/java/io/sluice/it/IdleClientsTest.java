package io.sluice.it;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.testing.Sql.connect;
import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Idle clients hold no threads: a session waiting for its next command gives its thread up after a second and is
 * woken on a new one by what the client sends next, or by its idle timeout. Each session used to keep a virtual
 * thread parked for as long as its client stayed connected (its stack, some 4.5 KiB, a third of what an idle client
 * cost).
 */
@QuarkusTest
@TestProfile(IdleClientsTest.ShortIdleTimeout.class)
class IdleClientsTest {
    static final int CLIENTS = 20;

    public static class ShortIdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.client.idle-timeout", "4s");
        }
    }

    /** Sessions that have a thread now, from a dump of every thread, virtual ones included. */
    private static int sessionThreads() throws Exception {
        Path file = Files.createTempFile("sluice-threads", ".json");
        Files.delete(file);
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        String dump = Files.readString(file);
        Files.delete(file);
        Matcher m = Pattern.compile("\"name\": \"sluice-client-\\d+\"").matcher(dump);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void idleClientsHoldNoThreadsAndAreServedWhenTheySpeakAgainOrTimedOut() throws Exception {
        List<Connection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Connection c = connect("");
                assertThat(one(c, "SELECT " + i)).isEqualTo(String.valueOf(i));
                clients.add(c);
            }
            Thread.sleep(2_000);
            assertThat(sessionThreads()).as("threads of sessions idle for 2 s").isZero();
            for (int i = 0; i < CLIENTS; i++) {
                assertThat(one(clients.get(i), "SELECT 'again " + i + "'")).as("woken by its next statement").isEqualTo("again " + i);
            }
            // Idle past the 4 s timeout while resting: woken by the timer, and disconnected as a server would.
            Thread.sleep(5_500);
            for (Connection c : clients) {
                assertThatThrownBy(() -> one(c, "SELECT 1")).isInstanceOf(SQLException.class);
            }
            assertThat(sessionThreads()).isZero();
        } finally {
            for (Connection c : clients) {
                c.close();
            }
        }
    }
}
