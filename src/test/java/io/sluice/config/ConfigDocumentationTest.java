package io.sluice.config;

import io.smallrye.config.WithName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's configuration table is the user interface: every property of SluiceConfig must be in it. */
class ConfigDocumentationTest {

    @Test
    void everyPropertyIsInTheReadmeTable() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> properties = new ArrayList<>();
        collect("sluice", SluiceConfig.class, properties);
        assertThat(properties).hasSizeGreaterThan(30);
        for (String property : properties) {
            assertThat(readme).as("README documents %s", property).contains("| `" + property + "` |");
        }
    }

    private static void collect(String prefix, Class<?> group, List<String> out) {
        for (Method m : group.getDeclaredMethods()) {
            if (m.isDefault() || m.isSynthetic() || java.lang.reflect.Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0) {
                continue;
            }
            String name = prefix + "." + (m.isAnnotationPresent(WithName.class) ? m.getAnnotation(WithName.class).value() : kebab(m.getName()));
            Type type = m.getGenericReturnType();
            Class<?> raw = m.getReturnType();
            if (raw == Map.class) {
                Type value = ((ParameterizedType) type).getActualTypeArguments()[1];
                if (value instanceof Class<?> c && c.isInterface() && c.getName().startsWith("io.sluice")) {
                    collect(name + ".\"<name>\"", c, out);
                } else {
                    out.add(name + ".\"<name>\"");
                }
            } else if (raw.isInterface() && raw.getName().startsWith("io.sluice") && raw != Optional.class) {
                collect(name, raw, out);
            } else {
                out.add(name);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
