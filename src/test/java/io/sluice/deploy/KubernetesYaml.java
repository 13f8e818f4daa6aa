package io.sluice.deploy;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Kubernetes YAML strictly into the fabric8 model: a key the model does not know, a value of the
 * wrong type, a duplicate key or a kind not registered here fails. The fabric8 classes collect unknown keys in an "any setter"
 * (additionalProperties) instead of rejecting them, so this mapper removes that setter and lets
 * FAIL_ON_UNKNOWN_PROPERTIES do its work.
 */
final class KubernetesYaml {
    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of(
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", io.fabric8.kubernetes.api.model.Service.class,
            "apps/v1/Deployment", Deployment.class,
            "monitoring.coreos.com/v1/PodMonitor", PodMonitor.class,
            "monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class);

    static final ObjectMapper STRICT = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .addModule(new SimpleModule().setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                                                             BeanDeserializerBuilder builder) {
                    builder.setAnySetter(null);
                    builder.setIgnoreUnknownProperties(false);
                    return builder;
                }
            }))
            .build();

    private KubernetesYaml() {
    }

    static List<HasMetadata> read(Path file) {
        try {
            return read(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a (multi-document) YAML stream, each in its model class. */
    static List<HasMetadata> read(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            for (var documents = STRICT.readValues(parser, JsonNode.class); documents.hasNext(); ) {
                JsonNode document = documents.next();
                if (document == null || document.isNull() || document.isMissingNode()) {
                    continue; // an empty document, e.g. a template whose condition is false
                }
                String type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
                Class<? extends HasMetadata> modelClass = TYPES.get(type);
                if (modelClass == null) {
                    throw new AssertionError("No model registered for " + type + " (add it to KubernetesYaml.TYPES)");
                }
                HasMetadata object = STRICT.treeToValue(document, modelClass);
                checkWhatTheApiServerRequires(object);
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) { // the document iterator wraps parse errors unchecked
            throw new AssertionError("Not valid against the Kubernetes model: " + e.getMessage(), e);
        }
        return objects;
    }

    /**
     * The model checks names and types, not what the API server requires besides: the few rules here are
     * those a hand-written manifest or a template most easily breaks.
     */
    private static void checkWhatTheApiServerRequires(HasMetadata object) {
        String what = object.getKind() + " " + object.getMetadata().getName();
        if (object.getMetadata().getName() == null || object.getMetadata().getName().isBlank()) {
            throw new AssertionError(object.getKind() + " without metadata.name");
        }
        if (object instanceof Deployment deployment) {
            var template = deployment.getSpec().getTemplate();
            if (!template.getMetadata().getLabels().entrySet()
                    .containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet())) {
                throw new AssertionError(what + ": the selector does not match the pod template's labels");
            }
            PodSpec pod = template.getSpec();
            List<Container> containers = new ArrayList<>(pod.getContainers());
            containers.addAll(Optional.ofNullable(pod.getInitContainers()).orElse(List.of()));
            Set<String> names = new HashSet<>();
            Set<String> volumes = new HashSet<>();
            Optional.ofNullable(pod.getVolumes()).orElse(List.of()).forEach(v -> volumes.add(v.getName()));
            for (Container c : containers) {
                if (c.getName() == null || c.getImage() == null || !names.add(c.getName())) {
                    throw new AssertionError(what + ": every container needs a unique name and an image (" + c.getName() + ")");
                }
                for (var mount : Optional.ofNullable(c.getVolumeMounts()).orElse(List.<VolumeMount>of())) {
                    if (!volumes.contains(mount.getName())) {
                        throw new AssertionError(what + ": container " + c.getName() + " mounts unknown volume " + mount.getName());
                    }
                }
            }
        }
    }

    static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T single(List<HasMetadata> objects, Class<T> type) {
        List<T> matches = ofType(objects, type);
        if (matches.size() != 1) {
            throw new AssertionError("Expected one " + type.getSimpleName() + ", found " + matches.size());
        }
        return matches.getFirst();
    }
}
