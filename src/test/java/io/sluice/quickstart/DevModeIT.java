package io.sluice.quickstart;

import io.sluice.testing.ExternalProcess;
import io.sluice.testing.ExternalProcess.Result;
import io.sluice.testing.SluiceTestResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command as someone trying Sluice runs it: {@code ./mvnw quarkus:dev} without JAVA_HOME (so on a
 * machine whose default Java is older, the wrapper has to find the JDK itself), then the command it prints, with the
 * mariadb client, and a query through Sluice to the MariaDB dev mode starts. Dev mode is started by Maven exactly as
 * a user starts it (its own JVM, Quarkus's dev-mode class loaders and agent), which a test inside this JVM could not
 * show: here the test classpath holds every class, and Connector/J finding Sluice's socket factory proved nothing.
 * It runs in a copy of the project, so that it compiles and writes into a {@code target} of its own, and is stopped
 * as an IDE stops it, with SIGTERM to its JVM, after which Maven, Sluice and the database must all be gone.
 */
class DevModeIT {
    /** Dev mode compiles Sluice first; on a busy two-core machine compiling and starting take minutes. */
    private static final Duration START = Duration.ofMinutes(10);
    private static final Duration STOP = Duration.ofSeconds(60);
    /** The password application.properties gives the {@code app} user in dev mode (the README tells users so). */
    private static final String DEV_PASSWORD = "app";

    @TempDir
    Path project;

    @Test
    void quarkusDevServesTheConnectCommandItPrintsAndStopsOnSigterm() throws Exception {
        copyProject(Path.of("").toAbsolutePath(), project);
        int port = SluiceTestResource.freePort();
        Path log = project.resolve("dev-mode.log");
        ProcessBuilder builder = new ProcessBuilder(List.of("./mvnw", "-B", "quarkus:dev", "-Ddebug=false",
                "-Dquarkus.analytics.disabled=true", "-Dquarkus.test.continuous-testing=disabled",
                "-Dsluice.listen.port=" + port, "-Dquarkus.management.port=" + SluiceTestResource.freePort()))
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("JAVA_HOME");
        Process maven = builder.start();
        List<ProcessHandle> started = new ArrayList<>();
        try {
            String connect = awaitLine(log, "Connect with: ", maven);
            assertThat(connect).contains("mysql -h 127.0.0.1 -P " + port + " -u app -p");

            Result r = ExternalProcess.run(List.of(ExternalProcess.require("mariadb", "apt-get install mariadb-client"),
                    "--protocol=tcp", "-h", "127.0.0.1", "-P", Integer.toString(port), "-u", "app", "--batch",
                    "-e", "SELECT 6 * 7 AS answer, VERSION() LIKE '%MariaDB%' AS embedded_mariadb"),
                    Map.of("MYSQL_PWD", DEV_PASSWORD), null, 60);
            assertThat(r.stderr()).as("dev mode's output:%n%s", Files.readString(log)).isEmpty();
            assertThat(r.stdout()).isEqualTo("answer\tembedded_mariadb\n42\t1\n");

            started.add(maven.toHandle());
            started.addAll(maven.descendants().toList());
            ProcessHandle devModeJvm = maven.children().findFirst().orElseThrow();
            assertThat(devModeJvm.destroy()).isTrue(); // SIGTERM
            assertThat(maven.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).as("Maven ends with dev mode").isTrue();
            long deadline = System.nanoTime() + STOP.toNanos();
            while (started.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(started.stream().filter(ProcessHandle::isAlive).map(p -> p.info().commandLine().orElse("?")))
                    .as("processes dev mode left behind").isEmpty();
        } finally {
            maven.descendants().forEach(ProcessHandle::destroyForcibly);
            maven.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** What a user has after cloning: the build, the wrapper and the application's sources (not its tests). */
    private static void copyProject(Path from, Path to) throws IOException {
        for (String file : List.of("pom.xml", "mvnw")) {
            Files.copy(from.resolve(file), to.resolve(file), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        for (String dir : List.of(".mvn", "src/main")) {
            try (Stream<Path> files = Files.walk(from.resolve(dir))) {
                for (Path f : files.toList()) {
                    Path target = to.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target);
                    }
                }
            }
        }
    }

    /** The first line of the log containing {@code marker}, waiting for it while Maven runs. */
    private static String awaitLine(Path log, String marker, Process maven) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            try (Stream<String> lines = Files.lines(log)) {
                var line = lines.filter(l -> l.contains(marker)).findFirst();
                if (line.isPresent()) {
                    return line.get();
                }
            }
            assertThat(maven.isAlive()).as("dev mode ended early:%n%s", Files.readString(log)).isTrue();
            Thread.sleep(500);
        }
        throw new AssertionError("dev mode printed no '" + marker + "' within " + START + ":\n" + Files.readString(log));
    }
}
