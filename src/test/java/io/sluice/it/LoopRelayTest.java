package io.sluice.it;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.app.SluiceServer;
import io.sluice.pool.BackendPool;
import io.sluice.protocol.ErrorCode;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Statements relayed on the client's event loop, with no thread (LoopRelay): a client that holds or parked its backend,
 * or is handed one by a client giving it back while it waits, is answered there, exactly as its own connection to the
 * database answers it (compared with a direct connection), through large results, long rows, slow readers, silent
 * backends and a pool too small for its clients. {@code sluice_queries_on_event_loop_total} shows which path served
 * each statement.
 */
@QuarkusTest
@TestProfile(LoopRelayTest.SmallPoolShortTimeouts.class)
class LoopRelayTest {
    static final int POOL = 3;

    public static class SmallPoolShortTimeouts implements QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("sluice.pool.max-size", Integer.toString(POOL), "sluice.pool.borrow-timeout", "30s",
                    "sluice.client.write-timeout", "3s", "sluice.backend.socket-timeout", "2s");
        }
    }

    @Inject
    SluiceServer sluice;
    @Inject
    MeterRegistry registry;

    @AfterEach
    void noBackendIsLeft() throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (sluice.pools().all().stream().mapToInt(BackendPool::borrowed).sum() > 0) {
            assertThat(System.currentTimeMillis()).as("backends given back").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private double onLoop() {
        return registry.get("sluice.queries.on.event.loop").functionCounter().count();
    }

    private static Connection throughSluice(String params) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port() + "/app?sslMode=DISABLED&allowPublicKeyRetrieval=true"
                + "&maxAllowedPacket=67108864" + (params.isEmpty() ? "" : "&" + params), TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
    }

    private static Connection direct(String params) throws SQLException {
        return TestDatabase.direct(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app", "maxAllowedPacket=67108864" + (params.isEmpty() ? "" : "&" + params));
    }

    /** What a client sees of a result: its columns, every value, its warnings; or the error. */
    private static List<String> seen(Statement s, String sql) {
        List<String> out = new ArrayList<>();
        try {
            boolean results = s.execute(sql);
            do {
                if (results) {
                    try (ResultSet rs = s.getResultSet()) {
                        seen(rs, out);
                    }
                } else {
                    out.add("updated " + s.getUpdateCount());
                }
                results = s.getMoreResults();
            } while (results || s.getUpdateCount() != -1);
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                out.add("warning " + w.getErrorCode() + " " + w.getMessage());
            }
        } catch (SQLException e) {
            out.add("error " + e.getErrorCode() + " " + e.getSQLState() + " " + e.getMessage());
        }
        return out;
    }

    private static void seen(ResultSet rs, List<String> out) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        StringBuilder columns = new StringBuilder("columns");
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.append(' ').append(md.getColumnLabel(i)).append(':').append(md.getColumnTypeName(i));
        }
        out.add(columns.toString());
        while (rs.next()) {
            StringBuilder row = new StringBuilder("row");
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String v = rs.getString(i);
                row.append(' ').append(v == null ? "NULL" : v.length() > 64 ? v.length() + " chars, hash " + v.hashCode() : v);
            }
            out.add(row.toString());
        }
    }

    @Test
    void aClientWithItsBackendIsAnsweredOnTheLoopAsByItsOwnConnection() throws Exception {
        List<String> statements = List.of(
                "SELECT 1, 'a', NULL, 2.5",
                "SELECT seq, REPEAT('r', seq % 100) FROM seq_1_to_3000",
                "SELECT CAST('x' AS INT)",
                "SELECT * FROM no_such_table",
                "SELECT REPEAT('z', 200000) AS wide, 'after'",
                "SELECT REPEAT('y', " + (0xffffff - 10) + ") AS one_packet, 'after'",
                "SELECT REPEAT('w', " + (0xffffff + 100) + ") AS two_packets, 'after'",
                "SELECT @@autocommit, @@sql_mode",
                "SET @@session.sql_mode = 'ANSI_QUOTES'",
                "SELECT \"quoted\" FROM DUAL",
                "DO 1");
        try (Connection sluiceSide = throughSluice(""); Connection directSide = direct("");
             Statement s = sluiceSide.createStatement(); Statement d = directSide.createStatement()) {
            seen(s, "SELECT 'warm-up: the first statement borrows, on the thread'");
            seen(d, "SELECT 'warm-up: the first statement borrows, on the thread'");
            for (String sql : statements) {
                // A command whose end needed the session's thread (after an error: whether a transaction is open) leaves
                // the thread to rest a moment later; a statement sent within that moment is served there.
                Thread.sleep(50);
                double before = onLoop();
                assertThat(seen(s, sql)).as(sql).isEqualTo(seen(d, sql));
                // Connector/J reads warnings with a SHOW WARNINGS of its own, relayed there too.
                assertThat(onLoop() - before).as("relayed on the event loop: " + sql).isGreaterThanOrEqualTo(1.0);
            }
        }
    }

    @Test
    void preparedStatementsAndTransactionsStayOnTheLoop() throws Exception {
        try (Connection sluiceSide = throughSluice("useServerPrepStmts=true&cachePrepStmts=true"); Connection directSide = direct("useServerPrepStmts=true&cachePrepStmts=true")) {
            for (Connection c : List.of(sluiceSide, directSide)) {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS loop_relay_" + (c == sluiceSide ? "s" : "d"));
                    s.execute("CREATE TABLE loop_relay_" + (c == sluiceSide ? "s" : "d") + " (id INT PRIMARY KEY, v VARCHAR(20))");
                }
            }
            List<List<String>> results = new ArrayList<>();
            double before = onLoop();
            for (Connection c : List.of(sluiceSide, directSide)) {
                String table = "loop_relay_" + (c == sluiceSide ? "s" : "d");
                List<String> out = new ArrayList<>();
                c.setAutoCommit(false);
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)");
                     PreparedStatement select = c.prepareStatement("SELECT v, id * 2 FROM " + table + " WHERE id = ?")) {
                    for (int i = 1; i <= 20; i++) {
                        insert.setInt(1, i);
                        insert.setString(2, "v" + i);
                        out.add("inserted " + insert.executeUpdate());
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    for (int i = 0; i <= 21; i++) {
                        select.setInt(1, i);
                        try (ResultSet rs = select.executeQuery()) {
                            seen(rs, out);
                        }
                    }
                }
                results.add(out);
            }
            assertThat(results.get(0)).isEqualTo(results.get(1));
            // 20 inserts, the commit, 22 selects, and what Connector/J sends for setAutoCommit, at least; the prepares
            // themselves go through the thread (and the prepared statements' ids are Sluice's).
            assertThat(onLoop() - before).as("commands relayed on the event loop").isGreaterThanOrEqualTo(43);
            try (Statement s = sluiceSide.createStatement()) {
                s.execute("DROP TABLE loop_relay_s");
                s.execute("DROP TABLE loop_relay_d");
            }
        }
    }

    /**
     * Inside a transaction the backend's socket rests on the client's loop between statements. A statement that needs
     * the session's thread (a prepare, a read-back of a user variable) takes it back there first, and the statements
     * after it return to the loop: the client sees what its own connection shows.
     */
    @Test
    void aTransactionMovesBetweenTheLoopAndTheThreadAsItsStatementsNeed() throws Exception {
        List<String> statements = List.of(
                "INSERT INTO loop_rest VALUES (1, 'one')",
                "SELECT * FROM loop_rest",
                "PREPARE p FROM 'SELECT v FROM loop_rest WHERE id = ?'",
                "SET @id = 1",
                "EXECUTE p USING @id",
                "SELECT @id + 1",
                "INSERT INTO loop_rest VALUES (2, 'two')",
                "SELECT COUNT(*), @@in_transaction FROM loop_rest",
                "DEALLOCATE PREPARE p",
                "UPDATE loop_rest SET v = 'uno' WHERE id = 1",
                "SELECT * FROM loop_rest ORDER BY id");
        List<List<String>> results = new ArrayList<>();
        double before = onLoop();
        for (boolean viaSluice : new boolean[] {true, false}) {
            try (Connection c = viaSluice ? throughSluice("") : direct(""); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS loop_rest");
                s.execute("CREATE TABLE loop_rest (id INT PRIMARY KEY, v VARCHAR(10))");
                s.execute("START TRANSACTION");
                List<String> out = new ArrayList<>();
                for (String sql : statements) {
                    out.addAll(seen(s, sql));
                }
                s.execute("COMMIT");
                out.addAll(seen(s, "SELECT * FROM loop_rest ORDER BY id"));
                results.add(out);
                if (viaSluice) {
                    assertThat(onLoop() - before).as("statements of the transaction relayed on the loop").isGreaterThanOrEqualTo(5);
                }
                s.execute("DROP TABLE loop_rest");
            }
        }
        assertThat(results.get(0)).isEqualTo(results.get(1));
    }

    /**
     * The server closes the connection (KILL CONNECTION) while its socket rests on the loop inside a client's
     * transaction: the client's next statement fails with a clear error and its session ends, as its own connection's
     * would (a later COMMIT must not "succeed" elsewhere). Nothing of the transaction survives, and others carry on.
     */
    @Test
    void aBackendClosedWhileItRestsOnTheLoopEndsItsTransactionAsOnItsOwnConnection() throws Exception {
        try (Connection c = throughSluice(""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS loop_killed");
            s.execute("CREATE TABLE loop_killed (id INT PRIMARY KEY)");
            s.execute("START TRANSACTION");
            s.execute("INSERT INTO loop_killed VALUES (1)");
            long backend;
            try (ResultSet rs = s.executeQuery("SELECT @@pseudo_thread_id")) {
                rs.next();
                backend = rs.getLong(1);
            }
            try (Connection root = TestDatabase.root(); Statement r = root.createStatement()) {
                r.execute("KILL CONNECTION " + backend);
            }
            Thread.sleep(200);
            assertThatThrownBy(() -> s.executeQuery("SELECT COUNT(*) FROM loop_killed"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getMessage()).containsIgnoringCase("lost connection"));
            assertThatThrownBy(() -> s.executeQuery("COMMIT")).as("the session ended with its transaction").isInstanceOf(SQLException.class);
        }
        try (Connection c = throughSluice(""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM loop_killed")) {
            rs.next();
            assertThat(rs.getInt(1)).as("rows of the transaction the server ended").isZero();
            s.execute("DROP TABLE loop_killed");
        }
    }

    /**
     * Between a client's statements in autocommit its backend is parked, and the socket rests on the client's loop. With
     * every other connection held in a transaction, seven clients share the last one, each taking it from the one before:
     * clients are spread over the event loops as they connect, so it moves from loop to loop (given back by the loop it
     * rested on, taken over by the next, with no thread). Each client gets its own answers, and no statement needs a
     * thread.
     */
    @Test
    void aParkedBackendRestingOnTheLoopPassesBetweenClientsOnOtherLoopsWithNoThread() throws Exception {
        List<Connection> holders = new ArrayList<>();
        List<Connection> clients = new ArrayList<>();
        List<Connection> directs = new ArrayList<>();
        try {
            for (int i = 0; i < POOL - 1; i++) {
                Connection h = throughSluice("");
                h.createStatement().execute("START TRANSACTION");
                holders.add(h);
            }
            for (int i = 0; i < 7; i++) {
                clients.add(throughSluice(""));
                directs.add(direct(""));
            }
            for (Connection c : clients) {
                seen(c.createStatement(), "SELECT 'first: may borrow on the thread'");
            }
            Thread.sleep(50);
            double before = onLoop();
            int statements = 0;
            for (int round = 0; round < 15; round++) {
                for (int i = 0; i < clients.size(); i++) {
                    String sql = "SELECT DATABASE(), " + round + ", " + i + ", seq FROM seq_1_to_3";
                    assertThat(seen(clients.get(i).createStatement(), sql)).as(sql).isEqualTo(seen(directs.get(i).createStatement(), sql));
                    statements++;
                }
            }
            assertThat(onLoop() - before).as("statements relayed on the event loop").isEqualTo(statements);
        } finally {
            for (Connection c : clients) {
                c.close();
            }
            for (Connection d : directs) {
                d.close();
            }
            for (Connection h : holders) {
                h.createStatement().execute("ROLLBACK");
                h.close();
            }
        }
    }

    /**
     * A client whose statement needs a borrow from Agroal (its backend went back there at the end of the affinity time,
     * so a permit is free): a virtual thread borrows, and the statement is still relayed on the loop. Before, the whole
     * statement went to the session's thread, through Connector/J, and with 32 clients on 20 connections each such
     * borrow brought the next one to a thread too (4-7 % of all statements).
     */
    @Test
    void aStatementWhoseBorrowTakesAThreadIsStillRelayedOnTheLoop() throws Exception {
        try (Connection c = throughSluice(""); Connection d = direct("")) {
            seen(c.createStatement(), "SELECT 'first: borrows'");
            for (int i = 0; i < 3; i++) {
                // Past the affinity time (250 ms by default): the backend goes back to Agroal, and the next statement borrows.
                Thread.sleep(800);
                double before = onLoop();
                String sql = "SELECT DATABASE(), @@autocommit, " + i;
                assertThat(seen(c.createStatement(), sql)).as(sql).isEqualTo(seen(d.createStatement(), sql));
                assertThat(onLoop() - before).as("relayed on the event loop after a borrow from Agroal: " + sql).isEqualTo(1.0);
            }
        }
    }

    /**
     * The server ends a connection parked between a client's statements while its socket rests on the loop (a restart, a
     * failover, wait_timeout): the client held nothing there, so its next statement is served on another backend, as
     * if that one had died idle in the pool.
     */
    @Test
    void aParkedBackendClosedWhileItRestsOnTheLoopIsReplacedUnseen() throws Exception {
        try (Connection c = throughSluice(""); Statement s = c.createStatement()) {
            seen(s, "SELECT 'first: borrows'");
            seen(s, "SELECT 'second: parked after it, resting on the loop'");
            try (Connection root = TestDatabase.root(); Statement r = root.createStatement()) {
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = r.executeQuery("SELECT id FROM information_schema.processlist WHERE user = '" + TestDatabase.APP_USER + "'")) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                assertThat(ids).as("backends of the app user").isNotEmpty();
                for (long id : ids) {
                    r.execute("KILL CONNECTION " + id);
                }
            }
            Thread.sleep(200);
            for (int i = 0; i < 3; i++) {
                assertThat(seen(s, "SELECT 'after the kill', " + i + ", seq FROM seq_1_to_2"))
                        .as("answered as if nothing happened").noneMatch(line -> line.startsWith("error"))
                        .contains("row after the kill " + i + " 1", "row after the kill " + i + " 2");
            }
        }
    }

    /** A client that leaves inside a transaction whose socket rests on the loop: rolled back, and the backend is freed. */
    @Test
    void aClientLeavingATransactionThatRestsOnTheLoopLeavesNothingBehind() throws Exception {
        try (Connection c = throughSluice(""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS loop_left");
            s.execute("CREATE TABLE loop_left (id INT PRIMARY KEY)");
        }
        double before = onLoop();
        try (Connection c = throughSluice(""); Statement s = c.createStatement()) {
            s.execute("START TRANSACTION");
            s.execute("INSERT INTO loop_left VALUES (1)");
            s.execute("INSERT INTO loop_left VALUES (2)");
        }
        assertThat(onLoop() - before).as("inserts relayed on the loop").isGreaterThanOrEqualTo(1);
        noBackendIsLeft();
        try (Connection c = direct(""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM loop_left")) {
            rs.next();
            assertThat(rs.getInt(1)).as("rows of the transaction the client left").isZero();
            s.execute("DROP TABLE loop_left");
        }
    }

    @Test
    void aSlowReaderOnTheLoopHoldsTheBackendBackThenIsCutOff() throws Exception {
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            c.socket().setReceiveBufferSize(4096);
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app").isOk()).isTrue();
            assertThat(c.query("DO 1").isOk()).isTrue();
            Thread.sleep(50);
            double before = onLoop();
            assertThat(c.query("SELECT REPEAT('x', 1000) FROM seq_1_to_2000000").isErr()).isFalse();
            assertThat(onLoop() - before).as("relayed on the event loop").isEqualTo(1.0);
            double clients = registry.get(io.sluice.observe.SluiceMetrics.CLIENT_CONNECTIONS).gauge().value();
            // Reads nothing more. After write-timeout (3 s) Sluice gives up on it, and closes the backend mid-answer.
            Thread.sleep(7000);
            assertThat(sluice.pools().all().stream().mapToInt(BackendPool::borrowed).sum()).as("backend still held").isZero();
            // Not read to its end here: what the kernels hold moves 4 KB a round trip.
            assertThat(registry.get(io.sluice.observe.SluiceMetrics.CLIENT_CONNECTIONS).gauge().value()).as("client connections").isEqualTo(clients - 1);
        }
        try (Connection c = throughSluice(""); ResultSet rs = c.createStatement().executeQuery("SELECT 'others fine'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("others fine");
        }
    }

    @Test
    void aSilentBackendOnTheLoopGivesAClearErrorAndTheClientCarriesOn() throws Exception {
        try (Connection c = throughSluice("")) {
            c.createStatement().execute("SELECT 'warm-up'");
            Thread.sleep(50);
            double before = onLoop();
            long start = System.nanoTime();
            assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT SLEEP(20)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(ErrorCode.ER_QUERY_ON_FOREIGN_DATA_SOURCE);
                        assertThat(e.getMessage()).contains("Lost connection to backend");
                    });
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1_500L, 10_000L);
            assertThat(onLoop() - before).as("relayed on the event loop").isEqualTo(1.0);
            try (ResultSet rs = c.createStatement().executeQuery("SELECT 'next statement'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("next statement");
            }
        }
    }

    /**
     * Clients of both CLIENT_FOUND_ROWS variants wait on their loops: the first in line is served first, whatever its
     * variant, rather than the connections passing among the others' for as long as they keep asking (it would be
     * served only at its borrow timeout, 30 s here).
     */
    @Test
    void theFirstClientWaitingIsServedFirstWhicheverItsVariant() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService busy = Executors.newFixedThreadPool(2 * POOL);
        try {
            List<Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < 2 * POOL; i++) {
                loops.add(busy.submit(() -> {
                    try (Connection c = throughSluice(""); Statement s = c.createStatement()) {
                        while (!stop.get()) {
                            s.execute("DO SLEEP(0.002)");
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(500);
            long start = System.nanoTime();
            try (Connection other = throughSluice("useAffectedRows=true"); Statement s = other.createStatement()) {
                for (int n = 0; n < 20; n++) {
                    try (ResultSet rs = s.executeQuery("SELECT " + n)) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getInt(1)).isEqualTo(n);
                    }
                }
            }
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms for the other variant's 20 statements").isLessThan(10_000);
            stop.set(true);
            for (Future<?> f : loops) {
                f.get();
            }
        } finally {
            stop.set(true);
            busy.shutdownNow();
        }
    }

    /**
     * More clients than connections: a client whose backend went to another waits for one on its loop, and the next client
     * to give one back hands it over (BackendPool.waitOnLoop). Every statement is answered, its own answer.
     */
    @Test
    void clientsWaitingOnTheLoopAreHandedTheBackendsOthersGiveBack() throws Exception {
        int clients = 4 * POOL;
        int statements = 200;
        double before = onLoop();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int client = i;
                done.add(pool.submit(() -> {
                    try (Connection c = throughSluice("useServerPrepStmts=true&cachePrepStmts=true");
                         PreparedStatement p = c.prepareStatement("SELECT ?, seq FROM seq_1_to_3")) {
                        int answered = 0;
                        for (int n = 0; n < statements; n++) {
                            p.setString(1, client + "/" + n);
                            try (ResultSet rs = p.executeQuery()) {
                                for (int row = 1; row <= 3; row++) {
                                    assertThat(rs.next()).isTrue();
                                    assertThat(rs.getString(1)).isEqualTo(client + "/" + n);
                                    assertThat(rs.getInt(2)).isEqualTo(row);
                                }
                                assertThat(rs.next()).isFalse();
                            }
                            answered++;
                        }
                        return answered;
                    }
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get()).isEqualTo(statements);
            }
        } finally {
            pool.shutdownNow();
        }
        // Most executes go on the loop: those that wait on a thread are the ones that found a connection free to open,
        // or threads waiting before them.
        assertThat(onLoop() - before).as("executes relayed on the event loop").isGreaterThan(clients * statements / 2.0);
    }

    /**
     * A thread waiting in the pool's fair queue does not send clients on the event loops to threads too: a loop client's
     * borrow that finds every connection out comes back at once and waits on its loop, and both get a connection as
     * others give theirs back. Before, it waited on a thread in the fair queue as well, where it kept every connection given back
     * going through Agroal and the next client to a thread: 32 clients on 20 connections spent a fifth more CPU per query.
     */
    @Test
    void aThreadInTheFairQueueDoesNotSendLoopClientsToThreads() throws Exception {
        List<Connection> holders = new ArrayList<>();
        List<io.sluice.pool.Lease> leases = new ArrayList<>();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < POOL; i++) {
                Connection c = throughSluice("");
                c.createStatement().execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                holders.add(c);
            }
            BackendPool pool = sluice.pools().all().stream().filter(p -> p.borrowed() == POOL).findFirst()
                    .orElseThrow(() -> new AssertionError("no pool has every connection out: " + sluice.pools().all().stream().map(p -> p.borrowed() + "/" + p.waiting()).toList()));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            Future<io.sluice.pool.Lease> queued = thread.submit(() -> pool.borrow(false, deadline));
            long until = System.currentTimeMillis() + 5_000;
            while (pool.waiting() == 0) {
                assertThat(System.currentTimeMillis()).as("a thread queued").isLessThan(until);
                Thread.sleep(10);
            }

            long asked = System.nanoTime();
            assertThat(pool.borrowIfFree(false, deadline)).as("a loop client's borrow with every connection out").isNull();
            assertThat((System.nanoTime() - asked) / 1_000_000).as("ms the loop client's borrow waited").isLessThan(1_000);

            java.util.concurrent.CompletableFuture<io.sluice.pool.Lease> handed = new java.util.concurrent.CompletableFuture<>();
            BackendPool.LoopWaiter waiter = new BackendPool.LoopWaiter(false, Runnable::run, deadline, handed::complete);
            assertThat(pool.waitOnLoop(waiter)).isNull();
            assertThat(waiter.queued()).as("the loop client waits on its loop, behind the thread").isTrue();

            holders.get(0).createStatement().execute("COMMIT");
            holders.get(1).createStatement().execute("COMMIT");
            leases.add(queued.get(10, java.util.concurrent.TimeUnit.SECONDS));
            io.sluice.pool.Lease second = handed.get(10, java.util.concurrent.TimeUnit.SECONDS);
            until = System.currentTimeMillis() + 5_000;
            while (second == null && System.currentTimeMillis() < until) {
                // Settled with none: a permit came free, and the client borrows on a thread (as LeaseHolder does); the
                // second connection may still be on its way back to Agroal.
                second = pool.borrowIfFree(false, deadline);
                Thread.sleep(second == null ? 10 : 0);
            }
            leases.add(second);
            assertThat(leases).as("the thread's and the loop client's").doesNotContainNull();
        } finally {
            for (io.sluice.pool.Lease lease : leases) {
                if (lease != null) {
                    lease.pool().release(lease, io.sluice.pool.Release.KEEP, "test done");
                }
            }
            for (Connection c : holders) {
                c.close();
            }
            thread.shutdownNow();
        }
    }
}
