package io.sluice.backend;

import com.mysql.cj.NativeSession;
import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.protocol.SocketConnection;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.nio.NioEventLoopGroup;
import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ResponseScanner.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static io.sluice.backend.ChannelLoanTest.assertJdbcWorks;
import static io.sluice.backend.ChannelLoanTest.assertSelectOne;
import static io.sluice.backend.ChannelLoanTest.await;
import static io.sluice.backend.ChannelLoanTest.complete;
import static io.sluice.backend.ChannelLoanTest.onLoop;
import static io.sluice.backend.ChannelLoanTest.queryOnLoop;
import static io.sluice.backend.ChannelLoanTest.waitUntil;
import static io.sluice.backend.TlsLoanDatabase.TLS_1_2;
import static io.sluice.backend.TlsLoanDatabase.TLS_1_3;
import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The hand-over of a TLS backend connection between Connector/J (on Sluice's engine, {@link EngineSocket}) and a
 * Netty event loop ({@link ChannelLoan}, {@link TlsRecords}), against a MariaDB with certificates: the loop carries on
 * the same TLS session, answers larger than a record are decrypted, framed and scanned to their end, and JDBC works
 * after every give-back; bytes left on either side refuse the hand-over.
 */
class ChannelLoanTlsTest {
    /** 1,000 rows of about 100 bytes, some 106 KB: seven records or more, split across reads. */
    static final String BIG_ANSWER = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000) SELECT n, REPEAT('x', 100) FROM r";
    static final int BIG_ANSWER_ROWS = 1000;
    private static final int TLS_RECORD_PLAINTEXT = 16 * 1024;

    private static NioEventLoopGroup loops;
    private static TlsLoanDatabase db;

    @BeforeAll
    static void start() throws Exception {
        loops = new NioEventLoopGroup(2);
        db = TlsLoanDatabase.start();
    }

    @AfterAll
    static void stop() throws Exception {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        db.close();
    }

    private static void assertBigAnswer(List<Role> roles, LoanBorrower borrower) {
        assertThat(roles).hasSize(1 + 2 + BIG_ANSWER_ROWS + 1);
        assertThat(Collections.frequency(roles, Role.ROW)).isEqualTo(BIG_ANSWER_ROWS);
        assertThat(roles.getLast()).isEqualTo(Role.RESULT_END);
        assertThat(borrower.bytesReceived()).isGreaterThan(100_000);
    }

    private static SocketConnection socketOf(Connection jdbc) throws Exception {
        return ((NativeSession) jdbc.unwrap(JdbcConnection.class).getSession()).getProtocol().getSocketConnection();
    }

    /** Bytes the kernel holds for the connection's socket, in either blocking mode. */
    private static int inKernel(BackendConnection backend) throws Exception {
        return backend.socketChannel().socket().getInputStream().available();
    }

    /** Take-over, SELECT 1 or the big answer on the loop, give-back (from the loop or another thread), JDBC: {@code times} times. */
    private static void alternate(String version, int times) throws Exception {
        try (Connection jdbc = db.open(version)) {
            assertThat(one(jdbc, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_version'")).isEqualTo(version);
            BackendConnection backend = BackendConnection.attach(jdbc);
            assertThat(backend.tlsEngine().getSession().getProtocol()).isEqualTo(version);
            ChannelLoan loan = backend.loan();
            IntSupplier heldByEngineSocket = (IntSupplier) socketOf(jdbc).getMysqlSocket();
            EventLoop loop = loops.next();
            for (int i = 0; i < times; i++) {
                LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
                boolean big = i % 2 == 1;
                CompletableFuture<Void> givenBack = new CompletableFuture<>();
                if (i % 4 < 2) {
                    // Given back on the loop, at the answer's end, as the relay will.
                    borrower.onAnswer(() -> loan.giveBack().whenComplete((v, e) -> complete(givenBack, e)));
                }
                List<Role> roles = queryOnLoop(loan, loop, borrower, big ? BIG_ANSWER : "SELECT 1");
                if (big) {
                    assertBigAnswer(roles, borrower);
                } else {
                    assertSelectOne(roles);
                }
                if (i % 4 >= 2) {
                    loan.giveBack().whenComplete((v, e) -> complete(givenBack, e));
                }
                await(givenBack);
                assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CONNECTOR_J);
                // Both sides agree that nobody holds a byte: EngineSocket starts at a record boundary, and after a
                // statement of its own it is there again, ready for the next take-over.
                assertThat(heldByEngineSocket.getAsInt()).isZero();
                assertJdbcWorks(jdbc);
                assertThat(heldByEngineSocket.getAsInt()).isZero();
            }
            // Still the session the handshake made: no handshake was started on the way.
            assertThat(backend.tlsEngine().getSession().getProtocol()).isEqualTo(version);
        }
    }

    @Test
    void alternatesOverTls13AThousandTimes() throws Exception {
        alternate(TLS_1_3, 1000);
    }

    @Test
    void alternatesOverTls12TwoHundredTimes() throws Exception {
        alternate(TLS_1_2, 200);
    }

    @Test
    void readsOfAFewBytesSplitEveryRecordAndHeader() throws Exception {
        for (String version : List.of(TLS_1_3, TLS_1_2)) {
            // 3 bytes: a record header (5 bytes) comes in two reads; 13: headers split at every offset, records too.
            for (int readSize : new int[] {3, 13}) {
                try (Connection jdbc = db.open(version)) {
                    BackendConnection backend = BackendConnection.attach(jdbc);
                    ChannelLoan loan = backend.loan();
                    EventLoop loop = loops.next();
                    for (int i = 0; i < 4; i++) {
                        LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
                        String sql = i % 2 == 0 ? "SELECT 1" : BIG_ANSWER;
                        List<Role> roles = await(onLoop(loop, () -> {
                            Channel channel = loan.takeOver(loop, borrower);
                            // Before the channel's first read: Netty keeps the read-size handle it made then.
                            channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(readSize));
                            return borrower.query(channel, sql);
                        }));
                        assertThat(roles.getLast()).isEqualTo(Role.RESULT_END);
                        await(loan.giveBack());
                        assertJdbcWorks(jdbc);
                    }
                }
            }
        }
    }

    @Test
    void writesLargerThanARecordGoOutInSeveralRecords() throws Exception {
        try (Connection jdbc = db.open(TLS_1_3)) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            String longLiteral = "x".repeat(3 * TLS_RECORD_PLAINTEXT);
            LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
            List<Role> roles = queryOnLoop(loan, loop, borrower, "SELECT LENGTH('" + longLiteral + "')");
            assertSelectOne(roles);
            await(loan.giveBack());
            assertJdbcWorks(jdbc);
        }
    }

    @Test
    void takeOverIsRefusedWhileSluicesTlsSocketHoldsRecordBytes() throws Exception {
        try (Connection jdbc = db.open(TLS_1_3)) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            // An answer of two records, a full one and a short one, whose bytes fit in EngineSocket's first read of the
            // channel (a packet buffer): after it the kernel holds nothing, EngineSocket the second record.
            byte[] query = ("\u0003SELECT REPEAT('x', " + (TLS_RECORD_PLAINTEXT + 16) + ")").getBytes(StandardCharsets.US_ASCII);
            backend.sendCommand(query, query.length);
            await(waitUntil(() -> inKernel(backend) > TLS_RECORD_PLAINTEXT + 16));
            Thread.sleep(50);
            ResponseScanner scanner = backend.scannerFor(query[0]);
            scanner.next(backend.buffer(), backend.read());
            // Connector/J's buffer and EngineSocket's plaintext drained: what is left on this side is record bytes in EngineSocket.
            SocketConnection socket = socketOf(jdbc);
            InputStream input = socket.getMysqlInput();
            input.readNBytes(input.available());
            assertThat(input.available()).isZero();
            assertThat(inKernel(backend)).isZero();
            assertThat(((IntSupplier) socket.getMysqlSocket()).getAsInt()).isPositive();
            LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
            assertThatThrownBy(() -> onLoop(loop, () -> loan.takeOver(loop, borrower)))
                    .isInstanceOf(LoanException.class).hasMessageContaining("Sluice's TLS socket holds");
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CONNECTOR_J);
            assertThat(backend.socketChannel().isBlocking()).isTrue();
        }
    }

    @Test
    void giveBackWhileTheLoopsTlsRecordsHoldARecordsFirstBytesClosesTheConnection() throws Exception {
        try (Connection jdbc = db.open(TLS_1_3)) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
            // Reads of 16 bytes, one at a time; a statement sent outside the borrower's scanner (which then waits for nothing).
            onLoop(loop, () -> {
                Channel channel = loan.takeOver(loop, borrower);
                channel.config().setAutoRead(false);
                // Before the channel's first read: Netty keeps the read-size handle it made then.
                channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(16));
                return channel.writeAndFlush(channel.alloc().buffer().writeBytes(LoanBorrower.comQuery("SELECT 2")));
            });
            await(waitUntil(() -> inKernel(backend) > 16));
            int answer = inKernel(backend);
            // One read of 16 bytes: the first bytes of the answer's record, which cannot be decrypted yet.
            onLoop(loop, () -> loan.channel().read());
            await(waitUntil(() -> inKernel(backend) == answer - 16));
            assertThat(onLoop(loop, borrower::consumedAll)).isTrue();
            assertThatThrownBy(() -> await(loan.giveBack())).isInstanceOf(LoanException.class)
                    .hasMessageContaining("TLS records hold 16 bytes");
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CLOSED);
            assertThat(jdbc.isValid(2)).isFalse();
        }
    }

    @Test
    void aServerKillWhileLentOverTlsReachesTheBorrower() throws Exception {
        for (String version : List.of(TLS_1_3, TLS_1_2)) {
            Connection jdbc = db.open(version);
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
            assertSelectOne(queryOnLoop(loan, loop, borrower, "SELECT 1"));
            db.execute("KILL " + backend.threadId());
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                await(borrower.closed);
                assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CLOSED);
                assertThat(loan.channel().isOpen()).isFalse();
                assertThatThrownBy(() -> await(loan.giveBack())).isInstanceOf(LoanException.class).hasMessageContaining("CLOSED");
                assertThat(jdbc.isValid(1)).isFalse();
                jdbc.close();
            });
        }
    }

    @Test
    void connectorJCannotWriteThroughItsTlsSocketWhileLent() throws Exception {
        Connection jdbc = db.open(TLS_1_3);
        BackendConnection backend = BackendConnection.attach(jdbc);
        ChannelLoan loan = backend.loan();
        EventLoop loop = loops.next();
        LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
        assertSelectOne(queryOnLoop(loan, loop, borrower, "SELECT 1"));
        long answered = borrower.bytesReceived();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            // Refused before the engine wraps a byte: the loop's session goes on undisturbed.
            assertThatThrownBy(() -> one(jdbc, "SELECT 3")).isInstanceOf(java.sql.SQLException.class);
            // Connector/J closes its connection on that failure, which reaches the loop as the end of the stream.
            await(borrower.closed);
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CLOSED);
            // The statement never reached the server: no answer came to the loop.
            assertThat(borrower.bytesReceived()).isEqualTo(answered);
            jdbc.close();
        });
    }

    @Test
    void takeOverIsRefusedForTlsOnAnEngineSluiceCannotReach() throws Exception {
        // Connector/J's own socket factory: its own SSLSocket, whose engine nobody else can use.
        try (Connection jdbc = db.open(TLS_1_3, Map.of("socketFactory", com.mysql.cj.protocol.StandardSocketFactory.class.getName()))) {
            assertThat(one(jdbc, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_version'")).startsWith("TLS");
            BackendConnection backend = BackendConnection.attach(jdbc);
            assertThat(backend.tlsEngine()).isNull();
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            assertThatThrownBy(() -> onLoop(loop, () -> loan.takeOver(loop, new LoanBorrower(true))))
                    .isInstanceOf(LoanException.class).hasMessageContaining("TLS on an engine Sluice cannot reach");
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CONNECTOR_J);
            assertJdbcWorks(jdbc);
        }
    }
}
