package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The plain manifests in k8s/, read strictly into the Kubernetes model. */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of("k8s");

    private static List<HasMetadata> kustomized() throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode resource : kustomization().path("resources")) {
            objects.addAll(KubernetesYaml.read(DIR.resolve(resource.asText())));
        }
        return objects;
    }

    private static JsonNode kustomization() throws IOException {
        return KubernetesYaml.STRICT.readTree(DIR.resolve("kustomization.yaml").toFile());
    }

    private static ConfigMap configMap(List<HasMetadata> objects, String name) {
        return KubernetesYaml.ofType(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap " + name));
    }

    @Test
    void everyManifestIsValidAgainstTheModel() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            List<Path> manifests = files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
            assertThat(manifests).hasSizeGreaterThanOrEqualTo(6);
            for (Path manifest : manifests) {
                assertThat(KubernetesYaml.read(manifest)).as(manifest.toString()).isNotEmpty();
            }
        }
    }

    @Test
    void kustomizationListsExistingFilesAndTheNativeVariant() throws IOException {
        JsonNode kustomization = kustomization();
        assertThat(kustomization.path("kind").asText()).isEqualTo("Kustomization");
        List<String> resources = new ArrayList<>();
        kustomization.path("resources").forEach(r -> resources.add(r.asText()));
        assertThat(resources).allSatisfy(r -> assertThat(DIR.resolve(r)).isRegularFile())
                .contains("deployment.yaml", "podmonitor.yaml", "serviceaccount.yaml", "configmap.yaml")
                // Both variants define the same Deployment: only one may be applied.
                .doesNotContain("deployment-classic-sidecar.yaml");
        assertThat(kustomization.path("images").get(0).path("name").asText())
                .as("kustomize images entry matches the manifests' image")
                .isEqualTo("registry.example.com/sluice");
    }

    @Test
    void nativeSidecarDeployment() throws IOException {
        List<HasMetadata> objects = kustomized();
        Deployment deployment = KubernetesYaml.single(objects, Deployment.class);
        var spec = deployment.getSpec().getTemplate().getSpec();
        SluicePod pod = SluicePod.of(spec, SluicePod.Mode.NATIVE).isProductionReady(name -> configMap(objects, name));

        assertThat(pod.container().getImage()).startsWith("registry.example.com/sluice:");
        assertThat(pod.env("SLUICE_USERS__APP__PASSWORD")).get()
                .extracting(e -> e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("orders-app-db");
        assertThat(spec.getServiceAccountName())
                .isEqualTo(KubernetesYaml.single(objects, ServiceAccount.class).getMetadata().getName());
        assertAppConnectsThroughSluice(spec.getContainers());
    }

    @Test
    void classicSidecarDeployment() throws IOException {
        List<HasMetadata> objects = new ArrayList<>(kustomized());
        objects.removeIf(Deployment.class::isInstance);
        Deployment deployment = KubernetesYaml.single(KubernetesYaml.read(DIR.resolve("deployment-classic-sidecar.yaml")), Deployment.class);
        var spec = deployment.getSpec().getTemplate().getSpec();
        SluicePod.of(spec, SluicePod.Mode.CLASSIC).isProductionReady(name -> configMap(objects, name));

        long preStopSeconds = Long.parseLong(SluicePod.of(spec, SluicePod.Mode.CLASSIC).container()
                .getLifecycle().getPreStop().getExec().getCommand().get(1));
        assertThat(spec.getTerminationGracePeriodSeconds()).as("grace covers the preStop wait and the drain")
                .isGreaterThanOrEqualTo(preStopSeconds + SluicePod.DRAIN_SECONDS);
        assertAppConnectsThroughSluice(spec.getContainers().stream().filter(c -> !c.getName().equals("sluice")).toList());
    }

    private static void assertAppConnectsThroughSluice(List<Container> apps) {
        assertThat(apps).hasSize(1);
        assertThat(apps.getFirst().getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple("DB_URL", "jdbc:mysql://127.0.0.1:6033/orders"));
    }

    @Test
    void configMapListensOnLoopbackAndNamesOnlyProperties() throws IOException {
        ConfigMap config = configMap(kustomized(), "orders-app-sluice");
        assertThat(config.getData()).containsEntry("SLUICE_LISTEN_HOST", "127.0.0.1")
                .containsKeys("SLUICE_BACKEND_HOST", "SLUICE_BACKEND_PORT", "SLUICE_LISTEN_PORT", "SLUICE_POOL_MAX_SIZE");
        assertThat(config.getData().keySet()).allSatisfy(k -> assertThat(k).matches("(SLUICE|QUARKUS)_[A-Z0-9_]+"));
    }

    @Test
    void serviceAccountCarriesTheIrsaRole() throws IOException {
        ServiceAccount account = KubernetesYaml.single(kustomized(), ServiceAccount.class);
        assertThat(account.getMetadata().getAnnotations().get("eks.amazonaws.com/role-arn"))
                .matches("arn:aws:iam::[0-9]{12}:role/.+");
    }

    @Test
    void podMonitorScrapesTheManagementPortOfLabelledPods() throws IOException {
        List<HasMetadata> objects = kustomized();
        PodMonitor monitor = KubernetesYaml.single(objects, PodMonitor.class);
        var endpoint = monitor.getSpec().getPodMetricsEndpoints().getFirst();
        assertThat(endpoint.getPath()).isEqualTo("/q/metrics");
        assertThat(endpoint.getPort()).isEqualTo("management");

        var podLabels = KubernetesYaml.single(objects, Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void strictReadingRejectsWrongTypesAndWhatTheApiServerWouldRefuse() {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          volumeMounts: [{name: tmp, mountPath: /tmp}]
                      volumes: [{name: tmp, emptyDir: {}}]
                """;
        assertThat(KubernetesYaml.read(deployment)).hasSize(1);
        assertRejected(deployment.replace("image: x\n", "image: x\n          readinessProbe: {periodSeconds: thirty}\n"), "thirty");
        assertRejected(deployment.replace("labels: {a: b}", "labels: {a: c}"), "selector does not match");
        assertRejected(deployment.replace("          image: x\n", ""), "unique name and an image");
        assertRejected(deployment.replace("[{name: tmp, mountPath", "[{name: scratch, mountPath"), "unknown volume scratch");
    }

    private static void assertRejected(String yaml, String reason) {
        try {
            KubernetesYaml.read(yaml);
            throw new IllegalStateException("accepted: " + yaml);
        } catch (AssertionError expected) {
            assertThat(expected.getMessage()).contains(reason);
        }
    }

    @Test
    void strictReadingRejectsAMisspelledKey() {
        String misspelled = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: x
                data: {}
                datta: {}
                """;
        String nested = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          readinessProbe:
                            httpGet: {path: /q/health/ready, port: 9000}
                            periodSecond: 5
                """;
        for (String yaml : List.of(misspelled, nested)) {
            try {
                KubernetesYaml.read(yaml);
                throw new IllegalStateException("accepted: " + yaml);
            } catch (AssertionError expected) {
                assertThat(expected.getMessage()).contains("Unrecognized field");
            }
        }
    }
}
