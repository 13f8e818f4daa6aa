package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * values.yaml and the templates agree: every value is read by some template, and every value a template
 * reads exists. Static, on the template text: variables bound to .Values or one of its branches
 * ({{ $v := .Values }}, {{ $app := .Values.exampleApp }}) are resolved first.
 */
class HelmValuesUsageTest {
    /** Template comments, and raw strings such as NOTES.txt's example of a parent chart's template. */
    private static final Pattern COMMENT = Pattern.compile("\\{\\{-?\\s*/\\*.*?\\*/\\s*-?}}|\\{\\{`.*?`}}", Pattern.DOTALL);
    private static final Pattern ALIAS = Pattern.compile("\\$(\\w+)\\s*:?=\\s*\\.Values((?:\\.\\w+)*)(?![\\w.])");
    private static final Pattern REFERENCE = Pattern.compile("\\.Values((?:\\.\\w+)+)");

    private static String templates;
    private static JsonNode values;

    @BeforeAll
    static void read() throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(HelmChartTest.CHART.resolve("templates"))) {
            for (Path file : files.sorted().toList()) {
                text.append(resolveAliases(COMMENT.matcher(Files.readString(file)).replaceAll(""))).append('\n');
            }
        }
        templates = text.toString();
        values = HelmChartTest.values();
    }

    /** Rewrites $v.pool.maxSize to .Values.pool.maxSize where $v := .Values (per file; names do not clash here). */
    private static String resolveAliases(String template) {
        Map<String, String> aliases = new LinkedHashMap<>();
        Matcher m = ALIAS.matcher(template);
        while (m.find()) {
            aliases.put(m.group(1), ".Values" + m.group(2));
        }
        String resolved = template;
        for (var alias : aliases.entrySet()) {
            resolved = resolved.replaceAll("\\$" + alias.getKey() + "(?=[.\\s)}|])", Matcher.quoteReplacement(alias.getValue()));
        }
        return resolved;
    }

    @Test
    void everyValueIsUsedBySomeTemplate() {
        List<String> unused = new ArrayList<>();
        for (String path : leaves(values, "")) {
            if (!used(path)) {
                unused.add(path);
            }
        }
        assertThat(unused).as("values.yaml entries no template reads").isEmpty();
    }

    /** The value itself is read, or one of its parents is read as a whole (toYaml, range, with). */
    private static boolean used(String path) {
        if (Pattern.compile(Pattern.quote(".Values." + path) + "(?![\\w])").matcher(templates).find()) {
            return true;
        }
        for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
            String parent = path.substring(0, dot);
            if (Pattern.compile(Pattern.quote(".Values." + parent) + "(?![\\w.])").matcher(templates).find()) {
                return true;
            }
        }
        return false;
    }

    private static List<String> leaves(JsonNode node, String prefix) {
        List<String> paths = new ArrayList<>();
        if (node.isObject() && !node.isEmpty()) {
            node.properties().forEach(e -> paths.addAll(leaves(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey())));
        } else {
            paths.add(prefix);
        }
        return paths;
    }

    @Test
    void everyValueATemplateReadsExists() {
        TreeSet<String> missing = new TreeSet<>();
        Matcher m = REFERENCE.matcher(templates);
        while (m.find()) {
            JsonNode node = values;
            for (String key : m.group(1).substring(1).split("\\.")) {
                if (node.isObject() && node.isEmpty()) {
                    break; // a free-form map such as users or extraConfig: its keys are the user's
                }
                node = node.path(key);
                if (node.isMissingNode()) {
                    missing.add(m.group(1).substring(1));
                    break;
                }
            }
        }
        assertThat(missing).as("values the templates read that values.yaml lacks").isEmpty();
    }

    @Test
    void theCheckSeesAliases() {
        assertThat(used("pool.maxSize")).as("$v.pool.maxSize in _helpers.tpl").isTrue();
        assertThat(used("exampleApp.replicas")).as("$app.replicas in example-app.yaml").isTrue();
        assertThat(used("pool.nonsense")).isFalse();
    }
}
