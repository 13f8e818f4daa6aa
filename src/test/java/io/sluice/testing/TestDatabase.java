package io.sluice.testing;

import io.sluice.app.EmbeddedDatabase;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

/**
 * The one real MariaDB server of a test run, started on first use and stopped when the JVM exits.
 * Users: {@code app} and {@code other}, each with a schema of its own name.
 */
public final class TestDatabase {
    public static final String APP_USER = "app";
    public static final String APP_PASSWORD = "app-s3cret!";
    public static final String OTHER_USER = "other";
    public static final String OTHER_PASSWORD = "other-pw";

    private static EmbeddedDatabase db;

    private TestDatabase() {
    }

    public static synchronized EmbeddedDatabase get() {
        if (db == null) {
            try {
                // No thread cache: MariaDB 10.11 hands a new connection the server thread of a closed one with its
                // warning count (of conditions counted but not stored, max_error_count = 0), so that a direct
                // connection would not always start as a connection of its own (DiagnosticsAcrossClientsTest turns
                // the cache on to show that Sluice's new backend connections do).
                db = EmbeddedDatabase.start(List.of("--local-infile=1", "--thread-cache-size=0"));
                db.createUser(APP_USER, APP_PASSWORD);
                db.createUser(OTHER_USER, OTHER_PASSWORD);
                EmbeddedDatabase started = db;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (Exception ignored) {
                        // JVM is exiting
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the test database", e);
            }
        }
        return db;
    }

    /** A Connector/J connection straight to the database, bypassing Sluice. */
    public static Connection direct(String user, String password, String schema, String extraParams) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + get().port() + "/" + (schema == null ? "" : schema)
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true" + (extraParams.isEmpty() ? "" : "&" + extraParams), user, password);
    }

    public static Connection root() throws SQLException {
        return direct("root", "", null, "");
    }
}
