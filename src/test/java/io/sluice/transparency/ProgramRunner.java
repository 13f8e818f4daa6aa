package io.sluice.transparency;

import io.sluice.testing.TestDatabase;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a program on one endpoint and records what it observed: one list of observations per step, then the
 * contents of the program's tables once it has disconnected (what it committed).
 */
final class ProgramRunner {
    private final Program program;
    private final Endpoint endpoint;
    private final Endpoint backend;
    private final Namespace ns;
    private final int worker;
    private Connection connection;
    private String user = TestDatabase.APP_USER;
    private final Map<Integer, PreparedStatement> prepared = new HashMap<>();
    private Statement last;

    /**
     * @param endpoint where the program connects
     * @param backend  the database itself, for preparing the program's tables and reading them afterwards
     */
    /** Held while a program with a KILL step opens its connections (see {@link #run()}). */
    private static final Object OPENING_WITH_KILLER = new Object();
    /**
     * The other connections of a program with a KILL step, from which the KILL QUERY is sent: one per user the
     * program is ever logged in as, since a user without the privilege to kill others' statements kills its own.
     */
    private final java.util.Map<String, Connection> killers = new java.util.HashMap<>();

    ProgramRunner(Program program, Endpoint endpoint, Endpoint backend, Namespace ns, int worker) {
        this.program = program;
        this.endpoint = endpoint;
        this.backend = backend;
        this.ns = ns;
        this.worker = worker;
    }

    /** The observations of each step, and a last entry with the tables' contents afterwards. */
    List<List<String>> run() throws SQLException {
        Fixture.resetWorkerTables(backend, ns, worker);
        List<List<String>> observed = new ArrayList<>();
        try {
            if (program.steps().stream().anyMatch(Step.KillRunningQuery.class::isInstance)) {
                // The killers are connected with the program, never inside it: connecting through Sluice may need
                // a backend (Connector/J's first queries; in session mode the connection's own), and a program that
                // waits for one while it holds another (pinned, in a transaction, or in session mode) could wait on
                // programs doing the same. Opening all connections of such a program, one program at a time, before
                // it holds anything rules that out.
                synchronized (OPENING_WITH_KILLER) {
                    connection = open();
                    for (String killerUser : usersOf(program)) {
                        killers.put(killerUser, endpoint.connect(killerUser, null, "sslMode=DISABLED&allowPublicKeyRetrieval=true"));
                    }
                }
            } else {
                connection = open();
            }
            for (Step step : program.steps()) {
                List<String> out = new ArrayList<>();
                Observer observer = new Observer(out, ns);
                try {
                    run(step, observer);
                } catch (SQLException e) {
                    observer.error(e);
                }
                observed.add(out);
            }
        } catch (SQLException e) {
            observed.add(List.of("connect failed: " + e.getErrorCode() + " " + e.getMessage()));
            if (endpoint.name().equals("sluice")) {
                ThreadDump.onceFor("a program that could not connect through Sluice");
            }
        } finally {
            close();
            killers.values().forEach(k -> quietly(k::close));
            killers.clear();
        }
        List<String> tables = new ArrayList<>();
        Fixture.readWorkerTables(backend, ns, worker, new Observer(tables, ns));
        observed.add(tables);
        return observed;
    }

    private Connection open() throws SQLException {
        String schema = program.loginSchema() == 0 ? null : program.loginSchema() == 1 ? ns.schema1() : ns.schema2();
        return endpoint.connect(user, schema, program.urlParameters());
    }

    /** The users a program is logged in as: the one it connects as, and any it changes to. */
    private static java.util.Set<String> usersOf(Program program) {
        java.util.Set<String> users = new java.util.LinkedHashSet<>();
        users.add(TestDatabase.APP_USER);
        program.steps().stream().filter(Step.ChangeUser.class::isInstance).map(s -> ((Step.ChangeUser) s).user()).forEach(users::add);
        return users;
    }

    private void close() {
        for (PreparedStatement ps : prepared.values()) {
            quietly(ps::close);
        }
        prepared.clear();
        if (last != null) {
            quietly(last::close);
            last = null;
        }
        if (connection != null) {
            quietly(connection::close);
        }
    }

