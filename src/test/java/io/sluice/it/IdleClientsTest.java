package io.sluice.it;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
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
 * cost). Nor do clients that have not answered the greeting yet: it is written on the event loop as they connect. A
 * client that logs in and stays silent gives its thread up with the login.
 */
@QuarkusTest
@TestProfile(IdleClientsTest.ShortIdleTimeout.class)
class IdleClientsTest {
    static final int CLIENTS = 20;

    public static class ShortIdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.client.idle-timeout", "8s", "sluice.client.handshake-timeout", "3s");
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
            // Idle past the 8 s timeout while resting: woken by the timer, and disconnected as a server would. (The
            // timeout leaves room for the logins and the thread count before it on a loaded machine: with 4 s the
            // first client was once cut off before its second statement.)
            Thread.sleep(9_500);
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

    /**
     * Each statement starts the idle clock again. The timer stays armed from one rest to the next (setting and
     * cancelling one per statement cost every statement a task and two timer-queue operations), so it fires at the
     * first rest's deadline while the client is still well within its own: the session rests on, and is cut off only
     * past the idle timeout counted from its last statement.
     */
    @Test
    void aClientThatSpokeSinceIsNotCutOffAtTheDeadlineOfAnEarlierRest() throws Exception {
        try (Connection c = connect("")) {
            assertThat(one(c, "SELECT 'first'")).isEqualTo("first");
            Thread.sleep(5_000);
            assertThat(one(c, "SELECT 'second'")).isEqualTo("second");
            // Past the first statement's deadline (8 s), 4.5 s after the second.
            Thread.sleep(4_500);
            assertThat(one(c, "SELECT 'third'")).as("served 4.5 s after its last statement").isEqualTo("third");
            Thread.sleep(9_500);
            assertThatThrownBy(() -> one(c, "SELECT 1")).as("idle past the timeout").isInstanceOf(SQLException.class);
        }
    }

    /**
     * A client that logs in and says nothing (a pool's spare connection, one of thousands) holds no thread from its
     * login on: the login's thread ends with the login rather than waiting a second for a first command.
     */
    @Test
    void clientsThatSayNothingAfterLoginHoldNoThreadsFromTheLoginOn() throws Exception {
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                RawClient c = new RawClient(SluiceTestResource.port());
                assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, null).isOk()).as("login").isTrue();
                clients.add(c);
            }
            long loggedIn = System.nanoTime();
            // The last login's thread may still be on its way out; a thread waiting for a command would stay a second.
            int threads = sessionThreads();
            while (threads > 0 && System.nanoTime() - loggedIn < 600_000_000L) {
                Thread.sleep(20);
                threads = sessionThreads();
            }
            assertThat(threads).as("threads of sessions logged in and silent, within 0.6 s of the last login").isZero();
            for (int i = 0; i < CLIENTS; i++) {
                RawClient.Packet answer = clients.get(i).query("SELECT " + i);
                assertThat(answer.isErr()).as("woken by its first statement").isFalse();
            }
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void greetedClientsHoldNoThreadsUntilTheyAnswerAndAreTimedOutIfTheyDoNot() throws Exception {
        List<RawClient> greeted = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                RawClient c = new RawClient(SluiceTestResource.port());
                c.readHandshake();
                greeted.add(c);
            }
            assertThat(sessionThreads()).as("threads of sessions greeted and not answered").isZero();
            List<RawClient> answering = greeted.subList(0, CLIENTS / 2);
            List<RawClient> silent = greeted.subList(CLIENTS / 2, CLIENTS);
            for (RawClient c : answering) {
                assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app").isOk()).as("login after the greeting").isTrue();
                assertThat(c.query("SELECT 1").isErr()).isFalse();
            }
            // Silent past the 3 s handshake timeout: woken by the timer, told why, and disconnected.
            Thread.sleep(3_500);
            for (RawClient c : silent) {
                RawClient.Packet answer = c.read();
                assertThat(answer.isErr()).as("the answer to a silent client").isTrue();
                assertThat(answer.message()).startsWith("Bad handshake: no response within 3000 ms");
                assertThat(c.read()).as("after the error: closed").isNull();
            }
        } finally {
            for (RawClient c : greeted) {
                c.close();
            }
        }
    }
}
