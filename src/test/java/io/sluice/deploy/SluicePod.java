package io.sluice.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every pod that carries Sluice must get right, whichever file or chart produced it. Shared by the
 * tests of k8s/ and of the Helm chart so that both are held to the same rules.
 */
final class SluicePod {
    static final int MANAGEMENT_PORT = 9000;
    /** Sluice's own drain on shutdown; the pod's grace period must be longer. */
    static final long DRAIN_SECONDS = 30;

    enum Mode { NATIVE, CLASSIC }

    /** For pods that must not take Sluice's settings through envFrom (the chart renders them inline). */
    static final Function<String, ConfigMap> NO_CONFIG_MAPS = name -> {
        throw new AssertionError("envFrom ConfigMap " + name + ": expected Sluice's settings inline");
    };

    private final PodSpec spec;
    private final Container sluice;

    private SluicePod(PodSpec spec, Container sluice) {
        this.spec = spec;
        this.sluice = sluice;
    }

    /** Finds the container named "sluice" where the mode puts it, and checks that it is nowhere else. */
    static SluicePod of(PodSpec spec, Mode mode) {
        List<Container> inits = Optional.ofNullable(spec.getInitContainers()).orElse(List.of());
        List<Container> mains = Optional.ofNullable(spec.getContainers()).orElse(List.of());
        List<Container> where = mode == Mode.NATIVE ? inits : mains;
        List<Container> elsewhere = mode == Mode.NATIVE ? mains : inits;
        assertThat(elsewhere).extracting(Container::getName).doesNotContain("sluice");
        Container sluice = where.stream().filter(c -> c.getName().equals("sluice")).findFirst()
                .orElseThrow(() -> new AssertionError("no container named sluice in the "
                        + (mode == Mode.NATIVE ? "init containers" : "containers")));
        if (mode == Mode.NATIVE) {
            assertThat(sluice.getRestartPolicy()).as("native sidecar restartPolicy").isEqualTo("Always");
            // Init containers start in order: any before Sluice would run without the database.
            assertThat(inits.getFirst().getName()).as("first init container").isEqualTo("sluice");
        } else {
            assertThat(sluice.getRestartPolicy()).as("classic sidecar restartPolicy").isNull();
            assertThat(sluice.getLifecycle().getPreStop().getExec().getCommand())
                    .as("classic sidecar waits before its SIGTERM").first().isEqualTo("sleep");
        }
        return new SluicePod(spec, sluice);
    }

    Container container() {
        return sluice;
    }

    SluicePod hasProbesOnManagementPort() {
        assertProbe("startupProbe", sluice.getStartupProbe(), "/q/health/started");
        assertProbe("readinessProbe", sluice.getReadinessProbe(), "/q/health/ready");
        assertProbe("livenessProbe", sluice.getLivenessProbe(), "/q/health/live");
        return this;
    }

    private void assertProbe(String name, Probe probe, String path) {
        assertThat(probe).as(name).isNotNull();
        assertThat(probe.getHttpGet()).as(name + " httpGet").isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(name + " path").isEqualTo(path);
        assertThat(portNumber(probe.getHttpGet().getPort())).as(name + " port").isEqualTo(MANAGEMENT_PORT);
    }

