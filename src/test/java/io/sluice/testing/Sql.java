package io.sluice.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The few JDBC steps tests repeat: connect to the Sluice under test as the app user, read one value. */
public final class Sql {
    private Sql() {
    }

    /** MySQL Connector/J to Sluice, schema {@code app}, plaintext, as the app user. */
    public static Connection connect() throws SQLException {
        return connect("");
    }

    /** The same with extra URL parameters ({@code a=b&c=d}). */
    public static Connection connect(String params) throws SQLException {
        return connectTo("app", params);
    }

    /** Connector/J to Sluice as the app user, naming {@code schema} at login, with extra URL parameters. */
    public static Connection connectTo(String schema, String params) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port() + "/" + schema + "?sslMode=DISABLED"
                + (params.isEmpty() ? "" : "&" + params), TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
    }

    /** The first column of the first row of a query's result. */
    public static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