    private void run(Step step, Observer out) throws SQLException {
        switch (step) {
            case Step.Sql s -> sql(ns.render(s.sql(), worker), out);
            case Step.Prepare p -> {
                PreparedStatement old = prepared.remove(p.slot());
                if (old != null) {
                    old.close();
                }
                PreparedStatement ps = connection.prepareStatement(ns.render(p.sql(), worker), Statement.RETURN_GENERATED_KEYS);
                prepared.put(p.slot(), ps);
                out.metadata(ps);
            }
            case Step.Execute e -> execute(e, out);
            case Step.ClosePrepared c -> {
                PreparedStatement ps = prepared.remove(c.slot());
                if (ps != null) {
                    ps.close();
                }
                out.add("closed");
            }
            case Step.Jdbc j -> jdbc(j, out);
            case Step.ResetConnection r -> {
                connection.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).resetServerState();
                out.add("reset");
            }
            case Step.ChangeUser c -> {
                connection.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).changeUser(c.user(), Endpoint.password(c.user()));
                user = c.user();
                out.add("changed user");
            }
            case Step.Reconnect r -> {
                long oldId = connection.unwrap(com.mysql.cj.MysqlConnection.class).getId();
                if (r.abrupt()) {
                    connection.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).abortInternal();
                }
                String oldUser = user;
                close();
                if (!r.abrupt() && endpoint.equals(backend)) {
                    awaitEnded(oldId, oldUser);
                }
                prepared.clear();
                user = TestDatabase.APP_USER;
                connection = open();
                out.add("reconnected");
            }
            case Step.KillRunningQuery k -> killRunningQuery(out);
            case Step.KillSelf k -> {
                long id = connection.unwrap(com.mysql.cj.MysqlConnection.class).getId();
                sql((k.connection() ? "KILL " : "KILL QUERY ") + id, out);
            }
        }
    }

    /**
     * Directly, the server ends a connection a moment after its client closed it, and until then what it held (a named
     * lock, say) is still held: on a loaded machine the next connection's statements saw the lock taken (program 271 of
     * seed 20261205, in CI). The client's own view is that the disconnect is done, so the oracle waits until it is.
     */
    private void awaitEnded(long id, String asUser) throws SQLException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        try (Connection c = backend.connect(asUser, null, "sslMode=DISABLED&allowPublicKeyRetrieval=true");
             PreparedStatement gone = c.prepareStatement("SELECT COUNT(*) FROM information_schema.processlist WHERE id = ?")) {
            gone.setLong(1, id);
            while (System.nanoTime() < deadline) {
                try (java.sql.ResultSet rs = gone.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                Thread.onSpinWait();
            }
        }
    }

    private void sql(String sql, Observer out) throws SQLException {
        if (last != null) {
            last.close();
        }
        last = connection.createStatement();
        out.results(last, last.execute(sql));
    }

    private void execute(Step.Execute e, Observer out) throws SQLException {
        PreparedStatement ps = prepared.get(e.slot());
        if (ps == null) {
            out.add("no statement in slot " + e.slot());
            return;
        }
        List<Object> parameters = e.parameters();
        int count = ps.getParameterMetaData().getParameterCount();
        for (int i = 0; i < count; i++) {
            Object v = i < parameters.size() ? parameters.get(i) : null;
            switch (v) {
                case null -> ps.setNull(i + 1, java.sql.Types.VARCHAR);
                case Long l -> ps.setLong(i + 1, l);
                case BigDecimal d -> ps.setBigDecimal(i + 1, d);
                case Double d -> ps.setDouble(i + 1, d);
                case byte[] b -> ps.setBytes(i + 1, b);
                default -> ps.setString(i + 1, v.toString());
            }
        }
        out.results(ps, ps.execute());
        try (var keys = ps.getGeneratedKeys()) {
            if (keys != null && keys.next()) {
                out.add("generated key " + keys.getString(1));
            }
        }
    }

    private void jdbc(Step.Jdbc j, Observer out) throws SQLException {
        switch (j.call()) {
            case AUTOCOMMIT -> connection.setAutoCommit(Boolean.parseBoolean(j.argument()));
            case COMMIT -> connection.commit();
            case ROLLBACK -> connection.rollback();
            case CATALOG -> connection.setCatalog(ns.render(j.argument(), worker));
            case ISOLATION -> connection.setTransactionIsolation(Integer.parseInt(j.argument()));
            case READ_ONLY -> connection.setReadOnly(Boolean.parseBoolean(j.argument()));
            case WARNINGS -> {
                out.warnings(last == null ? null : last.getWarnings());
                return;
            }
        }
        out.add("ok");
    }

    /**
     * A long statement, killed from a second connection with KILL QUERY and the id of the first: sent again
     * every few milliseconds until the statement returns, since a kill that arrives before the statement
     * reaches the server (through Sluice: while it waits for a backend) has nothing to stop yet.
     */
    /** ER_QUERY_INTERRUPTED. */
    private static final int ER_QUERY_INTERRUPTED = 1317;

    private void killRunningQuery(Observer out) throws SQLException {
        long id = connection.unwrap(com.mysql.cj.MysqlConnection.class).getId();
        // From a session of the victim's own user, as a user without the privilege to kill others' statements sends it.
        Connection killerConnection = killers.get(user);
        AtomicBoolean done = new AtomicBoolean();
        Thread killer = Thread.ofVirtual().start(() -> {
            try (Statement s = killerConnection.createStatement()) {
                while (!done.get()) {
                    Thread.sleep(20);
                    if (!done.get()) {
                        try {
                            s.execute("KILL QUERY " + id);
                        } catch (SQLException ignored) {
                            // Sent again in a moment.
                        }
                    }
                }
            } catch (Exception ignored) {
                // The statement's own outcome is what the program observes.
            }
        });
        try {
            if (last != null) {
                last.close();
            }
            last = connection.createStatement();
            // A KILL QUERY that lands while SLEEP sleeps makes it answer 1 without an error; one that lands at
            // another point of the statement gives ERR 1317. Which one is the server's timing, not Sluice's, and
            // to the client both say the same: the statement was stopped.
            try (var rs = last.executeQuery("SELECT SLEEP(30)")) {
                out.add(rs.next() && rs.getInt(1) == 1 ? "statement stopped" : "statement ran to its end");
            } catch (SQLException e) {
                if (e.getErrorCode() != ER_QUERY_INTERRUPTED) {
                    throw e;
                }
                out.add("statement stopped");
            }
        } finally {
            done.set(true);
            try {
                killer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Where the KILL landed also decides FOUND_ROWS(), ROW_COUNT() and the warnings the next step may read (a
        // row of 1, or an error): one more statement on both sides leaves them the same. It reads a (empty) table,
        // since MariaDB keeps an error's condition through a statement that reads none (SELECT 1 kept ERR 1317's,
        // and a run under load read a warning count of 1 through Sluice where the KILL had landed in SLEEP directly).
        try (var rs = last.executeQuery("SELECT 1 FROM JSON_TABLE('[]', '$[*]' COLUMNS (x INT PATH '$')) AS settled")) {
            rs.next();
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void quietly(Action a) {
        try {
            a.run();
        } catch (Exception ignored) {
            // Closing after a failure: nothing more to observe.
        }
    }
}