    /** A probe's port is a number or the name of one of the container's ports. */
    private int portNumber(IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return sluice.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("probe port " + port.getStrVal() + " is not a port of the container"));
    }

    SluicePod isLockedDown() {
        SecurityContext c = Optional.ofNullable(sluice.getSecurityContext()).orElseGet(SecurityContext::new);
        PodSecurityContext p = Optional.ofNullable(spec.getSecurityContext()).orElseGet(PodSecurityContext::new);
        assertThat(either(c.getRunAsNonRoot(), p.getRunAsNonRoot())).as("runAsNonRoot").isTrue();
        if (either(c.getRunAsUser(), p.getRunAsUser()) != null) {
            assertThat(either(c.getRunAsUser(), p.getRunAsUser())).as("runAsUser").isNotZero();
        }
        assertThat(c.getReadOnlyRootFilesystem()).as("readOnlyRootFilesystem").isTrue();
        assertThat(c.getAllowPrivilegeEscalation()).as("allowPrivilegeEscalation").isFalse();
        assertThat(c.getCapabilities()).as("capabilities").isNotNull();
        assertThat(c.getCapabilities().getDrop()).as("capabilities dropped").contains("ALL");
        assertThat(Optional.ofNullable(c.getCapabilities().getAdd()).orElse(List.of())).as("capabilities added").isEmpty();
        var seccomp = either(c.getSeccompProfile(), p.getSeccompProfile());
        assertThat(seccomp).as("seccompProfile").isNotNull();
        assertThat(seccomp.getType()).as("seccompProfile type").isEqualTo("RuntimeDefault");
        return this;
    }

    private static <T> T either(T container, T pod) {
        return container != null ? container : pod;
    }

    /** With a read-only root filesystem, /tmp must come from an emptyDir. */
    SluicePod hasWritableTmp() {
        VolumeMount tmp = sluice.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
                .orElseThrow(() -> new AssertionError("no volume mounted at /tmp"));
        Volume volume = spec.getVolumes().stream().filter(v -> v.getName().equals(tmp.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + tmp.getName() + " in the pod"));
        assertThat(volume.getEmptyDir()).as("/tmp volume is an emptyDir").isNotNull();
        assertThat(sluice.getVolumeMounts()).allSatisfy(m ->
                assertThat(spec.getVolumes()).extracting(Volume::getName).contains(m.getName()));
        return this;
    }

    SluicePod hasResources() {
        assertThat(sluice.getResources().getRequests()).as("requests").containsKeys("cpu", "memory");
        assertThat(sluice.getResources().getLimits()).as("limits").containsKey("memory");
        return this;
    }

    SluicePod hasGracePeriodAboveDrain() {
        assertThat(spec.getTerminationGracePeriodSeconds()).as("terminationGracePeriodSeconds")
                .isNotNull().isGreaterThan(DRAIN_SECONDS);
        return this;
    }

    /**
     * Every variable Sluice gets, directly or through envFrom, names a Sluice or Quarkus property.
     *
     * @param configMaps resolves the ConfigMaps named in envFrom
     */
    SluicePod hasOnlyPropertyEnv(Function<String, ConfigMap> configMaps) {
        List<String> names = new ArrayList<>(envNames());
        for (EnvFromSource from : Optional.ofNullable(sluice.getEnvFrom()).orElse(List.of())) {
            assertThat(from.getPrefix()).as("envFrom prefix").isNull();
            assertThat(from.getSecretRef()).as("envFrom secretRef (use env with secretKeyRef)").isNull();
            names.addAll(configMaps.apply(from.getConfigMapRef().getName()).getData().keySet());
        }
        assertThat(names).isNotEmpty().allSatisfy(name -> assertThat(name).matches("(SLUICE|QUARKUS)_[A-Z0-9_]+"));
        assertThat(names).as("no variable set twice").doesNotHaveDuplicates();
        return this;
    }

    List<String> envNames() {
        return Optional.ofNullable(sluice.getEnv()).orElse(List.of()).stream().map(EnvVar::getName).toList();
    }

    Optional<EnvVar> env(String name) {
        return Optional.ofNullable(sluice.getEnv()).orElse(List.of()).stream().filter(e -> e.getName().equals(name)).findFirst();
    }

    /** All of the above; what any complete Sluice pod passes. */
    SluicePod isProductionReady(Function<String, ConfigMap> configMaps) {
        return hasProbesOnManagementPort().isLockedDown().hasWritableTmp().hasResources().hasGracePeriodAboveDrain()
                .hasOnlyPropertyEnv(configMaps);
    }
}
