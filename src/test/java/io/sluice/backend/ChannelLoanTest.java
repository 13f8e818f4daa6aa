package io.sluice.backend;

import com.mysql.cj.NativeSession;
import com.mysql.cj.jdbc.JdbcConnection;
import io.netty.channel.Channel;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ResponseScanner.Role;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The hand-over of a backend socket between Connector/J and a Netty event loop ({@link ChannelLoan}), against the
 * test run's MariaDB on real NIO event loops: answers relayed on the loop are framed and scanned to their end, and
 * JDBC works after every give-back.
 */
class ChannelLoanTest {
    /** 400 rows of about 100 bytes: an answer that takes several reads. */
    static final String MANY_ROWS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 400) SELECT n, REPEAT('x', 100) FROM r";
    static final int MANY_ROWS_COUNT = 400;
    private static final long WAIT_SECONDS = 10;

    private static NioEventLoopGroup loops;

    @BeforeAll
    static void startLoops() {
        loops = new NioEventLoopGroup(2);
    }

    @AfterAll
    static void stopLoops() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A physical Connector/J connection opened as the pool opens its own. */
    static Connection open() throws SQLException {
        Properties props = ConnectionSettings.properties(false, Map.of("sslMode", "DISABLED"), Map.of());
        props.setProperty("user", TestDatabase.APP_USER);
        props.setProperty("password", TestDatabase.APP_PASSWORD);
        var db = TestDatabase.get();
        return new com.mysql.cj.jdbc.Driver().connect(ConnectionSettings.jdbcUrl(db.host(), db.port()), props);
    }

    static <T> T onLoop(EventLoop loop, Callable<T> task) throws Exception {
        try {
            return loop.submit(task).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Takes the connection over on {@code loop}, runs {@code sql} there and returns its answer's roles. */
    static List<Role> queryOnLoop(ChannelLoan loan, EventLoop loop, LoanBorrower borrower, String sql) throws Exception {
        CompletableFuture<List<Role>> answer = onLoop(loop, () -> borrower.query(loan.takeOver(loop, borrower), sql));
        return await(answer);
    }

    /** Takes the connection over on {@code loop}, runs {@code sql} there, and has the socket rest there at the answer's end. */
    static List<Role> queryThenRest(ChannelLoan loan, EventLoop loop, BackendConnection backend, String sql) throws Exception {
        LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
        CompletableFuture<Boolean> rested = new CompletableFuture<>();
        borrower.onAnswer(() -> rested.complete(loan.rest()));
        List<Role> roles = queryOnLoop(loan, loop, borrower, sql);
        assertThat(await(rested)).as("rested after " + sql).isTrue();
        return roles;
    }

    /** A SELECT 1 on {@code loop}, after which the socket rests there; returns the borrower that rested. */
    static LoanBorrower restingAfterSelectOne(ChannelLoan loan, EventLoop loop, BackendConnection backend) throws Exception {
        LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
        borrower.onAnswer(loan::rest);
        assertSelectOne(queryOnLoop(loan, loop, borrower, "SELECT 1"));
        assertThat(onLoop(loop, loan::resting)).isTrue();
        return borrower;
    }

    /** The server closes the backend's connection, as a restart or a failover would. */
    static void killOnServer(BackendConnection backend) throws SQLException {
        try (Connection root = TestDatabase.root(); Statement s = root.createStatement()) {
            s.execute("KILL " + backend.threadId());
        }
    }

    static void assertSelectOne(List<Role> roles) {
        assertThat(roles).containsExactly(Role.COLUMN_COUNT, Role.COLUMN_DEFINITION, Role.ROW, Role.RESULT_END);
    }

    private static void assertManyRows(List<Role> roles) {
        assertThat(roles).hasSize(1 + 2 + MANY_ROWS_COUNT + 1);
        assertThat(Collections.frequency(roles, Role.ROW)).isEqualTo(MANY_ROWS_COUNT);
        assertThat(roles.getLast()).isEqualTo(Role.RESULT_END);
    }

    static void assertJdbcWorks(Connection jdbc) throws SQLException {
        assertThat(one(jdbc, "SELECT 1")).isEqualTo("1");
        assertThat(jdbc.isValid(2)).isTrue();
    }

    @Test
    void alternatesBetweenTheLoopAndJdbcAThousandTimes() throws Exception {
        try (Connection jdbc = open()) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            for (int i = 0; i < 1000; i++) {
                LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
                boolean many = i % 2 == 1;
                CompletableFuture<Void> givenBack = new CompletableFuture<>();
                if (i % 4 < 2) {
                    // Given back on the loop, at the answer's end, as the relay will.
                    borrower.onAnswer(() -> loan.giveBack().whenComplete((v, e) -> complete(givenBack, e)));
                }
                List<Role> roles = queryOnLoop(loan, loop, borrower, many ? MANY_ROWS : "SELECT 1");
                if (many) {
                    assertManyRows(roles);
                } else {
                    assertSelectOne(roles);
                }
                if (i % 4 >= 2) {
                    // Given back by another thread.
                    loan.giveBack().whenComplete((v, e) -> complete(givenBack, e));
                }
                await(givenBack);
                assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CONNECTOR_J);
                assertJdbcWorks(jdbc);
            }
        }
    }

    static void complete(CompletableFuture<Void> future, Throwable failure) {
        if (failure == null) {
            future.complete(null);
        } else {
            future.completeExceptionally(failure);
        }
    }

    @Test
    void worksOnAVertxEventLoop() throws Exception {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try (Connection jdbc = open()) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            // Sluice's loops: Vert.x's, NIO in JVM mode.
            EventLoop loop = vertx.nettyEventLoopGroup().next();
            for (int i = 0; i < 10; i++) {
                assertManyRows(queryOnLoop(backend.loan(), loop, new LoanBorrower(backend.sessionTrack()), MANY_ROWS));
                await(backend.loan().giveBack());
                assertJdbcWorks(jdbc);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void takeOverIsRefusedWhileConnectorJHasBytesUnread() throws Exception {
        try (Connection jdbc = open()) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            byte[] select = "\u0003SELECT 1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            backend.sendCommand(select, select.length);
            ResponseScanner scanner = backend.scannerFor(select[0]);
            // The first packet read; the rest of the answer, sent in the same write, is in Connector/J's buffer or the kernel.
            scanner.next(backend.buffer(), backend.read());
            LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
            assertThatThrownBy(() -> onLoop(loop, () -> loan.takeOver(loop, borrower)))
                    .isInstanceOf(LoanException.class).hasMessageContaining("bytes of it unread");
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CONNECTOR_J);
            while (!scanner.isComplete()) {
                scanner.next(backend.buffer(), backend.read());
            }
            // Read to its end, the connection can be lent.
            assertSelectOne(queryOnLoop(loan, loop, borrower, "SELECT 1"));
            await(loan.giveBack());
            assertJdbcWorks(jdbc);
        }
    }

    @Test
    void takeOverIsRefusedOffTheLoopAndOnALoopThatIsNotNio() throws Exception {
        DefaultEventLoop local = new DefaultEventLoop();
        try (Connection jdbc = open()) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
            assertThatThrownBy(() -> loan.takeOver(loops.next(), borrower)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("must run on the event loop");
            assertThatThrownBy(() -> onLoop(local, () -> loan.takeOver(local, borrower)))
                    .isInstanceOf(LoanException.class).hasMessageContaining("not a NIO one");
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CONNECTOR_J);
            assertJdbcWorks(jdbc);
        } finally {
            local.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void giveBackWithBytesTheBorrowerDidNotConsumeClosesTheConnection() throws Exception {
        try (Connection jdbc = open()) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
            // Two statements sent, one answer followed: the second answer reaches the borrower unasked.
            CompletableFuture<List<Role>> answer = onLoop(loop, () -> {
                Channel channel = loan.takeOver(loop, borrower);
                channel.write(channel.alloc().buffer().writeBytes(LoanBorrower.comQuery("SELECT 2")));
                return borrower.query(channel, "SELECT 1");
            });
            assertSelectOne(await(answer));
            await(waitUntil(() -> onLoop(loop, () -> !borrower.consumedAll())));
            assertThatThrownBy(() -> await(loan.giveBack())).isInstanceOf(LoanException.class)
                    .hasMessageContaining("unconsumed");
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CLOSED);
            assertThat(backend.isClosedByServer()).isTrue();
            assertThat(jdbc.isValid(2)).isFalse();
        }
    }

    @Test
    void giveBackFromTheBorrowerWaitsUntilItHasBeenHandedAllItsBytes() throws Exception {
        try (Connection jdbc = open()) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            LoanBorrower first = new LoanBorrower(backend.sessionTrack());
            assertSelectOne(queryOnLoop(loan, loop, first, "SELECT 1"));
            long answerBytes = first.bytesReceived();
            await(loan.giveBack());
            // Two answers come in one read: the borrower gives back at the end of the first, from within received().
            CompletableFuture<Void> givenBack = new CompletableFuture<>();
            LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
            borrower.onAnswer(() -> loan.giveBack().whenComplete((v, e) -> complete(givenBack, e)));
            onLoop(loop, () -> {
                Channel channel = loan.takeOver(loop, borrower);
                channel.config().setAutoRead(false);
                borrower.query(channel, "SELECT 1");
                return channel.writeAndFlush(channel.alloc().buffer().writeBytes(LoanBorrower.comQuery("SELECT 1")));
            });
            var input = ((NativeSession) jdbc.unwrap(JdbcConnection.class).getSession()).getProtocol().getSocketConnection().getMysqlInput();
            await(waitUntil(() -> input.available() >= 2 * answerBytes));
            onLoop(loop, () -> loan.channel().config().setAutoRead(true));
            assertThatThrownBy(() -> await(givenBack)).isInstanceOf(LoanException.class).hasMessageContaining("unconsumed");
            assertThat(jdbc.isValid(2)).isFalse();
        }
    }

    @Test
    void giveBackWithBytesLeftInTheKernelClosesTheConnection() throws Exception {
        try (Connection jdbc = open()) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
            assertSelectOne(queryOnLoop(loan, loop, borrower, "SELECT 1"));
            // The borrower stops reading, then sends a statement whose answer nobody reads.
            onLoop(loop, () -> {
                Channel channel = loan.channel();
                channel.config().setAutoRead(false);
                return channel.writeAndFlush(channel.alloc().buffer().writeBytes(LoanBorrower.comQuery("SELECT 2")));
            });
            var input = ((NativeSession) jdbc.unwrap(JdbcConnection.class).getSession()).getProtocol().getSocketConnection().getMysqlInput();
            await(waitUntil(() -> input.available() > 0));
            assertThatThrownBy(() -> await(loan.giveBack())).isInstanceOf(LoanException.class)
                    .hasMessageContaining("bytes nobody read");
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CLOSED);
            assertThat(jdbc.isValid(2)).isFalse();
        }
    }

    @Test
    void connectorJCannotUseTheConnectionWhileItIsLent() throws Exception {
        try (Connection root = TestDatabase.root(); Statement admin = root.createStatement()) {
            admin.execute("CREATE TABLE IF NOT EXISTS app.loan_misuse (n INT)");
            admin.execute("DELETE FROM app.loan_misuse");
        }
        Connection jdbc = open();
        BackendConnection backend = BackendConnection.attach(jdbc);
        ChannelLoan loan = backend.loan();
        EventLoop loop = loops.next();
        LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
        assertSelectOne(queryOnLoop(loan, loop, borrower, "SELECT 1"));
        byte[] select = "\u0003SELECT 3".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> backend.sendCommand(select, select.length)).isInstanceOf(LoanException.class)
                .hasMessageContaining("lent to an event loop");
        assertThatThrownBy(backend::read).isInstanceOf(LoanException.class);
        // Answered from the loan while the loop has the socket: closing there would have made it CLOSED.
        assertThat(backend.isClosedByServer()).isFalse();
        // Packet methods refused, the loan goes on.
        assertManyRows(await(onLoop(loop, () -> borrower.query(loan.channel(), MANY_ROWS))));
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_SECONDS), () -> {
            // JDBC straight through Connector/J: the socket, non-blocking, refuses its blocking write before sending a
            // byte, and Connector/J closes its connection, which reaches the loop as the end of the stream.
            try (Statement s = jdbc.createStatement()) {
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO app.loan_misuse VALUES (1)")).isInstanceOf(SQLException.class);
            }
            await(borrower.closed);
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CLOSED);
            assertThat(loan.channel().isOpen()).isFalse();
            assertThatThrownBy(() -> await(loan.giveBack())).isInstanceOf(LoanException.class);
            jdbc.close();
        });
        try (Connection root = TestDatabase.root()) {
            assertThat(one(root, "SELECT COUNT(*) FROM app.loan_misuse")).isEqualTo("0");
        }
    }

    @Test
    void jdbcClosingALentConnectionReachesTheLoop() throws Exception {
        Connection jdbc = open();
        BackendConnection backend = BackendConnection.attach(jdbc);
        ChannelLoan loan = backend.loan();
        EventLoop loop = loops.next();
        LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
        assertSelectOne(queryOnLoop(loan, loop, borrower, "SELECT 1"));
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_SECONDS), () -> {
            // What Agroal does to every connection when the pool shuts down, lent or not.
            jdbc.close();
            await(borrower.closed);
            assertThat(loan.channel().isOpen()).isFalse();
        });
    }

    @Test
    void theLoanMovesBetweenEventLoops() throws Exception {
        EventLoop first = loops.next();
        EventLoop second = loops.next();
        assertThat(second).isNotSameAs(first);
        try (Connection jdbc = open()) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            for (int i = 0; i < 200; i++) {
                EventLoop loop = i % 2 == 0 ? first : second;
                List<Role> roles = queryOnLoop(loan, loop, new LoanBorrower(backend.sessionTrack()), i % 4 < 2 ? "SELECT 1" : MANY_ROWS);
                assertThat(loan.channel().eventLoop()).isSameAs(loop);
                assertThat(roles.getLast()).isEqualTo(Role.RESULT_END);
                await(loan.giveBack());
            }
            assertJdbcWorks(jdbc);
        }
    }

    /**
     * A socket resting on one loop moves to rest on another for a client there (ChannelLoan#moveTo), with no give-back
     * to Connector/J between: the take-over there needs no system call, the session carries on, and JDBC works after
     * the last give-back. Moving one that is lent (not resting) is refused, and leaves it usable.
     */
    @Test
    void aRestingSocketMovesToAnotherLoopWithoutGoingBackToConnectorJ() throws Exception {
        EventLoop first = loops.next();
        EventLoop second = loops.next();
        assertThat(second).isNotSameAs(first);
        try (Connection jdbc = open()) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            for (int i = 0; i < 100; i++) {
                EventLoop loop = i % 2 == 0 ? first : second;
                if (i > 0) {
                    await(loan.moveTo(loop));
                    assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.LOOP);
                    assertThat(onLoop(loop, () -> loan.on(loop) && loan.resting())).as("resting on the loop it moved to, move %d", i).isTrue();
                }
                List<Role> roles = queryThenRest(loan, loop, backend, i == 0 ? "SET @moved = 0" : i % 4 == 1 ? MANY_ROWS : "SELECT @moved := @moved + 1");
                assertThat(roles.getLast()).isEqualTo(i == 0 ? Role.OK : Role.RESULT_END);
            }
            EventLoop last = loan.channel().eventLoop();
            LoanBorrower lent = new LoanBorrower(backend.sessionTrack());
            onLoop(last, () -> loan.takeOver(last, lent));
            assertThatThrownBy(() -> await(loan.moveTo(last == first ? second : first))).isInstanceOf(LoanException.class).hasMessageContaining("lent");
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.LOOP);
            await(loan.giveBack());
            assertThat(one(jdbc, "SELECT @moved")).as("the session carried on through the moves").isEqualTo("74");
            assertJdbcWorks(jdbc);
        }
    }

    /** The server closing the connection while it rests: the move to another loop fails and the connection is closed. */
    @Test
    void aServerSideCloseWhileRestingFailsTheMove() throws Exception {
        Connection jdbc = open();
        BackendConnection backend = BackendConnection.attach(jdbc);
        ChannelLoan loan = backend.loan();
        EventLoop first = loops.next();
        EventLoop second = loops.next();
        restingAfterSelectOne(loan, first, backend);
        // Not seen by the resting loop first: the read that would see it runs only once the move has begun.
        onLoop(first, () -> {
            killOnServer(backend);
            Thread.sleep(200);
            return loan.moveTo(second);
        });
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_SECONDS), () -> {
            await(waitUntil(() -> loan.owner() == ChannelLoan.Owner.CLOSED));
            assertThatThrownBy(() -> queryOnLoop(loan, second, new LoanBorrower(backend.sessionTrack()), "SELECT 1"))
                    .isInstanceOf(LoanException.class);
            jdbc.close();
        });
    }

    /**
     * Between two commands of one client the socket may rest on the loop (a transaction): the next take-over there is
     * the same registered channel, with no system call, the rest ended at the answer's end with every byte consumed; a
     * give-back from another thread then returns it to Connector/J, with the session's state intact.
     */
    @Test
    void aSocketRestsOnItsLoopBetweenCommandsAndGoesBackWhenAsked() throws Exception {
        try (Connection jdbc = open()) {
            BackendConnection backend = BackendConnection.attach(jdbc);
            ChannelLoan loan = backend.loan();
            EventLoop loop = loops.next();
            io.netty.channel.Channel first = null;
            for (int i = 0; i < 50; i++) {
                List<Role> roles = queryThenRest(loan, loop, backend, i == 0 ? "SET @rest = 1" : i % 2 == 0 ? MANY_ROWS : "SELECT @rest := @rest + 1");
                assertThat(roles.getLast()).isEqualTo(i == 0 ? Role.OK : Role.RESULT_END);
                assertThat(onLoop(loop, loan::resting)).as("resting after command %d", i).isTrue();
                assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.LOOP);
                io.netty.channel.Channel channel = loan.channel();
                first = first == null ? channel : first;
                assertThat(channel).isSameAs(first);
                assertThat(channel.isRegistered()).isTrue();
            }
            await(loan.giveBack());
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CONNECTOR_J);
            assertThat(one(jdbc, "SELECT @rest")).as("the session carried on through the rests").isEqualTo("26");
            assertJdbcWorks(jdbc);
        }
    }

    /** The server closing the connection while it rests on the loop closes the channel; the next take-over is refused. */
    @Test
    void aServerSideCloseWhileRestingIsRefusedAtTheNextTakeOver() throws Exception {
        Connection jdbc = open();
        BackendConnection backend = BackendConnection.attach(jdbc);
        ChannelLoan loan = backend.loan();
        EventLoop loop = loops.next();
        LoanBorrower borrower = restingAfterSelectOne(loan, loop, backend);
        killOnServer(backend);
        await(waitUntil(() -> loan.owner() == ChannelLoan.Owner.CLOSED));
        assertThat(borrower.closed).as("the borrower that rested is not told: it is done").isNotDone();
        assertThatThrownBy(() -> queryOnLoop(loan, loop, new LoanBorrower(backend.sessionTrack()), "SELECT 1"))
                .isInstanceOf(LoanException.class).hasMessageContaining("CLOSED");
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_SECONDS), () -> {
            assertThatThrownBy(() -> await(loan.giveBack())).isInstanceOf(LoanException.class);
            assertThat(backend.isClosedByServer()).isTrue();
            jdbc.close();
        });
    }

    /**
     * The server closing the connection before its first take-over: the take-over is refused, and closing the
     * connection afterwards (the pool discarding it) completes. It threw, the channel never having been registered,
     * and the session doing so died without an answer to its client (AffinityTest hung in CI).
     */
    @Test
    void aServerSideCloseBeforeTheFirstTakeOverIsRefusedAndTheConnectionStillCloses() throws Exception {
        Connection jdbc = open();
        BackendConnection backend = BackendConnection.attach(jdbc);
        ChannelLoan loan = backend.loan();
        EventLoop loop = loops.next();
        killOnServer(backend);
        await(waitUntil(backend::isClosedByServer));
        assertThatThrownBy(() -> queryOnLoop(loan, loop, new LoanBorrower(backend.sessionTrack()), "SELECT 1"))
                .isInstanceOf(LoanException.class).hasMessageContaining("the server closed it");
        assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CLOSED);
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_SECONDS), () -> {
            await(loan.close());
            backend.abort();
            await(waitUntil(jdbc::isClosed));
        });
    }

    @Test
    void aServerSideCloseWhileLentReachesTheBorrowerAndNothingHangs() throws Exception {
        Connection jdbc = open();
        BackendConnection backend = BackendConnection.attach(jdbc);
        ChannelLoan loan = backend.loan();
        EventLoop loop = loops.next();
        LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
        assertSelectOne(queryOnLoop(loan, loop, borrower, "SELECT 1"));
        killOnServer(backend);
        await(borrower.closed);
        assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CLOSED);
        assertThat(loan.channel().isOpen()).isFalse();
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_SECONDS), () -> {
            assertThatThrownBy(() -> await(loan.giveBack())).isInstanceOf(LoanException.class).hasMessageContaining("CLOSED");
            assertThat(backend.isClosedByServer()).isTrue();
            assertThat(jdbc.isValid(1)).isFalse();
            jdbc.close();
        });
    }

    @Test
    void abortWhileLentClosesThroughTheLoopAndNothingHangs() throws Exception {
        Connection jdbc = open();
        BackendConnection backend = BackendConnection.attach(jdbc);
        ChannelLoan loan = backend.loan();
        EventLoop loop = loops.next();
        LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
        assertSelectOne(queryOnLoop(loan, loop, borrower, "SELECT 1"));
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_SECONDS), () -> {
            backend.abort();
            await(borrower.closed);
            assertThat(loan.channel().isOpen()).isFalse();
            await(waitUntil(jdbc::isClosed));
            jdbc.close();
        });
    }

    @Test
    void stoppingTheEventLoopWhileLentClosesTheChannel() throws Exception {
        NioEventLoopGroup stopping = new NioEventLoopGroup(1);
        Connection jdbc = open();
        BackendConnection backend = BackendConnection.attach(jdbc);
        ChannelLoan loan = backend.loan();
        EventLoop loop = stopping.next();
        LoanBorrower borrower = new LoanBorrower(backend.sessionTrack());
        assertSelectOne(queryOnLoop(loan, loop, borrower, "SELECT 1"));
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_SECONDS), () -> {
            // Sluice stopping: Vert.x closes its loops, and a loop closes every channel registered on it.
            stopping.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            await(borrower.closed);
            assertThat(loan.owner()).isEqualTo(ChannelLoan.Owner.CLOSED);
            assertThat(loan.channel().isOpen()).isFalse();
            assertThat(backend.isClosedByServer()).isTrue();
            jdbc.close();
        });
    }

    /** Polls {@code condition} every millisecond, for up to {@link #WAIT_SECONDS}. */
    static CompletableFuture<Void> waitUntil(Callable<Boolean> condition) {
        return CompletableFuture.runAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            try {
                while (!condition.call()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("condition not met in " + WAIT_SECONDS + " s");
                    }
                    Thread.sleep(1);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
