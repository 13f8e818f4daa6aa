package io.sluice.it;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.TestDatabase;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.sluice.testing.Sql.one;
import static io.sluice.testing.Sql.connect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many clients on few backends (transaction pooling, a pool of 10): every client must see exactly what a
 * dedicated connection would show it.
 */
@QuarkusTest
@TestProfile(MultiplexingTest.TenBackends.class)
class MultiplexingTest {
    static final int ACCOUNTS = 50;
    static final long INITIAL = 1000;

    public static class TenBackends implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-size", "10", "sluice.pool.borrow-timeout", "30s");
        }
    }

    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void accounts() throws SQLException {
        io.sluice.testing.TestSchema.ensure();
        try (Connection c = TestDatabase.root(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS app.accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB");
            s.execute("DELETE FROM app.accounts");
            StringBuilder insert = new StringBuilder("INSERT INTO app.accounts VALUES ");
            for (int i = 0; i < ACCOUNTS; i++) {
                insert.append(i == 0 ? "" : ",").append("(").append(i).append(",").append(INITIAL).append(")");
            }
            s.execute(insert.toString());
            s.execute("CREATE TABLE IF NOT EXISTS app.inserts (id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT NOT NULL)");
        }
    }

    static <T> List<T> runConcurrently(int clients, java.util.function.IntFunction<Callable<T>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Callable<T>> tasks = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                tasks.add(task.apply(i));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : pool.invokeAll(tasks)) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int backendConnections() throws SQLException {
        try (Connection root = TestDatabase.root()) {
            return Integer.parseInt(one(root, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'"));
        }
    }

    @Test
    void twoHundredClientsTransferMoneyOnTenBackendsAndNoMoneyIsCreatedOrLost() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger maxBackends = new AtomicInteger();
        AtomicLong wrongTotals = new AtomicLong();
        Thread watcher = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                try {
                    maxBackends.accumulateAndGet(backendConnections(), Math::max);
                    Thread.sleep(20);
                } catch (Exception e) {
                    return;
                }
            }
        });
        List<int[]> results = runConcurrently(200, n -> () -> {
            Random random = new Random(n);
            int committed = 0;
            int rolledBack = 0;
            try (Connection c = connect("")) {
                for (int round = 0; round < 10; round++) {
                    int from = random.nextInt(ACCOUNTS);
                    int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                    long amount = 1 + random.nextInt(20);
                    c.setAutoCommit(false);
                    try (PreparedStatement lock = c.prepareStatement("SELECT balance FROM accounts WHERE id IN (?, ?) ORDER BY id FOR UPDATE");
                         PreparedStatement move = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                        lock.setInt(1, Math.min(from, to));
                        lock.setInt(2, Math.max(from, to));
                        lock.executeQuery().close();
                        move.setLong(1, -amount);
                        move.setInt(2, from);
                        move.executeUpdate();
                        move.setLong(1, amount);
                        move.setInt(2, to);
                        move.executeUpdate();
                        if (random.nextInt(5) == 0) {
                            c.rollback();
                            rolledBack++;
                        } else {
                            c.commit();
                            committed++;
                        }
                    }
                    c.setAutoCommit(true);
                    // Between transactions, an autocommit read: it must never see half a transfer.
                    if (!one(c, "SELECT SUM(balance) FROM accounts").equals(Long.toString(ACCOUNTS * INITIAL))) {
                        wrongTotals.incrementAndGet();
                    }
                }
            }
            return new int[] {committed, rolledBack};
        });
        running.set(false);
        watcher.join();
        try (Connection c = connect("")) {
            assertThat(one(c, "SELECT SUM(balance) FROM accounts")).isEqualTo(Long.toString(ACCOUNTS * INITIAL));
        }
        assertThat(wrongTotals.get()).as("reads that saw uncommitted money").isZero();
        assertThat(results.stream().mapToInt(r -> r[0]).sum()).isGreaterThan(1000);
        assertThat(results.stream().mapToInt(r -> r[1]).sum()).isGreaterThan(100);
        assertThat(maxBackends.get()).as("backend connections the database saw").isBetween(1, 10);
    }

    @Test
    void eachClientsSessionStateFollowsItAcrossBackends() throws Exception {
        record Persona(String setup, String check, String expected) {
        }
        List<Persona> personas = List.of(
                new Persona("SET NAMES utf8mb4", "SELECT CONCAT(CONVERT(@@character_set_client USING utf8mb4), ' 🐟')", "utf8mb4 🐟"),
                new Persona("SET NAMES latin1", "SELECT CONCAT(@@character_set_client, ' ', @@collation_connection)", "latin1 latin1_swedish_ci"),
                new Persona("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci", "SELECT @@collation_connection", "utf8mb4_unicode_ci"),
                new Persona("SET time_zone = '+05:30'", "SELECT @@time_zone", "+05:30"),
                new Persona("SET sql_mode = 'ANSI_QUOTES'", "SELECT @@sql_mode", "ANSI_QUOTES"),
                new Persona("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", "SELECT @@" + io.sluice.testing.Backend.isolationVariable(), "READ-COMMITTED"),
                new Persona("USE other", "SELECT DATABASE()", "other"),
                new Persona("SET autocommit = 0", "SELECT @@autocommit", "0"),
                new Persona("SET sql_select_limit = 3, group_concat_max_len = 77", "SELECT CONCAT(@@sql_select_limit, '/', @@group_concat_max_len)", "3/77"));
        List<String> failures = runConcurrently(40, n -> () -> {
            Persona p = personas.get(n % personas.size());
            List<String> wrong = new ArrayList<>();
            try (Connection c = connect("")) {
                try (Statement s = c.createStatement()) {
                    s.execute(p.setup());
                }
                for (int i = 0; i < 40; i++) {
                    String seen = one(c, p.check());
                    if (!seen.equals(p.expected())) {
                        wrong.add(p.setup() + " -> " + seen);
                    }
                    if (p.setup().contains("autocommit")) {
                        c.createStatement().execute("COMMIT");
                    }
                    if (p.check().contains("🐟")) {
                        // A round trip of the emoji through a table, too.
                        try (PreparedStatement ps = c.prepareStatement("SELECT CAST(? AS CHAR CHARACTER SET utf8mb4)")) {
                            ps.setString(1, "🐟 " + n);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                if (!rs.getString(1).equals("🐟 " + n)) {
                                    wrong.add("emoji -> " + rs.getString(1));
                                }
                            }
                        }
                    }
                }
            }
            return String.join("; ", wrong);
        });
        assertThat(failures).allMatch(String::isEmpty, "no client saw another's state");
    }

    private double pins(String reason) {
        Counter c = registry.find("sluice.pins").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private double allPins() {
        return registry.find("sluice.pins").counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void eachPinningRulePinsAndTheReplayablePatternsDoNot() throws Exception {
        Map<String, String> triggers = new java.util.LinkedHashMap<>();
        triggers.put("CREATE TEMPORARY TABLE scratch (id INT)", "temporary-table");
        triggers.put("SELECT GET_LOCK('sluice-test', 0)", "named-lock");
        triggers.put("LOCK TABLES accounts READ", "lock-tables");
        triggers.put("PREPARE stmt FROM 'SELECT 1'", "text-prepared-statement");
        triggers.put("XA START 'sluice'", "xa-transaction");
        triggers.put("HANDLER accounts OPEN", "handler");
        triggers.put("CALL app.two_results(1)", "stored-procedure");
        for (var trigger : triggers.entrySet()) {
            double before = pins(trigger.getValue());
            try (Connection c = connect("")) {
                String backendBefore = one(c, "SELECT CONNECTION_ID()");
                try (Statement s = c.createStatement()) {
                    s.execute(trigger.getKey());
                }
                assertThat(pins(trigger.getValue())).as(trigger.getKey()).isEqualTo(before + 1);
                // Pinned: the client stays on the backend it was on, whatever others do meanwhile.
                String backendAfter = one(c, "SELECT CONNECTION_ID()");
                try (Connection other = connect("")) {
                    one(other, "SELECT 1");
                }
                assertThat(one(c, "SELECT CONNECTION_ID()")).as(trigger.getKey()).isEqualTo(backendAfter);
                if (trigger.getValue().equals("xa-transaction")) {
                    c.createStatement().execute("XA END 'sluice'");
                    c.createStatement().execute("XA ROLLBACK 'sluice'");
                }
                assertThat(backendBefore).isNotNull();
            }
        }
        double before = allPins();
        try (Connection c = connect("useServerPrepStmts=true")) {
            for (String replayable : List.of("SET NAMES utf8mb4", "SET time_zone = '+01:00'", "SET sql_mode = 'TRADITIONAL'",
                    "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE", "USE other", "USE app", "SET autocommit = 1",
                    "SET foreign_key_checks = 0, unique_checks = 0", "SET max_statement_time = 10", "SET wait_timeout = 300",
                    "SELECT LAST_INSERT_ID()", "SELECT CONNECTION_ID()", "SELECT @@session.time_zone",
                    // User variables are read back and set again on the next backend; ROW_COUNT() and FOUND_ROWS() restored.
                    "SET @balance = 5", "SELECT 1 INTO @one", "SELECT @balance, @one", "SELECT ROW_COUNT()", "SELECT FOUND_ROWS()",
                    "SELECT SQL_CALC_FOUND_ROWS id FROM accounts LIMIT 1")) {
                c.createStatement().execute(replayable);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT ? + 1")) {
                ps.setInt(1, 1);
                ps.executeQuery().close();
            }
        }
        assertThat(allPins()).as("pins from replayable patterns").isEqualTo(before);
    }

    @Test
    void preparedStatementsRunOnManyBackendsWithoutPinning() throws Exception {
        Set<String> backends = ConcurrentHashMap.newKeySet();
        double pinsBefore = allPins();
        double preparedBefore = registry.find("sluice.prepared.statements").counters().stream().mapToDouble(Counter::count).sum();
        List<Integer> counts = runConcurrently(20, n -> () -> {
            int ok = 0;
            try (Connection c = connect("useServerPrepStmts=true&cachePrepStmts=true");
                 PreparedStatement ps = c.prepareStatement("SELECT ? * 2, CONNECTION_ID(), ?")) {
                for (int i = 0; i < 50; i++) {
                    ps.setInt(1, n * 1000 + i);
                    ps.setString(2, "client " + n);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == (n * 1000L + i) * 2 && rs.getString(3).equals("client " + n)) {
                            ok++;
                        }
                        backends.add(rs.getString(2));
                    }
                }
            }
            return ok;
        });
        assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1000);
        assertThat(backends).as("backends the statements ran on").hasSizeGreaterThanOrEqualTo(3);
        assertThat(allPins()).isEqualTo(pinsBefore);
        double prepared = registry.find("sluice.prepared.statements").counters().stream().mapToDouble(Counter::count).sum();
        assertThat(prepared - preparedBefore).as("one client prepare each").isEqualTo(20);
    }

    @Test
    void lastInsertIdIsEachClientsOwnUnderConcurrency() throws Exception {
        List<String> errors = runConcurrently(50, n -> () -> {
            List<String> wrong = new ArrayList<>();
            try (Connection c = connect("")) {
                for (int i = 0; i < 20; i++) {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO inserts (client) VALUES (" + n + ")", Statement.RETURN_GENERATED_KEYS);
                        long generated;
                        try (ResultSet keys = s.getGeneratedKeys()) {
                            keys.next();
                            generated = keys.getLong(1);
                        }
                        // Another statement, likely on another backend, where others inserted meanwhile.
                        String seen = one(c, "SELECT LAST_INSERT_ID()");
                        String owner = one(c, "SELECT client FROM inserts WHERE id = LAST_INSERT_ID()");
                        if (!seen.equals(Long.toString(generated)) || !owner.equals(Integer.toString(n))) {
                            wrong.add(generated + " vs " + seen + " owned by " + owner);
                        }
                    }
                }
            }
            return String.join(", ", wrong);
        });
        assertThat(errors).allMatch(String::isEmpty);
    }

    @Test
    void transactionCharacteristicsStayWithTheNextTransaction() throws Exception {
        try (Connection c = connect(""); Connection other = connect("")) {
            c.createStatement().execute("SET TRANSACTION READ ONLY");
            // Others use the pool in between.
            one(other, "SELECT 1");
            c.createStatement().execute("START TRANSACTION");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.createStatement().execute("UPDATE accounts SET balance = balance WHERE id = 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1792));
            c.createStatement().execute("COMMIT");
            assertThat(c.createStatement().executeUpdate("UPDATE accounts SET balance = balance WHERE id = 1")).isEqualTo(1);
        }
    }
}
