package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.Management;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Grafana dashboard and the alerting rules, as the chart renders them with both switched on: the dashboard is a
 * ConfigMap the Grafana sidecar loads, the rules a PrometheusRule, both made from the chart's files (their only
 * copies, which observability/ links to), and every metric a panel or an alert queries is one a running Sluice
 * exports, compared with a scrape after some traffic (a query naming a metric that does not exist shows nothing and
 * never fires, silently).
 */
@QuarkusTest
class DashboardAndAlertsTest {
    private static final Path FILES = HelmChartTest.CHART.resolve("files");
    private static final Path DASHBOARD = FILES.resolve("grafana-dashboard.json");
    private static final Path RULES = FILES.resolve("prometheus-rules.yaml");
    private static final Pattern METRIC = Pattern.compile("\\b(sluice_[a-z0-9_]+)\\b");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theChartShipsTheDashboardAndTheRulesAndEveryMetricTheyQueryIsExported() throws Exception {
        List<HasMetadata> objects = KubernetesYaml.read(new com.marcnuri.helm.Helm(HelmChartTest.CHART).template()
                .withName("orders").withKubeVersion(HelmChartTest.KUBE_VERSION)
                .set("grafanaDashboard.enabled", true).set("prometheusRule.enabled", true)
                .set("prometheusRule.labels.release", "kube-prometheus-stack").call());

        ConfigMap dashboardMap = KubernetesYaml.single(objects, ConfigMap.class);
        assertThat(dashboardMap.getMetadata().getLabels()).as("the Grafana sidecar's label").containsEntry("grafana_dashboard", "1");
        assertThat(dashboardMap.getData()).containsOnlyKeys("sluice.json");
        JsonNode dashboard = JSON.readTree(dashboardMap.getData().get("sluice.json"));
        assertThat(dashboard).isEqualTo(JSON.readTree(DASHBOARD.toFile()));
        assertThat(dashboard.path("uid").asText()).isEqualTo("sluice");

        PrometheusRule rules = KubernetesYaml.single(objects, PrometheusRule.class);
        assertThat(rules.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        JsonNode renderedSpec = JSON.valueToTree(rules.getSpec());
        JsonNode fileSpec = JSON.valueToTree(KubernetesYaml.STRICT.treeToValue(KubernetesYaml.STRICT.readTree(RULES.toFile()),
                io.fabric8.openshift.api.model.monitoring.v1.PrometheusRuleSpec.class));
        assertThat(renderedSpec).as("the spec is the rules file").isEqualTo(fileSpec);
        List<Rule> alerts = rules.getSpec().getGroups().stream().flatMap(g -> g.getRules().stream()).toList();
        assertThat(alerts).extracting(Rule::getAlert).containsExactlyInAnyOrder("SluicePoolExhausted", "SluiceBorrowTimeouts",
                "SluicePinsGrowing", "SluiceCredentialsStale", "SluiceDatabaseUnreachable");
        assertThat(alerts).allSatisfy(a -> assertThat(a.getAnnotations()).containsKeys("summary", "description"));

        Set<String> dashboardMetrics = metricsIn(queries(dashboard));
        // What the issue asks the dashboard to show.
        assertThat(dashboardMetrics).contains("sluice_ready", "sluice_client_connections", "sluice_database_connections",
                "sluice_database_connection_borrow_seconds_bucket", "sluice_database_connection_borrow_timeouts_total",
                "sluice_pins_total", "sluice_query_database_seconds_bucket", "sluice_auth_failures_total",
                "sluice_credential_age_seconds");
        Set<String> alertMetrics = metricsIn(alerts.stream().map(a -> a.getExpr().getStrVal()).toList());

        Set<String> exported = exportedAfterTraffic();
        assertThat(exported).as("metrics the dashboard queries").containsAll(dashboardMetrics);
        assertThat(exported).as("metrics the alerts query").containsAll(alertMetrics);
    }

    /** Users without Helm find the same files under observability/. */
    @Test
    void thePlainFilesAreTheChartsFiles() throws Exception {
        for (Path file : List.of(DASHBOARD, RULES)) {
            Path plain = Path.of("observability").resolve(file.getFileName());
            assertThat(Files.isSameFile(plain, file)).as("%s is %s", plain, file).isTrue();
        }
    }

    /** Every PromQL expression of the dashboard: panel targets and template variables. */
    private static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> out.add(e.asText()));
        dashboard.path("templating").path("list").forEach(v -> out.add(v.path("definition").asText()));
        assertThat(out).hasSizeGreaterThan(10);
        return out;
    }

    private static Set<String> metricsIn(List<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String expression : expressions) {
            Matcher m = METRIC.matcher(expression);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The names in a scrape of this Sluice after queries, a pin and a failed login (histogram series appear then). */
    private static Set<String> exportedAfterTraffic() throws Exception {
        String url = "jdbc:mysql://127.0.0.1:" + SluiceTestResource.port() + "/?sslMode=DISABLED";
        try (Connection c = DriverManager.getConnection(url, TestDatabase.APP_USER, TestDatabase.APP_PASSWORD)) {
            assertThat(one(c, "SELECT 1")).isEqualTo("1");
            c.createStatement().execute("SET @pinned = 1");
        }
        assertThatThrownBy(() -> DriverManager.getConnection(url, TestDatabase.APP_USER, "wrong")).isInstanceOf(SQLException.class);
        Management.Response scrape = Management.get("/q/metrics");
        assertThat(scrape.status()).isEqualTo(200);
        Set<String> names = new TreeSet<>();
        scrape.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        return names;
    }
}
