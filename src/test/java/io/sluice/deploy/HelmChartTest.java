package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.smallrye.config.WithDefault;
import io.sluice.config.SluiceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chart in helm/sluice: lint, rendering for several value sets, and use from another chart. */
class HelmChartTest {
    static final Path CHART = Path.of("helm/sluice");
    private static final Path VALUES = Path.of("src/test/resources/deploy/helm-values");

    /** helm template assumes Kubernetes 1.20 unless told otherwise (here: a current release; tests may override it). */
    static final String KUBE_VERSION = "1.33.0";

    private static List<HasMetadata> render(UnaryOperator<TemplateCommand> options) {
        return KubernetesYaml.read(options.apply(new Helm(CHART).template().withName("orders").withKubeVersion(KUBE_VERSION)).call());
    }

    private static List<HasMetadata> render(String valuesFile) {
        return render(t -> t.withValuesFile(VALUES.resolve(valuesFile)));
    }

    private static PodSpec podSpec(List<HasMetadata> objects) {
        return KubernetesYaml.single(objects, Deployment.class).getSpec().getTemplate().getSpec();
    }

    private static String value(SluicePod pod, String name) {
        return pod.env(name).map(EnvVar::getValue).orElseThrow(() -> new AssertionError("no env " + name));
    }

    @Test
    void lintsStrictly() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.getMessages()).as("lint messages").noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void theCentralTierIsADeploymentAndServiceTheSidecarsConnectTo() {
        List<HasMetadata> objects = render(t -> t.withValuesFile(VALUES.resolve("native-example.yaml")).set("central.enabled", true)
                .set("central.replicas", 3));
        List<Deployment> deployments = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList();
        Deployment central = deployments.stream().filter(d -> d.getMetadata().getName().equals("orders-sluice-central")).findFirst().orElseThrow();
        Deployment app = deployments.stream().filter(d -> d.getMetadata().getName().equals("orders-sluice-app")).findFirst().orElseThrow();
        io.fabric8.kubernetes.api.model.Service service = KubernetesYaml.single(objects, io.fabric8.kubernetes.api.model.Service.class);

        assertThat(central.getSpec().getReplicas()).isEqualTo(3);
        assertThat(service.getMetadata().getName()).isEqualTo("orders-sluice-central");
        assertThat(service.getSpec().getSelector()).isEqualTo(central.getSpec().getTemplate().getMetadata().getLabels().entrySet().stream()
                .filter(e -> !e.getKey().equals("sluice-sidecar")).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(6033);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("mysql");
        });

        PodSpec tier = central.getSpec().getTemplate().getSpec();
        assertThat(tier.getInitContainers()).isNullOrEmpty();
        var container = tier.getContainers().getFirst();
        assertThat(container.getRestartPolicy()).as("a plain container, not a sidecar").isNull();
        assertThat(container.getLifecycle()).as("no sidecar preStop sleep").isNull();
        Map<String, String> env = container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertThat(env).containsEntry("SLUICE_LISTEN_HOST", "0.0.0.0")
                .containsEntry("SLUICE_BACKEND_HOST", "orders.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com")
                .containsEntry("SLUICE_FLEET_MAX_CONNECTIONS_PERCENT", "80")
                .containsEntry("SLUICE_POOL_MAX_SIZE", "50");
        assertThat(container.getEnv()).anyMatch(e -> e.getName().equals("SLUICE_USERS__APP__PASSWORD") && e.getValueFrom() != null);

        SluicePod sidecar = SluicePod.of(app.getSpec().getTemplate().getSpec(), SluicePod.Mode.NATIVE);
        assertThat(value(sidecar, "SLUICE_BACKEND_HOST")).isEqualTo("orders-sluice-central");
        assertThat(value(sidecar, "SLUICE_BACKEND_PORT")).isEqualTo("6033");
        assertThat(value(sidecar, "SLUICE_BACKEND_TLS_MODE")).as("the tier has a certificate").isEqualTo("required");
        assertThat(value(sidecar, "SLUICE_LISTEN_HOST")).isEqualTo("127.0.0.1");
        assertThat(sidecar.env("SLUICE_FLEET_MAX_CONNECTIONS_PERCENT")).as("the sidecars need no budget behind the tier").isEmpty();
    }

    @Test
    void defaultsRenderOnlyTheServiceAccount() {
        List<HasMetadata> objects = render(t -> t);
        assertThat(objects).hasSize(1);
        ServiceAccount account = KubernetesYaml.single(objects, ServiceAccount.class);
        assertThat(account.getMetadata().getName()).isEqualTo("orders-sluice");
        assertThat(account.getMetadata().getAnnotations()).as("no IRSA role unless given").isNullOrEmpty();
    }

    @Test
    void nativeExampleWithEverythingSwitchedOn() {
        List<HasMetadata> objects = render("native-example.yaml");
        PodSpec spec = podSpec(objects);
        SluicePod pod = SluicePod.of(spec, SluicePod.Mode.NATIVE).isProductionReady(SluicePod.NO_CONFIG_MAPS);

        assertThat(value(pod, "SLUICE_BACKEND_HOST")).isEqualTo("orders.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com");
        assertThat(value(pod, "SLUICE_BACKEND_PORT")).isEqualTo("3306");
        assertThat(value(pod, "SLUICE_LISTEN_HOST")).isEqualTo("127.0.0.1");
        assertThat(value(pod, "SLUICE_LISTEN_PORT")).isEqualTo("6033");
        assertThat(value(pod, "SLUICE_MAX_CLIENT_CONNECTIONS")).isEqualTo("10000");
        assertThat(value(pod, "SLUICE_POOL_BORROW_TIMEOUT")).isEqualTo("5s");
        assertThat(value(pod, "QUARKUS_MANAGEMENT_PORT")).isEqualTo("9000");
        // extraConfig: new properties pass through, and it wins over the chart's own values.
        assertThat(value(pod, "SLUICE_CLIENT_HANDSHAKE_TIMEOUT")).isEqualTo("3s");
        assertThat(value(pod, "SLUICE_POOL_MAX_SIZE")).isEqualTo("50");
        assertThat(value(pod, "QUARKUS_LOG_LEVEL")).isEqualTo("DEBUG");
        // Users: a password from a Secret, or a Secrets Manager id.
        var password = pod.env("SLUICE_USERS__APP__PASSWORD").orElseThrow().getValueFrom().getSecretKeyRef();
        assertThat(password.getName()).isEqualTo("orders-db");
        assertThat(password.getKey()).isEqualTo("app-password");
        assertThat(value(pod, "SLUICE_USERS__REPORTING__SECRET_ID")).startsWith("arn:aws:secretsmanager:");
        assertThat(pod.envNames()).doesNotContain("SLUICE_USERS__REPORTING__PASSWORD");
        // TLS: mode and a mounted certificate.
        assertThat(value(pod, "SLUICE_TLS_MODE")).isEqualTo("required");
        assertThat(value(pod, "SLUICE_TLS_CERTIFICATE_FILE")).isEqualTo("/etc/sluice/tls/tls.crt");
        assertThat(spec.getVolumes()).filteredOn(v -> v.getSecret() != null).extracting(v -> v.getSecret().getSecretName())
                .containsExactly("sluice-tls");

        ServiceAccount account = KubernetesYaml.single(objects, ServiceAccount.class);
        assertThat(spec.getServiceAccountName()).isEqualTo(account.getMetadata().getName());
        assertThat(account.getMetadata().getAnnotations())
                .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/orders-sluice");

        PodMonitor monitor = KubernetesYaml.single(objects, PodMonitor.class);
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(monitor.getSpec().getPodMetricsEndpoints()).singleElement()
                .satisfies(e -> assertThat(e.getPath()).isEqualTo("/q/metrics"))
                .satisfies(e -> assertThat(e.getPort()).isEqualTo("management"));
        assertThat(KubernetesYaml.single(objects, Deployment.class).getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());

        var app = spec.getContainers().stream().filter(c -> c.getName().equals("app")).findFirst().orElseThrow();
        assertThat(app.getEnv()).filteredOn(e -> e.getName().equals("DB_URL")).singleElement()
                .extracting(EnvVar::getValue).isEqualTo("jdbc:mysql://127.0.0.1:6033/orders");
    }

    @Test
    void classicExample() {
        List<HasMetadata> objects = render("classic-example.yaml");
        PodSpec spec = podSpec(objects);
        SluicePod pod = SluicePod.of(spec, SluicePod.Mode.CLASSIC).isProductionReady(SluicePod.NO_CONFIG_MAPS);
        assertThat(value(pod, "SLUICE_BACKEND_PORT")).isEqualTo("3307");
        assertThat(value(pod, "SLUICE_MAX_CLIENT_CONNECTIONS")).isEqualTo("1000000");
        assertThat(spec.getInitContainers()).isNullOrEmpty();
        assertThat(KubernetesYaml.ofType(objects, PodMonitor.class)).as("PodMonitor is off by default").isEmpty();
        assertThat(spec.getVolumes()).extracting(Volume::getName).containsExactly("sluice-tmp");
    }

    @Test
    void nativeModeRefusesClustersBefore129() {
        assertThatThrownBy(() -> render(t -> t.withValuesFile(VALUES.resolve("native-example.yaml")).withKubeVersion("1.28.9")))
                .hasMessageContaining("sidecarMode native needs Kubernetes 1.29");
        assertThat(render(t -> t.withValuesFile(VALUES.resolve("classic-example.yaml")).withKubeVersion("1.28.9")))
                .isNotEmpty();
    }

    @Test
    void refusesIncompleteOrMisspelledValues() {
        assertThatThrownBy(() -> render(t -> t.set("exampleApp.enabled", true).set("users.app.existingSecret", "db")))
                .as("no backend host").hasMessageContaining("backend.host");
        assertThatThrownBy(() -> render(t -> t.withValuesFile(VALUES.resolve("classic-example.yaml")).set("exampleApp.user", "nobody")))
                .hasMessageContaining("exampleApp.user \"nobody\" must be one of users (app)");
        // values.schema.json
        assertThatThrownBy(() -> render(t -> t.set("pool.maxSzie", 5))).hasMessageContaining("maxSzie");
        assertThatThrownBy(() -> render(t -> t.set("users.orders_svc.existingSecret", "db"))).hasMessageContaining("orders_svc");
        assertThatThrownBy(() -> render(t -> t.set("users.app.existingSecret", "db").set("users.app.secretId", "x")))
                .hasMessageContaining("users");
        assertThatThrownBy(() -> render(t -> t.set("sidecarMode", "sideways"))).hasMessageContaining("sidecarMode");
        assertThatThrownBy(() -> render(t -> t.set("extraConfig.pool\\.max-size", 5))).hasMessageContaining("does not match pattern");
    }

    @Test
    void notesExplainHowToConnect() {
        var release = new Helm(CHART).install().clientOnly().dryRun().withName("orders").withKubeVersion(KUBE_VERSION)
                .withValuesFile(VALUES.resolve("native-example.yaml")).call();
        assertThat(release.getOutput()).contains("jdbc:mysql://127.0.0.1:6033/<database>", "app, reporting",
                "include \"sluice.sidecar\" $sluice");
    }

    /** A parent chart adds Sluice to its own pod with the chart's named templates. */
    @Test
    void sidecarTemplateInAnotherChart(@TempDir Path dir) throws IOException {
        Path parent = dir.resolve("shop");
        copy(Path.of("src/test/resources/deploy/parent-chart"), parent);
        copy(CHART, parent.resolve("charts/sluice"));

        for (SluicePod.Mode mode : SluicePod.Mode.values()) {
            List<HasMetadata> objects = KubernetesYaml.read(new Helm(parent).template().withName("web").withKubeVersion(KUBE_VERSION)
                    .set("sluice.sidecarMode", mode.name().toLowerCase()).call());
            PodSpec spec = podSpec(objects);
            SluicePod pod = SluicePod.of(spec, mode).isProductionReady(SluicePod.NO_CONFIG_MAPS);
            assertThat(value(pod, "SLUICE_BACKEND_HOST")).isEqualTo("shop-db.example.internal");
            assertThat(pod.env("SLUICE_USERS__SHOP__PASSWORD")).isPresent();
            assertThat(pod.container().getImage()).as("image tag from the subchart's values")
                    .isEqualTo("registry.example.com/sluice:" + appVersion());
            // The subchart's ServiceAccount (with the IRSA role) is the one the parent's pod runs as.
            ServiceAccount account = KubernetesYaml.single(objects, ServiceAccount.class);
            assertThat(spec.getServiceAccountName()).isEqualTo(account.getMetadata().getName()).isEqualTo("web-sluice");
            assertThat(account.getMetadata().getAnnotations()).containsKey("eks.amazonaws.com/role-arn");
            assertThat(KubernetesYaml.single(objects, PodMonitor.class).getSpec().getSelector().getMatchLabels())
                    .isEqualTo(KubernetesYaml.single(objects, Deployment.class).getSpec().getTemplate().getMetadata().getLabels()
                            .entrySet().stream().filter(e -> e.getKey().startsWith("sluice"))
                            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static String appVersion() throws IOException {
        return KubernetesYaml.STRICT.readTree(CHART.resolve("Chart.yaml").toFile()).path("appVersion").asText();
    }

    @Test
    void imageTagIsTheAppVersion() throws IOException {
        assertThat(values().path("image").path("tag").asText()).isEqualTo(appVersion());
    }

    static JsonNode values() throws IOException {
        return KubernetesYaml.STRICT.readTree(CHART.resolve("values.yaml").toFile());
    }

    /** The chart writes Sluice's defaults out; they must be Sluice's. */
    @Test
    void defaultsAreSluicesDefaults() throws Exception {
        JsonNode values = values();
        assertThat(values.at("/backend/port").asText()).isEqualTo(sluiceDefault(SluiceConfig.Backend.class, "port"));
        assertThat(values.at("/listen/host").asText()).isEqualTo(sluiceDefault(SluiceConfig.Listen.class, "host"));
        assertThat(values.at("/listen/port").asText()).isEqualTo(sluiceDefault(SluiceConfig.Listen.class, "port"));
        assertThat(values.at("/maxClientConnections").asText()).isEqualTo(sluiceDefault(SluiceConfig.class, "maxClientConnections"));
        for (String property : List.of("maxSize", "minIdle", "borrowTimeout", "idleTimeout", "maxLifetime")) {
            assertThat(values.at("/pool/" + property).asText()).as("pool." + property)
                    .isEqualTo(sluiceDefault(SluiceConfig.Pool.class, property));
        }
    }

    private static String sluiceDefault(Class<?> mapping, String method) throws NoSuchMethodException {
        return mapping.getMethod(method).getAnnotation(WithDefault.class).value();
    }
}
