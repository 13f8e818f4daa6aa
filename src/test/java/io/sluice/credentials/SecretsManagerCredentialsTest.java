package io.sluice.credentials;

import io.sluice.config.SluiceConfig;
import io.sluice.testing.FakeSecretsManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

import static io.sluice.testing.FakeSecretsManager.rdsSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SecretsManagerCredentials} with the real SDK client against a local Secrets Manager. */
class SecretsManagerCredentialsTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration GRACE = Duration.ofMinutes(15);

    private final MutableClock clock = new MutableClock();
    private final List<SecretsManagerCredentials> started = new ArrayList<>();
    private FakeSecretsManager aws;

    @BeforeEach
    void startAws() throws IOException {
        aws = FakeSecretsManager.start();
    }

    @AfterEach
    void stop() {
        started.forEach(SecretsManagerCredentials::close);
        aws.close();
    }

    private SecretsManagerCredentials start(Map<String, String> secretIdByUser, Duration refreshInterval) {
        return start(secretIdByUser, refreshInterval, aws.endpoint());
    }

    private SecretsManagerCredentials start(Map<String, String> secretIdByUser, Duration refreshInterval, URI endpoint) {
        SluiceConfig.Aws settings = new SluiceConfig.Aws() {
            @Override
            public Optional<String> region() {
                return Optional.of(FakeSecretsManager.REGION);
            }

            @Override
            public Optional<URI> endpointOverride() {
                return Optional.of(endpoint);
            }
        };
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(FakeSecretsManager.ACCESS_KEY, "test-secret-key"));
        var source = new SecretsManagerCredentials(secretIdByUser, new SecretFetcher(AwsClients.secretsManager(settings, credentials)),
                refreshInterval, GRACE, clock);
        started.add(source);
        source.start();
        return source;
    }

    private static List<String> passwords(List<Credential> credentials) {
        return credentials.stream().map(Credential::passwordString).toList();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void readsAndParsesTheRdsSecret() {
        aws.put("prod/app", rdsSecret("app_rw", "pw-one", "db.cluster-abc.us-east-1.rds.amazonaws.com", 3307));

        var source = start(Map.of("app", "prod/app"), HOUR);

        assertThat(source.users()).containsExactly("app");
        assertThat(source.clientCredentials("app")).containsExactly(Credential.of("app", "pw-one"));
        // The backend user is the secret's, not the name clients log in with.
        assertThat(source.backendLogin("app")).contains(Credential.of("app_rw", "pw-one"));
        assertThat(source.status().get("app")).usingRecursiveComparison().ignoringFields("refreshes", "failures")
                .isEqualTo(new CredentialStatus(true, "secrets-manager", clock.instant(), null, 0, 0));
        assertThat(source.targetHint()).contains(new HostAndPort("db.cluster-abc.us-east-1.rds.amazonaws.com", 3307));
        assertThat(source.clientCredentials("nobody")).isEmpty();
        assertThat(source.backendLogin("nobody")).isEmpty();
    }

    @Test
    void takesAnArnAndASecretWithoutHost() {
        aws.put("prod/app", rdsSecret("app", "pw-one", null, 0));

        var source = start(Map.of("app", FakeSecretsManager.arn("prod/app")), HOUR);

        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-one"));
        assertThat(source.targetHint()).isEmpty();
    }

    @Test
    void refreshesOnSchedule() throws InterruptedException {
        aws.put("prod/app", rdsSecret("app", "pw-one", null, 0));
        var source = start(Map.of("app", "prod/app"), Duration.ofMillis(100));

        aws.put("prod/app", rdsSecret("app", "pw-two", null, 0));

        await(() -> source.backendLogin("app").orElseThrow().passwordString().equals("pw-two"));
        int requests = aws.requestedStages().size();
        await(() -> aws.requestedStages().size() >= requests + 2); // and keeps refreshing
    }

    @Test
    void acceptsThePreviousPasswordDuringTheGraceWindowOnly() {
        aws.put("prod/app", rdsSecret("app", "pw-one", null, 0));
        var source = start(Map.of("app", "prod/app"), HOUR);

        aws.put("prod/app", rdsSecret("app", "pw-two", null, 0));
        source.refreshNow("app").join();

        assertThat(passwords(source.clientCredentials("app"))).containsExactly("pw-two", "pw-one");
        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-two"));
        clock.advance(GRACE.minusSeconds(1));
        assertThat(passwords(source.clientCredentials("app"))).containsExactly("pw-two", "pw-one");
        clock.advance(Duration.ofSeconds(1));
        assertThat(passwords(source.clientCredentials("app"))).containsExactly("pw-two");
    }

    @Test
    void anUnchangedSecretKeepsNoPreviousPassword() {
        aws.put("prod/app", rdsSecret("app", "pw-one", null, 0));
        var source = start(Map.of("app", "prod/app"), HOUR);

        source.refreshNow("app").join();

        assertThat(passwords(source.clientCredentials("app"))).containsExactly("pw-one");
    }

    @Test
    void aRefusedLoginRefreshesAtOnceButNotMoreThanOnceEveryFiveSeconds() {
        aws.put("prod/app", rdsSecret("app", "pw-one", null, 0));
        var source = start(Map.of("app", "prod/app"), HOUR);
        aws.put("prod/app", rdsSecret("app", "pw-two", null, 0));

        source.refreshAfterRejection("app").join();
        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-two"));

        aws.put("prod/app", rdsSecret("app", "pw-three", null, 0));
        int requests = aws.requestedStages().size();
        source.loginRejected("app");
        source.refreshAfterRejection("app").join();
        assertThat(aws.requestedStages()).hasSize(requests);
        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-two"));

        clock.advance(SecretsManagerCredentials.REJECTION_REFRESH_GAP);
        source.refreshAfterRejection("app").join();
        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-three"));
    }

    @Test
    void aRefusedLoginDuringRotationTakesThePendingVersionUntilTheRotationFinishes() {
        aws.put("prod/app", rdsSecret("app", "pw-one", null, 0));
        var source = start(Map.of("app", "prod/app"), HOUR);
        // createSecret, then setSecret changed the database: AWSCURRENT still holds pw-one.
        aws.putPending("prod/app", rdsSecret("app", "pw-two", null, 0));

        source.refreshAfterRejection("app").join();

        assertThat(aws.requestedStages()).endsWith("AWSCURRENT", "AWSPENDING");
        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-two"));
        assertThat(passwords(source.clientCredentials("app"))).containsExactly("pw-two", "pw-one");

        // A scheduled refresh before finishSecret must not go back to the password the database no longer has.
        source.refreshNow("app").join();
        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-two"));

        aws.finishRotation("prod/app");
        source.refreshNow("app").join();
        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-two"));
        clock.advance(GRACE);
        assertThat(passwords(source.clientCredentials("app"))).containsExactly("pw-two");
    }

    @Test
    void aRefusedPendingPasswordGoesBackToTheCurrentOne() {
        aws.put("prod/app", rdsSecret("app", "pw-one", null, 0));
        var source = start(Map.of("app", "prod/app"), HOUR);
        aws.putPending("prod/app", rdsSecret("app", "pw-two", null, 0));
        source.refreshAfterRejection("app").join();
        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-two"));

        // setSecret had not run after all: the database refuses the pending password too.
        clock.advance(SecretsManagerCredentials.REJECTION_REFRESH_GAP);
        source.refreshAfterRejection("app").join();

        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-one"));
    }

    @Test
    void aRefusedLoginWithNothingNewerKeepsTheSecret() {
        aws.put("prod/app", rdsSecret("app", "pw-one", null, 0));
        var source = start(Map.of("app", "prod/app"), HOUR);

        source.refreshAfterRejection("app").join();

        assertThat(aws.requestedStages()).endsWith("AWSCURRENT", "AWSPENDING");
        assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-one"));
        assertThat(source.status().get("app").lastError()).isNull();
    }

    @Test
    void anOutageKeepsTheCachedSecretAndShowsTheErrorWarningOncePerStreak() {
        aws.put("prod/app", rdsSecret("app", "pw-one", null, 0));
        var source = start(Map.of("app", "prod/app"), HOUR);
        var loadedAt = clock.instant();

        try (LogCapture logs = new LogCapture()) {
            aws.outage(true);
            clock.advance(Duration.ofMinutes(5));
            source.refreshNow("app").join();
            source.refreshNow("app").join();

            assertThat(source.backendLogin("app")).contains(Credential.of("app", "pw-one"));
            assertThat(source.clientCredentials("app")).containsExactly(Credential.of("app", "pw-one"));
            CredentialStatus status = source.status().get("app");
            assertThat(status.loaded()).isTrue();
            assertThat(status.lastRefresh()).isEqualTo(loadedAt);
            assertThat(status.lastError()).contains("reading secret prod/app failed");
            assertThat(warnings(logs)).hasSize(1);
            assertThat(warnings(logs).getFirst()).contains("cached credentials keep serving");

            aws.outage(false);
            source.refreshNow("app").join();
            assertThat(source.status().get("app")).usingRecursiveComparison().ignoringFields("refreshes", "failures")
                .isEqualTo(new CredentialStatus(true, "secrets-manager", clock.instant(), null, 0, 0));
            assertThat(logs.messages()).anyMatch(m -> m.contains("readable again"));
        }
    }

    private static List<String> warnings(LogCapture logs) {
        return logs.records().stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .filter(r -> r.getLoggerName().startsWith("io.sluice")).map(r -> r.getMessage() + " " + List.of(
                        r.getParameters() == null ? new Object[0] : r.getParameters())).toList();
    }

    @Test
    void aSecretNeverReadLeavesItsUserRefusedAndSaysWhy() throws IOException {
        URI closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = URI.create("http://127.0.0.1:" + s.getLocalPort());
        }

        var source = start(Map.of("app", "prod/app"), HOUR, closedPort);

        assertThat(source.clientCredentials("app")).isEmpty();
        assertThat(source.backendLogin("app")).isEmpty();
        CredentialStatus status = source.status().get("app");
        assertThat(status.loaded()).isFalse();
        assertThat(status.lastRefresh()).isNull();
        assertThat(status.lastError()).contains("reading secret prod/app failed");
    }

    @Test
    void reportsAMissingOrMalformedSecret() {
        aws.put("prod/text", "not json, but the password hunter2");

        var source = start(Map.of("app", "prod/missing", "text", "prod/text"), HOUR);

        assertThat(source.status().get("app").lastError()).isEqualTo("secret prod/missing not found");
        assertThat(source.status().get("text").lastError()).startsWith("secret prod/text (AWSCURRENT version ")
                .endsWith(") is not an RDS database secret: not a JSON object")
                .doesNotContain("hunter2");
    }

    @Test
    void secretsNamingDifferentDatabasesGiveNoTargetHint() {
        aws.put("a", rdsSecret("a", "pw-a", "db-one", 3306));
        aws.put("b", rdsSecret("b", "pw-b", "db-two", 3306));
        aws.put("c", rdsSecret("c", "pw-c", "db-two", 3306));

        var source = start(Map.of("a", "a", "b", "b", "c", "c"), HOUR);

        assertThatThrownBy(source::targetHint).isInstanceOf(IllegalStateException.class)
                .hasMessage("The users' secrets name different databases (db-one:3306 for a; db-two:3306 for b, c), "
                        + "but Sluice serves one: set sluice.backend.host");
    }

    @Test
    void noPasswordEverReachesLogsStatusOrToString() {
        List<String> passwords = List.of("pw-one-8c1f", "pw-two-77ae", "pw-three-d2b0");
        try (LogCapture logs = new LogCapture()) {
            aws.put("prod/app", rdsSecret("app_rw", passwords.get(0), "db", 3306));
            var source = start(Map.of("app", "prod/app"), HOUR);
            aws.put("prod/app", rdsSecret("app_rw", passwords.get(1), "db", 3306));
            source.refreshNow("app").join();
            aws.putPending("prod/app", rdsSecret("app_rw", passwords.get(2), "db", 3306));
            source.refreshAfterRejection("app").join();
            aws.outage(true);
            source.refreshNow("app").join();
            aws.outage(false);
            source.refreshNow("app").join();
            assertThat(source.backendLogin("app").orElseThrow().passwordString()).isEqualTo(passwords.get(2));

            List<String> visible = new ArrayList<>(logs.messages());
            visible.add(source.status().toString());
            visible.add(source.clientCredentials("app").toString());
            visible.add(source.backendLogin("app").toString());
            visible.add(RdsSecret.parse(rdsSecret("app_rw", passwords.get(0), "db", 3306)).toString());
            assertThat(logs.messages()).anyMatch(m -> m.contains("software.amazon.awssdk")); // the SDK's records are captured too
            for (String text : visible) {
                for (String password : passwords) {
                    assertThat(text).doesNotContain(password);
                }
            }
        }
    }
}
