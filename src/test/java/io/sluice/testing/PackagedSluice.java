package io.sluice.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged Sluice ({@code target/quarkus-app/quarkus-run.jar}) as its own process, in front of the test
 * database, on free ports: for what only a real process shows (signals, exit codes, its console output).
 */
public final class PackagedSluice implements AutoCloseable {
    static final Path RUNNER = Path.of("target/quarkus-app/quarkus-run.jar");

    public final Process process;
    public final int port;
    public final int managementPort;
    /** Everything the process printed, stdout and stderr. */
    public final Path output;

    private PackagedSluice(Process process, int port, int managementPort, Path output) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.output = output;
    }

    /** Starts it with the app user and these extra {@code -D} settings ({@code name=value}), and waits until it is ready. */
    public static PackagedSluice start(String... settings) throws Exception {
        return start(List.of(), settings);
    }

    /** The same, with options for its JVM (such as {@code -Xmx256m}). */
    public static PackagedSluice start(List<String> jvmOptions, String... settings) throws Exception {
        return start(TestDatabase.get(), jvmOptions, settings);
    }

    /**
     * Starts it in front of {@code database} (which has the app user), with these JVM options and extra settings,
     * and waits until it is ready.
     */
    public static PackagedSluice start(io.sluice.app.EmbeddedDatabase database, List<String> jvmOptions, String... settings) throws Exception {
        assertThat(RUNNER).as("the packaged application (mvn package)").exists();
        int port = SluiceTestResource.freePort();
        int management = SluiceTestResource.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-Dsluice.backend.host=127.0.0.1", "-Dsluice.backend.port=" + database.port(),
                "-Dsluice.listen.port=" + port, "-Dquarkus.management.port=" + management,
                "-Dsluice.users.app.password=" + TestDatabase.APP_PASSWORD));
        for (String setting : settings) {
            command.add("-D" + setting);
        }
        command.addAll(List.of("-jar", RUNNER.toString()));
        Path output = Files.createTempFile("sluice-it", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        PackagedSluice sluice = new PackagedSluice(process, port, management, output);
        long deadline = System.currentTimeMillis() + 30_000;
        while (sluice.readiness() != 200) {
            assertThat(process.isAlive()).as("Sluice died: %s", Files.readString(output)).isTrue();
            assertThat(System.currentTimeMillis()).as("Sluice ready in time: %s", Files.readString(output)).isLessThan(deadline);
            Thread.sleep(200);
        }
        return sluice;
    }

    /** The text of {@code /q/metrics} (Prometheus format), or "" when nothing answers. */
    public String metrics() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                    .timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    /** The HTTP status of {@code /q/health/ready}, or -1 when nothing answers. */
    public int readiness() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The body of a management endpoint ({@code /q/metrics}, {@code /q/health/ready}), or "" when nothing answers. */
    public String management(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    /** MySQL Connector/J to it, as the app user with this password, schema {@code app}. */
    public Connection connect(String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED", TestDatabase.APP_USER, password);
    }

    public Connection connect() throws SQLException {
        return connect(TestDatabase.APP_PASSWORD);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
