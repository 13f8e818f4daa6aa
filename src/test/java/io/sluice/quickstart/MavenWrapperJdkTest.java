package io.sluice.quickstart;

import io.sluice.testing.ExternalProcess;
import io.sluice.testing.ExternalProcess.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command in the README starts with {@code ./mvnw}. On a machine whose default Java is older than the JDK Sluice
 * needs (Debian's is 17), the wrapper finds a new enough JDK installed beside it and runs Maven on that, or stops at
 * once with one sentence saying what to install, before any JVM has been started.
 */
class MavenWrapperJdkTest {
    private static final Path PROJECT = Path.of("").toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void anOlderJavaHomeGivesWayToANewEnoughJdkInstalledBesideIt() throws Exception {
        // Where IntelliJ IDEA keeps the JDKs it downloads: found on any machine, whatever /usr/lib/jvm holds.
        Path home = Files.createDirectories(tmp.resolve("home/.jdks")).getParent();
        Files.createSymbolicLink(home.resolve(".jdks/test-jdk"), Path.of(System.getProperty("java.home")));

        Result r = mvnw(PROJECT, oldJdk(), home, "-v");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(javaVersion(r.stdout())).as(r.stdout()).isGreaterThanOrEqualTo(neededJdk());
        assertThat(r.stderr()).contains("JAVA_HOME is Java 17").contains("using the JDK").doesNotContain("the old JDK ran");
    }

    @Test
    void aNewEnoughJavaHomeIsUsedAsItIs() throws Exception {
        Result r = mvnw(PROJECT, Path.of(System.getProperty("java.home")), tmp, "-v");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("runtime: " + System.getProperty("java.home"));
        assertThat(r.stderr()).doesNotContain("mvnw:");
    }

    @Test
    void withoutANewEnoughJdkItStopsAtOnceWithOneSentenceSayingWhatToInstall() throws Exception {
        // The same wrapper in a project that needs a JDK no machine has.
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.copy(PROJECT.resolve("mvnw"), project.resolve("mvnw"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(project.resolve(".mvn/wrapper"));
        for (String file : List.of(".mvn/select-jdk.sh", ".mvn/wrapper/maven-wrapper.properties")) {
            Files.copy(PROJECT.resolve(file), project.resolve(file));
        }
        Files.writeString(project.resolve("pom.xml"), Files.readString(PROJECT.resolve("pom.xml"))
                .replaceFirst("<maven.compiler.release>\\d+</maven.compiler.release>", "<maven.compiler.release>999</maven.compiler.release>"));

        Result r = mvnw(project, oldJdk(), Files.createDirectories(tmp.resolve("empty-home")), "-v");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr().lines().toList()).singleElement().asString()
                .startsWith("Sluice needs a JDK 999 or newer")
                .contains("JAVA_HOME is Java 17")
                .contains("install a JDK 999");
    }

    /** A JDK 17 as the wrapper sees one (its release file); its java fails loudly if the wrapper ever runs it. */
    private Path oldJdk() throws IOException {
        Path jdk = Files.createDirectories(tmp.resolve("jdk-17/bin")).getParent();
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"17.0.15\"\n");
        for (String tool : List.of("java", "javac")) {
            Path program = jdk.resolve("bin").resolve(tool);
            Files.writeString(program, "#!/bin/sh\necho 'the old JDK ran' >&2\nexit 99\n");
            assertThat(program.toFile().setExecutable(true)).isTrue();
        }
        return jdk;
    }

    private static Result mvnw(Path project, Path javaHome, Path home, String... args) throws Exception {
        // The Maven distribution the wrapper fetched stays where it is; only the search for JDKs sees the test's home.
        String mavenUserHome = Path.of(System.getProperty("user.home"), ".m2").toString();
        List<String> command = new java.util.ArrayList<>(List.of(project.resolve("mvnw").toString()));
        command.addAll(List.of(args));
        return ExternalProcess.run(command, Map.of("JAVA_HOME", javaHome.toString(), "HOME", home.toString(),
                "MAVEN_USER_HOME", mavenUserHome), project, 120);
    }

    private static int neededJdk() throws IOException {
        Matcher m = Pattern.compile("<maven.compiler.release>(\\d+)</maven.compiler.release>").matcher(Files.readString(PROJECT.resolve("pom.xml")));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static int javaVersion(String mavenVersionOutput) {
        Matcher m = Pattern.compile("Java version: (\\d+)").matcher(mavenVersionOutput);
        assertThat(m.find()).as(mavenVersionOutput).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
