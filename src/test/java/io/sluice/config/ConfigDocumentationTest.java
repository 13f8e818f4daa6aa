package io.sluice.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md is the reference users read: it must list every property of {@link SluiceConfig} with the
 * default SluiceConfig gives it, and the Quarkus properties it lists with the value application.properties gives
 * them. A mismatch fails with every difference and, for a missing property, the row to add.
 */
class ConfigDocumentationTest {
    static final Path REFERENCE = Path.of("docs/configuration.md");
    /** The groups users look a setting up by, in this order. */
    static final List<String> SECTIONS = List.of("Listen", "Clients", "TLS", "Backend", "Pool", "Pinning", "Users", "AWS");
    /** A table row: | `property` | default | meaning | */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z][^`]*)` \\| ([^|]*) \\|");
    /** A default written as one literal, e.g. `5s`. */
    private static final Pattern LITERAL = Pattern.compile("`([^`]*)`");

    @Test
    void theReferenceListsEveryPropertyWithItsDefault() throws IOException {
        Map<String, Optional<String>> properties = new LinkedHashMap<>();
        collect("sluice", SluiceConfig.class, properties);
        assertThat(properties).hasSizeGreaterThan(30);
        Map<String, String> documented = documentedDefaults();
        Properties application = applicationProperties();

        List<String> problems = new ArrayList<>();
        properties.forEach((property, sluiceDefault) -> {
            String cell = documented.get(property);
            String expected = sluiceDefault.map(d -> "`" + d + "`").orElse("—");
            if (cell == null) {
                problems.add("missing, add to its section: | `" + property + "` | " + expected + " | … |");
            } else if (sluiceDefault.isPresent() && !cell.equals(expected)) {
                problems.add(property + ": the default is " + expected + " in SluiceConfig, documented as " + cell);
            } else if (sluiceDefault.isEmpty() && LITERAL.matcher(cell).matches()) {
                problems.add(property + ": SluiceConfig gives no default, documented as " + cell
                        + " (write — or say what decides the value)");
            }
        });
        documented.forEach((property, cell) -> {
            if (property.startsWith("sluice.") && !properties.containsKey(property)) {
                problems.add(property + ": documented, but SluiceConfig has no such property");
            }
            String configured = application.getProperty(property);
            if (property.startsWith("quarkus.") && configured != null && !cell.equals("`" + configured + "`")) {
                problems.add(property + ": application.properties sets `" + configured + "`, documented as " + cell);
            }
        });
        assertThat(problems).as("%s does not match the configuration:%n  %s", REFERENCE, String.join("\n  ", problems)).isEmpty();
    }

    @Test
    void theReferenceIsGroupedAsUsersLookSettingsUp() throws IOException {
        List<String> headings = Files.readAllLines(REFERENCE).stream().filter(l -> l.startsWith("## ")).map(l -> l.substring(3)).toList();
        assertThat(headings).containsSubsequence(SECTIONS);
        assertThat(Files.readString(Path.of("README.md"))).contains("docs/configuration.md");
    }

    /** Property name to its default cell, from every table of the reference. */
    private static Map<String, String> documentedDefaults() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(REFERENCE)) {
            Matcher m = ROW.matcher(line);
            if (!m.find() || !(m.group(1).startsWith("sluice.") || m.group(1).startsWith("quarkus."))) {
                continue;
            }
            String cell = m.group(2).strip();
            if (cell.startsWith("`SLUICE_") || cell.startsWith("`QUARKUS_")) {
                continue; // the table of environment-variable names
            }
            String previous = rows.put(m.group(1), cell);
            assertThat(previous).as("%s is documented twice", m.group(1)).isNull();
        }
        return rows;
    }

    private static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        return p;
    }

    /** Every leaf property under {@code prefix}, with its {@link WithDefault} if it has one. */
    private static void collect(String prefix, Class<?> group, Map<String, Optional<String>> out) {
        for (Method m : group.getDeclaredMethods()) {
            if (m.isDefault() || m.isSynthetic() || Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0) {
                continue;
            }
            String name = prefix + "." + (m.isAnnotationPresent(WithName.class) ? m.getAnnotation(WithName.class).value() : kebab(m.getName()));
            Type type = m.getGenericReturnType();
            Class<?> raw = m.getReturnType();
            Optional<String> defaultValue = Optional.ofNullable(m.getAnnotation(WithDefault.class)).map(WithDefault::value);
            if (raw == Map.class) {
                Type value = ((ParameterizedType) type).getActualTypeArguments()[1];
                if (value instanceof Class<?> c && c.isInterface() && c.getName().startsWith("io.sluice")) {
                    collect(name + ".\"<name>\"", c, out);
                } else {
                    out.put(name + ".\"<name>\"", defaultValue);
                }
            } else if (raw.isInterface() && raw.getName().startsWith("io.sluice") && raw != Optional.class) {
                collect(name, raw, out);
            } else {
                out.put(name, defaultValue);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
