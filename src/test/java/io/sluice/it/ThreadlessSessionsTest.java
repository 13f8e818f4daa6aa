package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.protocol.CommandType;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a session does on its event loop, with no thread: the common login (the password proved by the answer to the
 * greeting, no schema or one the user has entered before), a COM_PING while it uses no backend, and leaving. A
 * connection that logs in, pings and goes takes no thread at all. Seen in the JVM's own record of the virtual threads
 * started, against clients that also send a statement, which does take one.
 */
@QuarkusTest
class ThreadlessSessionsTest {
    private static final int CLIENTS = 20;
    private static final String SESSION_THREAD = "sluice-client-";

    @Test
    void loginsPingsAndGoodbyesTakeNoThread() throws Exception {
        // A schema no backend has entered yet, so that the first client's login enters it now: one an earlier test
        // entered may reach the end of sluice.pool.schema-recheck halfway through, and send a login to a thread.
        String schema = "threadless_" + System.nanoTime();
        TestDatabase.get().execute("CREATE DATABASE " + schema);
        String first;
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            first = SESSION_THREAD + c.readHandshake().connectionId();
            // The pool learns the schema exists; later logins into it need no backend.
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, schema).isOk()).isTrue();
        }
        List<String> started = new CopyOnWriteArrayList<>();
        List<RawClient> silent = new ArrayList<>();
        try (RecordingStream events = new RecordingStream()) {
            events.enable("jdk.VirtualThreadStart");
            events.onEvent("jdk.VirtualThreadStart", e -> started.add(e.getThread() == null ? "?" : String.valueOf(e.getThread().getJavaName())));
            events.startAsync();
            for (int i = 0; i < CLIENTS; i++) {
                RawClient c = new RawClient(SluiceTestResource.port());
                silent.add(c);
                assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, i % 2 == 0 ? null : schema).isOk()).as("login").isTrue();
            }
            for (RawClient c : silent) {
                // A pool checking its idle connections.
                c.write(0, new byte[] {(byte) CommandType.COM_PING});
                assertThat(c.read().isOk()).as("the answer to a COM_PING").isTrue();
            }
            String speaker = statementFromANewClient();
            awaitRecorded(started, speaker);
            // The first client's own thread may show too: its schema was checked on a backend, which it gives back as it leaves.
            assertThat(sessionThreads(started, first)).as("session threads: only the one of the client that sent a statement")
                    .containsExactly(speaker);

            // Half say COM_QUIT first, half just close.
            for (int i = 0; i < CLIENTS; i++) {
                if (i % 2 == 0) {
                    silent.get(i).write(0, new byte[] {(byte) CommandType.COM_QUIT});
                }
                silent.get(i).close();
            }
            Thread.sleep(500);
            String last = statementFromANewClient();
            awaitRecorded(started, last);
            assertThat(sessionThreads(started, first)).as("session threads after the silent clients left").containsExactly(speaker, last);
        } finally {
            for (RawClient c : silent) {
                c.close();
            }
            TestDatabase.get().execute("DROP DATABASE " + schema);
        }
    }

    /**
     * A client that logs in and runs a statement that takes its session a thread; that thread's name. Most statements
     * take none (a borrow for one is made on a thread of the pool's): one that reads ROW_COUNT() does, as Sluice brings
     * the backend's count to the client's first.
     */
    private static String statementFromANewClient() throws Exception {
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            String name = SESSION_THREAD + c.readHandshake().connectionId();
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, null).isOk()).isTrue();
            assertThat(c.query("SELECT ROW_COUNT()").isErr()).isFalse();
            return name;
        }
    }

    /**
     * Waits until the stream has the start of {@code thread}, and with it every start before. A thread's events wait in
     * a buffer of its carrier's until the recording's chunk rotates: starting another recording makes it rotate.
     */
    private static void awaitRecorded(List<String> started, String thread) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!started.contains(thread) && System.nanoTime() < deadline) {
            try (Recording rotate = new Recording()) {
                rotate.start();
                rotate.stop();
            }
            Thread.sleep(200);
        }
        assertThat(started).as("virtual threads started").contains(thread);
    }

    private static List<String> sessionThreads(List<String> started, String except) {
        return started.stream().filter(n -> n.startsWith(SESSION_THREAD) && !n.equals(except)).distinct().toList();
    }
}
