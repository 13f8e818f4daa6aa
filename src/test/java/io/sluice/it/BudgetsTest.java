package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Management;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.sluice.testing.Sql.connect;
import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What one client may make Sluice hold after login is bounded, each bound configurable, and a client past one gets
 * an error of its own while the others carry on. Small bounds here, to reach them quickly.
 */
@QuarkusTest
@TestProfile(BudgetsTest.SmallBudgets.class)
class BudgetsTest {
    static final int ER_MAX_PREPARED_STMT_COUNT_REACHED = 1461;
    static final String PACKET_BYTES_TOTAL = "2M";
    static final String PACKET_BYTES_GAUGE = "sluice_client_packet_bytes";

    public static class SmallBudgets implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.client.max-prepared-statements", "5",
                    "sluice.client.max-prepared-statement-bytes", "64K",
                    "sluice.client.max-prepared-statement-bytes-total", "100K",
                    "sluice.pool.statement-cache-bytes", "16K",
                    "sluice.client.max-packet-bytes-total", PACKET_BYTES_TOTAL);
        }
    }

    private static Connection prepared() throws SQLException {
        // Server-side statements, and no silent fallback to client-side ones when the server refuses.
        return connect("useServerPrepStmts=true&cachePrepStmts=false&emulateUnsupportedPstmts=false");
    }

    private static void assertRefused(ThrowingPrepare prepare, String why) {
        assertThatThrownBy(prepare::run).as(why)
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(ER_MAX_PREPARED_STMT_COUNT_REACHED));
    }

    interface ThrowingPrepare {
        void run() throws Exception;
    }

    /** A statement whose SQL is about {@code kib} KiB long (a comment pads it), distinct by {@code n}. */
    private static String padded(int n, int kib) {
        return "SELECT " + n + " /* " + "x".repeat(kib * 1024) + " */";
    }

    @Test
    void aClientMayHoldSoManyStatementsThenGetsAnErrorOfItsOwn() throws Exception {
        try (Connection c = prepared(); Connection other = prepared()) {
            List<PreparedStatement> held = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                held.add(c.prepareStatement("SELECT " + i + " + ?"));
            }
            assertRefused(() -> c.prepareStatement("SELECT 5 + ?"), "the sixth statement");
            // Others are not affected, and a closed statement makes room again.
            try (PreparedStatement p = other.prepareStatement("SELECT 42")) {
                assertThat(p.executeQuery().next()).isTrue();
            }
            held.remove(0).close();
            try (PreparedStatement again = c.prepareStatement("SELECT 6 + ?")) {
                again.setInt(1, 1);
                var rs = again.executeQuery();
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(7);
            }
            for (PreparedStatement p : held) {
                p.close();
            }
        }
    }

    @Test
    void aClientMayHoldSoMuchStatementTextThenGetsAnErrorOfItsOwn() throws Exception {
        try (Connection c = prepared()) {
            // Each costs twice its 20 KiB (the packet and its text): one fits in 64K, a second does not.
            PreparedStatement first = c.prepareStatement(padded(1, 20));
            assertRefused(() -> c.prepareStatement(padded(2, 20)), "past max-prepared-statement-bytes");
            first.close();
            c.prepareStatement(padded(3, 20)).close();
            assertThat(one(c, "SELECT 'session fine'")).isEqualTo("session fine");
        }
    }

    @Test
    void allClientsTogetherMayHoldSoMuchAndADepartingClientGivesItsShareBack() throws Exception {
        try (Connection b = prepared()) {
            try (Connection a = prepared()) {
                a.prepareStatement(padded(1, 28));
                b.prepareStatement(padded(2, 14));
                // 2 x 28 KiB + 2 x 14 KiB held of 100K: another 14 KiB statement would pass 100K.
                assertRefused(() -> b.prepareStatement(padded(3, 14)), "past max-prepared-statement-bytes-total");
            }
            // a left: its statements' share is free again (the session ends a moment after the close).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    b.prepareStatement(padded(4, 14));
                    break;
                } catch (SQLException e) {
                    assertThat(System.nanoTime()).as("the departed client's share given back").isLessThan(deadline);
                    Thread.sleep(50);
                }
            }
        }
    }

    /**
     * A command larger than {@code sluice.client.max-queued-bytes} pauses reading, and the session taking it resumes
     * it. Each side used to decide alone: a session that took the packet between the event loop's check and its
     * pause left reading paused for good, and the client's next command was never read (a 20 MB row hung in CI).
     */
    @Test
    void readingResumesAfterEveryCommandLargerThanTheQueueBudget() throws Exception {
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, null).isOk()).isTrue();
            c.socket().setSoTimeout(10_000);
            byte[] big = new byte[(1 << 20) + (1 << 19)];
            System.arraycopy("\u0003DO 1 /*".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, big, 0, 8);
            java.util.Arrays.fill(big, 8, big.length - 2, (byte) 'x');
            big[big.length - 2] = '*';
            big[big.length - 1] = '/';
            byte[] small = "\u0003DO 2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < 300; i++) {
                c.write(0, big);
                assertThat(c.read().isOk()).as("answer to large command %d", i).isTrue();
                c.write(0, small);
                assertThat(c.read().isOk()).as("answer to the command after large command %d", i).isTrue();
            }
        }
    }

    /**
     * A client pipelining large commands while its session is busy: Sluice stops reading once about
     * {@code sluice.client.max-queued-bytes} (1 MiB) wait, so the client's writes block (TCP backpressure) instead
     * of Sluice buffering them. It used to read on until eight packets were queued, whatever their size.
     */
    @Test
    void pipelinedCommandsAreNotReadFasterThanTheSessionServesThem() throws Exception {
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, null).isOk()).isTrue();
            c.socket().setSendBufferSize(64 * 1024);
            byte[] sleep = "\u0003DO SLEEP(5)".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] big = new byte[8 << 20];
            System.arraycopy("\u0003DO 1 /*".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, big, 0, 8);
            java.util.Arrays.fill(big, 8, big.length - 2, (byte) 'x');
            big[big.length - 2] = '*';
            big[big.length - 1] = '/';
            AtomicLong written = new AtomicLong();
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    c.write(0, sleep);
                    for (int i = 0; i < 16; i++) {
                        c.write(0, big);
                        written.addAndGet(big.length);
                    }
                } catch (IOException e) {
                    // The test closes the socket.
                }
            });
            Thread.sleep(3000);
            // While the SLEEP runs: one 8 MiB packet queued, and what the sockets' buffers hold (Linux lets a receive
            // buffer grow to tcp_rmem's maximum, 32 MiB here). Eight packets queued, as before, would be 64 MiB.
            assertThat(written.get()).as("bytes the client could push while its session was busy").isLessThanOrEqualTo(48L << 20);
            writer.join(60_000);
            assertThat(written.get()).as("all sent once the session caught up").isEqualTo(128L << 20);
        }
    }

    /**
     * Two clients each start an 8 MiB statement, send 3 MiB of it and stop, on a budget of 2 MiB for all clients'
     * packets. The first is read on (the longest holder always is); the second waits, holding what it had been sent
     * when it crossed the bound, instead of Sluice holding both. A client sending ordinary statements meanwhile is not
     * held up; when the first statement is served the second is read again, and both get their answers. Sluice used to
     * hold every client's packet, however many.
     */
    @Test
    void clientsSendingHugeStatementsTakeTurnsWithinTheBudgetWhileOthersCarryOn() throws Exception {
        byte[] statement = new byte[8 << 20];
        System.arraycopy("\u0003DO 1 /*".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, statement, 0, 8);
        java.util.Arrays.fill(statement, 8, statement.length - 2, (byte) 'x');
        statement[statement.length - 2] = '*';
        statement[statement.length - 1] = '/';
        byte[] framed = RawClient.frame(0, statement);
        int begun = 3 << 20;
        try (RawClient first = loggedIn(); RawClient second = loggedIn(); Connection ordinary = connect("")) {
            first.writeRaw(java.util.Arrays.copyOf(framed, begun));
            Management.await("the first statement's bytes are held",
                    () -> Management.gauge(PACKET_BYTES_GAUGE) >= begun);
            Thread secondWriter = Thread.ofVirtual().start(() -> {
                try {
                    // Blocks once Sluice stops reading and the sockets' buffers are full.
                    second.writeRaw(java.util.Arrays.copyOf(framed, begun));
                } catch (IOException e) {
                    // Reported by the answer the test reads.
                }
            });
            Thread.sleep(1500);
            long held = Management.gauge(PACKET_BYTES_GAUGE);
            // The first statement's buffer (4 MiB, grown by doubling for 3 MiB) and a read or two of the second's.
            assertThat(held).as("bytes held by both clients' packets").isLessThan(5L << 20);
            assertThat(one(ordinary, "SELECT 'not held up'")).isEqualTo("not held up");

            first.writeRaw(java.util.Arrays.copyOfRange(framed, begun, framed.length));
            first.socket().setSoTimeout(30_000);
            assertThat(first.read().isOk()).as("the first statement answered").isTrue();
            secondWriter.join(30_000);
            assertThat(secondWriter.isAlive()).as("the second client still blocked writing").isFalse();
            second.writeRaw(java.util.Arrays.copyOfRange(framed, begun, framed.length));
            second.socket().setSoTimeout(30_000);
            assertThat(second.read().isOk()).as("the second statement answered").isTrue();
            Management.await("every packet given back", () -> Management.gauge(PACKET_BYTES_GAUGE) == 0);
        }
    }

    /**
     * A COM_STMT_SEND_LONG_DATA of 12 MiB, well over the 2 MiB budget, passes through to the backend as it arrives: with
     * 8 MiB of it sent and the rest not yet, Sluice holds no more than a few pieces of it. The row it makes is the row
     * the same bytes make on a direct connection. Sluice used to hold the packet whole (8 MiB here) before relaying it.
     */
    @Test
    void longDataPassesThroughInPiecesAndArrivesWhole() throws Exception {
        try (Connection setup = connect("")) {
            setup.createStatement().execute("CREATE TABLE IF NOT EXISTS long_data (id INT PRIMARY KEY, b LONGBLOB)");
            setup.createStatement().execute("DELETE FROM long_data");
        }
        byte[] data = new byte[12 << 20];
        new java.util.Random(12).nextBytes(data);
        int begun = 8 << 20;
        try (RawClient viaSluice = loggedIn(SluiceTestResource.port());
             RawClient direct = loggedIn(TestDatabase.get().port())) {
            LongDataUpload throughSluice = new LongDataUpload(viaSluice, 1, data);
            throughSluice.sendFirst(begun);
            Thread.sleep(1500);
            long held = Management.gauge(PACKET_BYTES_GAUGE);
            assertThat(held).as("bytes held with 8 MiB of a 12 MiB long data packet sent").isLessThan(1L << 20);
            assertThat(throughSluice.finishAndExecute().isOk()).as("the insert using the long data").isTrue();

            LongDataUpload directly = new LongDataUpload(direct, 2, data);
            directly.sendFirst(begun);
            assertThat(directly.finishAndExecute().isOk()).isTrue();
        }
        try (Connection check = connect("")) {
            assertThat(one(check, "SELECT COUNT(DISTINCT LENGTH(b), MD5(b)) FROM long_data")).as("both rows alike").isEqualTo("1");
            assertThat(one(check, "SELECT LENGTH(b) FROM long_data WHERE id = 1")).isEqualTo(String.valueOf(data.length));
        }
        Management.await("every piece given back", () -> Management.gauge(PACKET_BYTES_GAUGE) == 0);
    }

    /** {@code INSERT INTO app.long_data VALUES (id, ?)} prepared, its blob sent as long data in one packet, executed. */
    private static final class LongDataUpload {
        private final RawClient client;
        private final byte[] framed;
        private final byte[] statementId;
        private int sent;

        LongDataUpload(RawClient client, int id, byte[] data) throws IOException {
            this.client = client;
            byte[] sql = ("INSERT INTO app.long_data VALUES (" + id + ", ?)").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] prepare = new byte[sql.length + 1];
            prepare[0] = 0x16;
            System.arraycopy(sql, 0, prepare, 1, sql.length);
            client.write(0, prepare);
            RawClient.Packet ok = client.read();
            assertThat(ok.isOk()).as("prepared: " + ok).isTrue();
            statementId = java.util.Arrays.copyOfRange(ok.payload(), 1, 5);
            assertThat(client.read().payload()[0]).as("the parameter's definition").isNotEqualTo((byte) 0xff);
            byte[] payload = new byte[7 + data.length];
            payload[0] = 0x18;
            System.arraycopy(statementId, 0, payload, 1, 4);
            System.arraycopy(data, 0, payload, 7, data.length);
            framed = RawClient.frame(0, payload);
        }

        void sendFirst(int bytes) throws IOException {
            client.writeRaw(framed, 0, bytes);
            sent = bytes;
        }

        /** The rest of the long data, then COM_STMT_EXECUTE with the parameter a blob; returns the answer. */
        RawClient.Packet finishAndExecute() throws IOException {
            client.writeRaw(framed, sent, framed.length - sent);
            byte[] execute = new byte[15];
            execute[0] = 0x17;
            System.arraycopy(statementId, 0, execute, 1, 4);
            execute[5] = 0; // no cursor
            execute[6] = 1; // iteration count, int<4>
            execute[10] = 0; // NULL bitmap of one parameter
            execute[11] = 1; // types follow
            execute[12] = (byte) 0xfc; // MYSQL_TYPE_BLOB, its value sent as long data
            execute[13] = 0;
            client.write(0, java.util.Arrays.copyOf(execute, 14));
            client.socket().setSoTimeout(30_000);
            RawClient.Packet answer = client.read();
            while (answer.header() == 0xfe) {
                answer = client.read();
            }
            return answer;
        }
    }

    private static RawClient loggedIn(int port) throws IOException {
        RawClient c = new RawClient(port);
        assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, null).isOk()).isTrue();
        return c;
    }

    private static RawClient loggedIn() throws IOException {
        return loggedIn(SluiceTestResource.port());
    }
}
