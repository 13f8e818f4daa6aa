package io.sluice.backend;

import com.mysql.cj.util.Util;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Lets Connector/J create {@link ProbingSocketFactory} in Quarkus dev mode.
 *
 * <p>Connector/J creates its socket factory by name, through the class loader of its own classes
 * ({@code Util.getInstance}). quarkus-jdbc-mysql declares Connector/J a parent-first artifact, so in dev mode that
 * loader is the JVM's system class loader, which holds the dependencies but not the application: dev mode keeps the
 * application in a class loader it replaces on every live reload. Every backend login then failed with "Failed
 * loading the class 'io.sluice.backend.ProbingSocketFactory'" (PostgreSQL's driver meets the same,
 * quarkusio/quarkus#15782). Configuration cannot help: an extension's parent-first artifact stays parent-first even
 * when listed in {@code quarkus.class-loading.reloadable-artifacts}. Tests never meet it, because Surefire puts
 * {@code target/classes} on the system class path; dev mode gets the same here: the compiled classes, packed into a
 * JAR, are appended to the system class path through the {@link Instrumentation} of Quarkus's dev-mode agent, which
 * {@code quarkus:dev} always starts. Connector/J's copy of the factory is the one compiled when dev mode started: a
 * change to the socket factory takes effect when dev mode is restarted, not on a live reload. Everywhere else (the
 * packaged application, the native executable, tests) the factory is visible already and nothing happens.
 */
public final class ConnectorJClassPath {
    /** The agent {@code quarkus:dev} starts the application JVM with; it keeps the JVM's Instrumentation. */
    private static final String DEV_MODE_AGENT = "io.quarkus.changeagent.ClassChangeAgent";

    private ConnectorJClassPath() {
    }

    /** Whether Connector/J can create the socket factory {@link ConnectionSettings} names. */
    public static boolean socketFactoryVisible() {
        try {
            Class.forName(ProbingSocketFactory.class.getName(), false, Util.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Makes the socket factory visible to Connector/J where it is not (dev mode); a no-op everywhere else. */
    public static void exposeSocketFactory() {
        if (socketFactoryVisible()) {
            return;
        }
        try {
            Path jar = jarOf(classesDirectory());
            devModeInstrumentation().appendToSystemClassLoaderSearch(new JarFile(jar.toFile()));
        } catch (ReflectiveOperationException | IOException | URISyntaxException | RuntimeException e) {
            throw new IllegalStateException(notVisible() + ", and adding Sluice's classes to its class path failed", e);
        }
        if (!socketFactoryVisible()) {
            throw new IllegalStateException(notVisible() + " even after adding Sluice's classes to its class path");
        }
    }

    private static String notVisible() {
        return "Connector/J cannot load " + ProbingSocketFactory.class.getName() + " through its class loader ("
                + Util.class.getClassLoader() + ")";
    }

    private static Path classesDirectory() throws URISyntaxException {
        Path location = Path.of(ProbingSocketFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isDirectory(location)) {
            throw new IllegalStateException("Sluice's classes come from " + location + ", not from a directory of compiled classes");
        }
        return location;
    }

    private static Instrumentation devModeInstrumentation() throws ReflectiveOperationException {
        Class<?> agent = Class.forName(DEV_MODE_AGENT, true, ClassLoader.getSystemClassLoader());
        Instrumentation instrumentation = (Instrumentation) agent.getMethod("getInstrumentation").invoke(null);
        if (instrumentation == null) {
            throw new IllegalStateException(DEV_MODE_AGENT + " is present but was not started as an agent");
        }
        return instrumentation;
    }

    /** The {@code .class} files under {@code classes}, as a JAR in a temporary file deleted when the JVM exits. */
    static Path jarOf(Path classes) throws IOException {
        Path jar = Files.createTempFile("sluice-dev-classes", ".jar");
        jar.toFile().deleteOnExit();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(f -> f.toString().endsWith(".class")).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
            for (Path file : files) {
                zip.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
        return jar;
    }
}
