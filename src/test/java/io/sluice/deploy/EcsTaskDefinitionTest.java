package io.sluice.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ecs/task-definition.json, read strictly into the AWS SDK's model of RegisterTaskDefinition (what
 * `aws ecs register-task-definition --cli-input-json` takes): an unknown or misspelled field fails.
 */
class EcsTaskDefinitionTest {
    private static final Path FILE = Path.of("ecs/task-definition.json");
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static RegisterTaskDefinitionRequest task;

    @BeforeAll
    static void read() throws IOException {
        task = read(Files.readString(FILE));
    }

    static RegisterTaskDefinitionRequest read(String json) throws IOException {
        return ((RegisterTaskDefinitionRequest.Builder) STRICT.readValue(json,
                RegisterTaskDefinitionRequest.serializableBuilderClass())).build();
    }

    private static ContainerDefinition container(String name) {
        return task.containerDefinitions().stream().filter(c -> name.equals(c.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    @Test
    void taskLevelFields() {
        assertThat(task.family()).isNotBlank();
        assertThat(task.networkMode()).as("containers share localhost only in awsvpc").isEqualTo(NetworkMode.AWSVPC);
        assertThat(task.requiresCompatibilities()).containsExactly(Compatibility.FARGATE);
        assertThat(task.cpu()).isNotBlank();
        assertThat(task.memory()).isNotBlank();
        assertThat(task.executionRoleArn()).as("pulls the image, reads the secrets, writes the logs").matches("arn:aws:iam::[0-9]{12}:role/.+");
        assertThat(task.taskRoleArn()).as("Sluice's own AWS calls").matches("arn:aws:iam::[0-9]{12}:role/.+");
        assertThat(task.containerDefinitions()).allSatisfy(c -> {
            assertThat(c.name()).isNotBlank();
            assertThat(c.image()).isNotBlank();
            assertThat(c.essential()).as(c.name() + " essential").isTrue();
            assertThat(c.logConfiguration().logDriver()).isEqualTo(LogDriver.AWSLOGS);
            assertThat(c.logConfiguration().options()).containsKeys("awslogs-group", "awslogs-region", "awslogs-stream-prefix");
            assertThat(c.secrets()).allSatisfy(s -> assertThat(s.valueFrom()).startsWith("arn:aws:secretsmanager:"));
            assertThat(c.dependsOn()).allSatisfy(d -> assertThat(d.condition()).isNotEqualTo(ContainerCondition.UNKNOWN_TO_SDK_VERSION));
        });
    }

    @Test
    void sluiceIsAnEssentialHealthCheckedCompanion() {
        ContainerDefinition sluice = container("sluice");
        assertThat(sluice.essential()).isTrue();
        List<String> command = sluice.healthCheck().command();
        assertThat(command.getFirst()).isIn("CMD", "CMD-SHELL");
        assertThat(String.join(" ", command)).contains("127.0.0.1/9000", "/q/health/live");
        // ECS's limits on health-check timing.
        assertThat(sluice.healthCheck().interval()).isBetween(5, 300);
        assertThat(sluice.healthCheck().timeout()).isBetween(2, 120).isLessThan(sluice.healthCheck().interval());
        assertThat(sluice.healthCheck().retries()).isBetween(1, 10);
        assertThat(sluice.healthCheck().startPeriod()).isBetween(0, 300);
        // Fargate allows up to 120 s; more than the drain.
        assertThat(sluice.stopTimeout()).isGreaterThan((int) SluicePod.DRAIN_SECONDS).isLessThanOrEqualTo(120);
        assertThat(sluice.readonlyRootFilesystem()).isTrue();
        assertThat(sluice.mountPoints()).anySatisfy(m -> assertThat(m.containerPath()).isEqualTo("/tmp"));
        assertThat(sluice.linuxParameters().capabilities().drop()).contains("ALL");
        assertThat(sluice.user()).isNotIn("0", "root");
        assertThat(sluice.environment()).extracting(KeyValuePair::name).contains("SLUICE_BACKEND_HOST");
        assertThat(Stream.concat(sluice.environment().stream().map(KeyValuePair::name), sluice.secrets().stream().map(Secret::name)))
                .allSatisfy(name -> assertThat(name).matches("(SLUICE|QUARKUS)_[A-Z0-9_]+"))
                .doesNotHaveDuplicates();
        assertThat(sluice.secrets()).extracting(Secret::name).contains("SLUICE_USERS__APP__PASSWORD");
        assertThat(sluice.environment()).contains(KeyValuePair.builder().name("SLUICE_LISTEN_HOST").value("127.0.0.1").build());
    }

    @Test
    void appStartsAfterSluiceIsHealthyAndStopsBeforeIt() {
        ContainerDefinition app = container("app");
        // Stop order is start order reversed: the app gets SIGTERM first, Sluice once the app has exited.
        assertThat(app.dependsOn()).singleElement().satisfies(d -> {
            assertThat(d.containerName()).isEqualTo("sluice");
            assertThat(d.condition()).isEqualTo(ContainerCondition.HEALTHY);
        });
        assertThat(app.stopTimeout()).isNotNull();
        assertThat(app.environment()).contains(KeyValuePair.builder().name("DB_URL").value("jdbc:mysql://127.0.0.1:6033/orders").build());
    }

    @Test
    void dockerfilesRunTheSameHealthCheckAsEcs() throws IOException {
        String script = container("sluice").healthCheck().command().getLast();
        for (Path dockerfile : List.of(Path.of("Dockerfile.native"), Path.of("src/main/docker/Dockerfile.jvm"))) {
            Matcher m = Pattern.compile("HEALTHCHECK [^\\n]*\\\\\\n\\s*CMD (\\[.*])").matcher(Files.readString(dockerfile));
            assertThat(m.find()).as(dockerfile + " HEALTHCHECK").isTrue();
            List<?> command = STRICT.readValue(m.group(1), List.class);
            assertThat(command.getLast()).as(dockerfile.toString()).isEqualTo(script);
        }
    }

    @Test
    void strictReadingRejectsAMisspelledField() {
        try {
            read("{\"family\": \"x\", \"containerDefinitions\": [{\"name\": \"x\", \"stopTimout\": 30}]}");
            throw new IllegalStateException("accepted a misspelled field");
        } catch (IOException expected) {
            assertThat(expected.getMessage()).contains("stopTimout");
        }
    }
}
