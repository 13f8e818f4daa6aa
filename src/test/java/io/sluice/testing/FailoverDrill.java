package io.sluice.testing;

import io.sluice.app.EmbeddedDatabase;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The failover drill, shared by the test and the bench: clients run autocommit point selects and short
 * transactions in a loop, through Sluice and straight to the database at the same time; the database is killed
 * hard and restarted; each side reports how many client connections were lost (and how many of those were
 * between transactions), how many statements failed, and how long after the database was back its first
 * statement succeeded.
 */
public final class FailoverDrill {

    public record Result(String side, int clients, long statements, int failedStatements, int connectionsLost,
            int lostBetweenTransactions, long resumeMillis) {
        @Override
        public String toString() {
            return String.format("%-8s clients=%d statements=%d failed=%d connections-lost=%d (between transactions: %d) resumed-after=%d ms",
                    side, clients, statements, failedStatements, connectionsLost, lostBetweenTransactions, resumeMillis);
        }
    }

    private FailoverDrill() {
    }

    /** Creates the drill's table (one row per client) through a direct root connection. */
    public static void prepare(EmbeddedDatabase db, int rows) throws SQLException {
        db.execute("CREATE TABLE IF NOT EXISTS app.failover (id INT PRIMARY KEY, n BIGINT NOT NULL) ENGINE=InnoDB", "DELETE FROM app.failover");
        StringBuilder insert = new StringBuilder("INSERT INTO app.failover VALUES ");
        for (int i = 0; i < rows; i++) {
            insert.append(i == 0 ? "" : ",").append("(").append(i).append(",0)");
        }
        db.execute(insert.toString());
    }

    /**
     * @param urls per side, the JDBC URL its clients connect to
     */
    public static Map<String, Result> run(Map<String, String> urls, int clientsPerSide, String user, String password,
            EmbeddedDatabase db, long beforeMillis, long outageMillis, long afterMillis) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong backAt = new AtomicLong(Long.MAX_VALUE);
        Map<String, Side> sides = new LinkedHashMap<>();
        List<Thread> threads = new ArrayList<>();
        int row = 0;
        for (var entry : urls.entrySet()) {
            Side side = new Side(entry.getKey());
            sides.put(entry.getKey(), side);
            for (int i = 0; i < clientsPerSide; i++) {
                int id = row++;
                threads.add(Thread.ofPlatform().start(() -> side.client(entry.getValue(), user, password, id, running, backAt)));
            }
        }
        Thread.sleep(beforeMillis);
        db.stop(true);
        Thread.sleep(outageMillis);
        db.restart();
        backAt.set(System.nanoTime());
        Thread.sleep(afterMillis);
        running.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
        Map<String, Result> results = new LinkedHashMap<>();
        sides.forEach((name, side) -> results.put(name, side.result(clientsPerSide, backAt.get())));
        return results;
    }

    private static final class Side {
        final String name;
        final AtomicLong statements = new AtomicLong();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger lost = new AtomicInteger();
        final AtomicInteger lostBetween = new AtomicInteger();
        final AtomicLong firstSuccessAfterBack = new AtomicLong(Long.MAX_VALUE);

        Side(String name) {
            this.name = name;
        }

        void client(String url, String user, String password, int id, AtomicBoolean running, AtomicLong backAt) {
            Connection c = null;
            long i = 0;
            while (running.get()) {
                boolean inTransaction = false;
                try {
                    if (c == null) {
                        c = DriverManager.getConnection(url, user, password);
                    }
                    if (i++ % 3 == 0) {
                        c.setAutoCommit(false);
                        inTransaction = true;
                        try (PreparedStatement ps = c.prepareStatement("UPDATE failover SET n = n + 1 WHERE id = ?")) {
                            ps.setInt(1, id);
                            ps.executeUpdate();
                        }
                        c.commit();
                        inTransaction = false;
                        c.setAutoCommit(true);
                    } else {
                        try (Statement s = c.createStatement()) {
                            s.executeQuery("SELECT n FROM failover WHERE id = " + id).close();
                        }
                    }
                    statements.incrementAndGet();
                    long now = System.nanoTime();
                    if (now >= backAt.get()) {
                        firstSuccessAfterBack.accumulateAndGet(now, Math::min);
                    }
                } catch (SQLException e) {
                    failed.incrementAndGet();
                    if (c != null && !alive(c)) {
                        lost.incrementAndGet();
                        if (!inTransaction) {
                            lostBetween.incrementAndGet();
                        }
                        close(c);
                        c = null;
                    } else if (c != null) {
                        try {
                            if (!c.getAutoCommit()) {
                                c.rollback();
                                c.setAutoCommit(true);
                            }
                        } catch (SQLException ignored) {
                            // judged on the next round
                        }
                    }
                    pause();
                }
            }
            close(c);
        }

        /** A connection the client may go on using: the driver has not given up on it. */
        private static boolean alive(Connection c) {
            try {
                return !c.isClosed() && c.isValid(2);
            } catch (SQLException e) {
                return false;
            }
        }

        private static void close(Connection c) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // already gone
                }
            }
        }

        private static void pause() {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        Result result(int clients, long backAt) {
            long resume = firstSuccessAfterBack.get() == Long.MAX_VALUE ? -1 : (firstSuccessAfterBack.get() - backAt) / 1_000_000;
            return new Result(name, clients, statements.get(), failed.get(), lost.get(), lostBetween.get(), resume);
        }
    }

    /**
     * The bench: a private database, the packaged Sluice in front of it, the drill, a report.
     * {@code java -cp ... io.sluice.testing.FailoverDrill [clients-per-side] [outage-seconds]}
     */
    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        long outage = (args.length > 1 ? Long.parseLong(args[1]) : 5) * 1000;
        try (EmbeddedDatabase db = EmbeddedDatabase.start(List.of())) {
            db.createUser("bench", "bench-pw");
            db.execute("CREATE DATABASE IF NOT EXISTS app");
            prepare(db, clients * 2);
            int port = SluiceTestResource.freePort();
            Process sluice = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dsluice.backend.host=127.0.0.1", "-Dsluice.backend.port=" + db.port(), "-Dsluice.listen.port=" + port,
                    "-Dquarkus.management.port=" + SluiceTestResource.freePort(), "-Dsluice.users.bench.password=bench-pw",
                    "-Dsluice.pool.borrow-timeout=30s", "-jar", "target/quarkus-app/quarkus-run.jar")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                long deadline = System.currentTimeMillis() + 30_000;
                while (true) {
                    try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED", "bench", "bench-pw")) {
                        break;
                    } catch (SQLException e) {
                        if (System.currentTimeMillis() > deadline) {
                            throw e;
                        }
                        Thread.sleep(200);
                    }
                }
                Map<String, String> urls = new LinkedHashMap<>();
                urls.put("direct", "jdbc:mysql://127.0.0.1:" + db.port() + "/app?sslMode=DISABLED&connectTimeout=2000");
                urls.put("sluice", "jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED&connectTimeout=2000");
                System.out.printf("Failover drill: %d clients per side, database killed (SIGKILL) for %d s, then restarted%n", clients, outage / 1000);
                run(urls, clients, "bench", "bench-pw", db, 3000, outage, 5000).values().forEach(System.out::println);
            } finally {
                sluice.destroy();
                sluice.waitFor();
            }
        }
    }
}
