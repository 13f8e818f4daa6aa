package io.sluice.transparency;

import java.util.List;

/**
 * One thing a program does on its connection. Every step leaves observations: what the client saw (rows,
 * column types, update counts, errors), rendered as text for comparison. SQL is written with placeholders
 * ({@link Namespace#render}) so that the same program runs in either namespace.
 */
sealed interface Step {

    /** How the step reads in a printed program. */
    String text();

    /** A statement run with {@code Statement.execute} (text protocol), every result of it observed. */
    record Sql(String sql) implements Step {
        @Override
        public String text() {
            return sql;
        }
    }

    /** {@code prepareStatement} into a slot: a server-side prepare when the program uses useServerPrepStmts. */
    record Prepare(int slot, String sql) implements Step {
        @Override
        public String text() {
            return "prepare #" + slot + ": " + sql;
        }
    }

    /** Executes the statement in a slot with these parameters (Long, String, BigDecimal, Double, byte[] or null). */
    record Execute(int slot, List<Object> parameters) implements Step {
        @Override
        public String text() {
            return "execute #" + slot + " " + parameters.stream().map(Step::show).toList();
        }
    }

    record ClosePrepared(int slot) implements Step {
        @Override
        public String text() {
            return "close #" + slot;
        }
    }

    /** A JDBC call that sends something of its own (autocommit, commit, catalog, isolation, read only, warnings). */
    record Jdbc(Call call, String argument) implements Step {
        enum Call { AUTOCOMMIT, COMMIT, ROLLBACK, CATALOG, ISOLATION, READ_ONLY, WARNINGS }

        @Override
        public String text() {
            return "jdbc " + call.name().toLowerCase(java.util.Locale.ROOT) + (argument == null ? "" : "(" + argument + ")");
        }
    }

    /** COM_RESET_CONNECTION (Connector/J's resetServerState). */
    record ResetConnection() implements Step {
        @Override
        public String text() {
            return "COM_RESET_CONNECTION";
        }
    }

    /** COM_CHANGE_USER to the test user of that name. */
    record ChangeUser(String user) implements Step {
        @Override
        public String text() {
            return "COM_CHANGE_USER " + user;
        }
    }

    /** Closes the connection (gracefully, or by dropping the socket), maybe mid-transaction, and connects again. */
    record Reconnect(boolean abrupt) implements Step {
        @Override
        public String text() {
            return abrupt ? "drop the socket and reconnect" : "disconnect and reconnect";
        }
    }

    /**
     * Runs a long statement and kills it with KILL QUERY from a second connection, using the id the
     * connection's handshake gave (as Connector/J's Statement.cancel does), until it stops.
     */
    record KillRunningQuery() implements Step {
        @Override
        public String text() {
            return "SELECT SLEEP(30) -- killed by KILL QUERY <id> from another connection";
        }
    }

    /** A KILL naming the connection's own handshake id, sent on the connection itself. */
    record KillSelf(boolean connection) implements Step {
        @Override
        public String text() {
            return connection ? "KILL <own id>" : "KILL QUERY <own id>";
        }
    }

    static String show(Object value) {
        if (value instanceof byte[] b) {
            return "0x" + java.util.HexFormat.of().formatHex(b);
        }
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        return String.valueOf(value);
    }
}
