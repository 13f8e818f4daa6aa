package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.app.SluiceServer;
import io.sluice.pool.BackendPool;
import io.sluice.protocol.ErrorCode;
import io.sluice.protocol.PayloadWriter;
import io.sluice.testing.RawClient;
import io.sluice.testing.RawClient.Packet;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that break the protocol get an ERR where the protocol allows one and are closed; Sluice, its
 * other clients and its backend connections carry on untouched.
 */
@QuarkusTest
class BadInputTest {
    static final String APP = TestDatabase.APP_USER;
    static final String PW = TestDatabase.APP_PASSWORD;
    /** A well-behaved client that stays connected through every test. */
    static Connection bystander;

    @Inject
    SluiceServer sluice;

    @BeforeAll
    static void connectBystander() throws SQLException {
        bystander = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port() + "/app?sslMode=DISABLED", APP, PW);
    }

    @AfterAll
    static void closeBystander() throws SQLException {
        bystander.close();
    }

    @AfterEach
    void othersAreUnaffectedAndNothingLeaks() throws Exception {
        try (ResultSet rs = bystander.createStatement().executeQuery("SELECT 'still here'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("still here");
        }
        // Only the bystander may hold a backend once the bad clients are gone.
        long deadline = System.currentTimeMillis() + 10_000;
        int borrowed;
        do {
            borrowed = sluice.pools().all().stream().mapToInt(BackendPool::borrowed).sum();
            if (borrowed <= 1) {
                break;
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        assertThat(borrowed).as("backend connections still borrowed").isLessThanOrEqualTo(1);
    }

    static RawClient connect() throws Exception {
        return new RawClient(SluiceTestResource.port());
    }

    static void assertErrorThenClosed(RawClient client, int code) throws Exception {
        Packet p = client.read();
        assertThat(p).as("an ERR packet before the close").isNotNull();
        assertThat(p.isErr()).as(p.toString()).isTrue();
        assertThat(p.errorCode()).as(p.toString()).isEqualTo(code);
        assertThat(client.isClosedByServer()).isTrue();
    }

    @Test
    void aClientThatSendsNothingIsTimedOut() throws Exception {
        try (RawClient c = connect()) {
            c.readHandshake();
            long start = System.nanoTime();
            assertErrorThenClosed(c, ErrorCode.ER_HANDSHAKE_ERROR);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1_000L, 10_000L);
        }
    }

    @Test
    void aTruncatedHandshakeResponseIsABadHandshake() throws Exception {
        try (RawClient c = connect()) {
            c.readHandshake();
            c.write(1, new byte[] {(byte) 0x8d, (byte) 0xa6, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x01, 0x21});
            assertErrorThenClosed(c, ErrorCode.ER_HANDSHAKE_ERROR);
        }
    }

    @Test
    void aHandshakeResponseWhoseLengthsLieIsABadHandshake() throws Exception {
        try (RawClient c = connect()) {
            c.readHandshake();
            byte[] lying = new PayloadWriter()
                    .int4(RawClient.DEFAULT_CAPS).int4(1 << 24).int1(45).zeros(23)
                    .nulTerminated(APP)
                    .int1(0xfc).int2(60000) // an auth response "of 60000 bytes"...
                    .bytes(new byte[] {1, 2, 3}) // ...that is 3 bytes long
                    .toByteArray();
            c.write(1, lying);
            assertErrorThenClosed(c, ErrorCode.ER_HANDSHAKE_ERROR);
        }
    }

    @Test
    void aHandshakeResponseOutOfSequenceIsRefused() throws Exception {
        try (RawClient c = connect()) {
            c.readHandshake();
            c.write(0, new byte[40]);
            assertErrorThenClosed(c, ErrorCode.ER_NET_PACKETS_OUT_OF_ORDER);
        }
    }

    @Test
    void aCommandBeforeAuthenticationIsRefused() throws Exception {
        try (RawClient c = connect()) {
            c.readHandshake();
            c.write(1, new byte[] {0x03, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'});
            assertErrorThenClosed(c, ErrorCode.ER_HANDSHAKE_ERROR);
        }
    }

    @Test
    void aWrongPasswordIsDeniedAndClosed() throws Exception {
        try (RawClient c = connect()) {
            Packet answer = c.login(APP, "not the password", null);
            assertThat(answer.isErr()).isTrue();
            assertThat(answer.errorCode()).isEqualTo(ErrorCode.ER_ACCESS_DENIED_ERROR);
            assertThat(answer.sequenceId()).isEqualTo(2);
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    /** The user name is the client's text: in the log it stays on its line, its control characters shown as escapes. */
    @Test
    void aUserNameCannotForgeLogLines() throws Exception {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r instanceof org.jboss.logmanager.ExtLogRecord e ? e.getFormattedMessage() : r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.sluice.frontend.ClientSession");
        logger.addHandler(handler);
        try (RawClient c = connect()) {
            Packet answer = c.login("intruder\n2026-01-01 00:00:00,000 INFO  [io.sluice] client 1: welcome back, admin\r", "x", null);
            assertThat(answer.errorCode()).isEqualTo(ErrorCode.ER_ACCESS_DENIED_ERROR);
        } finally {
            logger.removeHandler(handler);
        }
        assertThat(logged).filteredOn(line -> line.contains("access denied")).singleElement()
                .satisfies(line -> assertThat(line).doesNotContain("\n", "\r").contains("intruder\\x0a2026-01-01"));
    }

    @Test
    void aCommandOutOfSequenceIsRefused() throws Exception {
        try (RawClient c = connect()) {
            assertThat(c.login(APP, PW, null).isOk()).isTrue();
            c.write(3, new byte[] {0x03, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'});
            assertErrorThenClosed(c, ErrorCode.ER_NET_PACKETS_OUT_OF_ORDER);
        }
    }

    @Test
    void unknownAndEmptyCommandsGetAnErrorAndTheSessionGoesOn() throws Exception {
        try (RawClient c = connect()) {
            assertThat(c.login(APP, PW, null).isOk()).isTrue();
            c.write(0, new byte[] {(byte) 0x99, 1, 2, 3});
            Packet unknown = c.read();
            assertThat(unknown.errorCode()).isEqualTo(ErrorCode.ER_UNKNOWN_COM_ERROR);
            assertThat(unknown.sequenceId()).isEqualTo(1);
            c.write(0, new byte[0]);
            assertThat(c.read().errorCode()).isEqualTo(ErrorCode.ER_MALFORMED_PACKET);
            // Replication and shutdown are not for a pooled proxy.
            c.write(0, new byte[] {0x08});
            assertThat(c.read().errorCode()).isEqualTo(ErrorCode.ER_UNKNOWN_COM_ERROR);
            Packet columnCount = c.query("SELECT 1");
            assertThat(columnCount.payload()).containsExactly(1);
        }
    }

    @Test
    void anOversizedPacketIsRefusedBeforeItIsBuffered() throws Exception {
        try (RawClient c = connect()) {
            assertThat(c.login(APP, PW, null).isOk()).isTrue();
            // A COM_QUERY that claims to continue for ever, in 16 MiB chunks; the limit is the default 64 MiB.
            // (Connector/J sends a 20 MB blob in a text-protocol INSERT as hex, so tests keep the default.)
            byte[] chunk = new byte[0xffffff];
            chunk[0] = 0x03;
            for (int seq = 0; seq < 4; seq++) {
                c.writeRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) seq});
                c.writeRaw(chunk);
                chunk[0] = 'x';
            }
            // The fifth header takes the packet past the limit: Sluice answers before its body arrives.
            c.writeRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 4});
            assertErrorThenClosed(c, ErrorCode.ER_NET_PACKET_TOO_LARGE);
        }
    }

    /**
     * Anyone who can reach the port may send a handshake response: before login a header announcing more than
     * {@code sluice.client.max-login-packet-size} (16 KiB) is refused at once, without waiting for its body.
     */
    @Test
    void aLoginPacketOverTheLoginLimitIsRefusedBeforeItsBodyArrives() throws Exception {
        try (RawClient c = connect()) {
            c.readHandshake();
            c.writeRaw(new byte[] {0x00, 0x00, 0x01, 0x01}); // 64 KiB declared, nothing of it sent
            Packet answer = c.read();
            assertThat(answer).as("an answer before the body and before any timeout").isNotNull();
            assertThat(answer.errorCode()).as(answer.toString()).isEqualTo(ErrorCode.ER_NET_PACKET_TOO_LARGE);
            assertThat(answer.message()).contains("sluice.client.max-login-packet-size");
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    /** A real handshake response with connection attributes as large as real clients send fits the login limit. */
    @Test
    void aHandshakeResponseWithLargeConnectionAttributesIsAccepted() throws Exception {
        StringBuilder attributes = new StringBuilder("program_name:sluice-test");
        for (int i = 0; attributes.length() < 4000; i++) {
            attributes.append(",attribute_").append(i).append(':').append("v".repeat(40));
        }
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port()
                + "/app?sslMode=DISABLED&connectionAttributes=" + attributes, APP, PW);
             ResultSet rs = c.createStatement().executeQuery("SELECT 'attributes fit'")) {
            assertThat(rs.next()).isTrue();
        }
    }

    @Test
    void malformedCommandsThatSluiceParsesAreRefused() throws Exception {
        try (RawClient c = connect()) {
            assertThat(c.login(APP, PW, null).isOk()).isTrue();
            c.write(0, new byte[] {0x0c, 1}); // COM_PROCESS_KILL without its 4-byte id
            assertThat(c.read().errorCode()).isEqualTo(ErrorCode.ER_MALFORMED_PACKET);
            c.write(0, new byte[] {0x1b}); // COM_SET_OPTION without its option
            assertThat(c.read().errorCode()).isEqualTo(ErrorCode.ER_MALFORMED_PACKET);
            c.write(0, new byte[] {0x11, 'a', 'p', 'p'}); // COM_CHANGE_USER cut short
            assertErrorThenClosed(c, ErrorCode.ER_MALFORMED_PACKET);
        }
    }

    @Test
    void garbageStatementPacketsAreTheServersToJudge() throws Exception {
        try (RawClient c = connect()) {
            assertThat(c.login(APP, PW, "app").isOk()).isTrue();
            // COM_STMT_EXECUTE of a statement that does not exist, with trailing junk.
            c.write(0, new byte[] {0x17, 0x7f, 0x7f, 0x7f, 0x7f, 0, 1, 0, 0, 0, (byte) 0xff, (byte) 0xff});
            Packet answer = c.read();
            assertThat(answer.isErr()).isTrue();
            assertThat(answer.errorCode()).isEqualTo(ErrorCode.ER_UNKNOWN_STMT_HANDLER);
            assertThat(c.query("SELECT 1").payload()).containsExactly(1);
        }
    }

    @Test
    void randomPacketsNeverHurtAnyoneElse() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 40; i++) {
            try (RawClient c = connect()) {
                boolean authenticated = i % 2 == 0;
                if (authenticated) {
                    assertThat(c.login(APP, PW, null).isOk()).isTrue();
                } else {
                    c.readHandshake();
                }
                byte[] junk = new byte[random.nextInt(64)];
                random.nextBytes(junk);
                if (authenticated && junk.length > 0) {
                    // Keep away from COM_QUIT so that every case gets judged.
                    junk[0] = (byte) (0x20 + random.nextInt(0xdf));
                }
                c.write(authenticated ? 0 : 1, junk);
                Packet answer = c.read();
                assertThat(answer == null || answer.isErr()).as("answer to junk %d: %s", i, answer).isTrue();
            }
        }
    }

    /**
     * Three clients each sent KILL 1, 300,000 spaces and an x: read by a backtracking regular expression, that held
     * both carrier threads for minutes and nobody else got an answer. Read in one pass, each gets its error at
     * once, and a bystander's SELECT is answered meanwhile (the 10 s bound is generous: it is about answering at all).
     */
    @Test
    void statementsCraftedAgainstTheParserDoNotStallOthers() throws Exception {
        byte[] text = ("KILL 1" + " ".repeat(300_000) + "x").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] payload = new byte[text.length + 1];
        payload[0] = 0x03;
        System.arraycopy(text, 0, payload, 1, text.length);
        List<RawClient> attackers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawClient c = connect();
                assertThat(c.login(APP, PW, null).isOk()).isTrue();
                attackers.add(c);
            }
            for (RawClient c : attackers) {
                c.write(0, payload);
            }
            var select = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (ResultSet rs = bystander.createStatement().executeQuery("SELECT 1")) {
                    return rs.next() ? rs.getInt(1) : -1;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(select.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
            for (RawClient c : attackers) {
                Packet answer = c.read();
                assertThat(answer.isErr()).as(String.valueOf(answer)).isTrue();
                assertThat(answer.errorCode()).isEqualTo(ErrorCode.ER_NOT_SUPPORTED_YET);
            }
        } finally {
            for (RawClient c : attackers) {
                c.close();
            }
        }
    }

    @Test
    void aClientThatLeavesMidResultDoesNotLeakItsBackend() throws Exception {
        try (RawClient c = connect()) {
            assertThat(c.login(APP, PW, "app").isOk()).isTrue();
            assertThat(c.query("SELECT REPEAT('x', 1000) FROM seq_1_to_200000").isErr()).isFalse();
            for (int i = 0; i < 10; i++) {
                assertThat(c.read()).isNotNull();
            }
        }
        // @AfterEach checks that the backend came back (discarded and replaced) and others carry on.
    }
}
