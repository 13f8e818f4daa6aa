package io.sluice.transparency;

import io.sluice.testing.TestDatabase;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Where a program connects: Sluice, or the backend Sluice fronts (the oracle). */
record Endpoint(String name, String host, int port) {

    Connection connect(String user, String schema, String parameters) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://" + host + ":" + port + "/" + (schema == null ? "" : schema) + "?" + parameters,
                user, password(user));
    }

    static String password(String user) {
        return user.equals(TestDatabase.OTHER_USER) ? TestDatabase.OTHER_PASSWORD : TestDatabase.APP_PASSWORD;
    }
}
