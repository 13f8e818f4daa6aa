package io.sluice.credentials;

import io.sluice.testing.FakeSecretsManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.sluice.testing.FakeSecretsManager.rdsSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CombinedCredentialsTest {
    private static final Supplier<AwsCredentialsProvider> TEST_AWS =
            () -> StaticCredentialsProvider.create(AwsBasicCredentials.create(FakeSecretsManager.ACCESS_KEY, "test-secret-key"));

    private final MutableClock clock = new MutableClock();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private CombinedCredentials start(Map<String, String> properties, Supplier<AwsCredentialsProvider> aws) {
        CombinedCredentials credentials = new CombinedCredentials(TestConfig.of(properties), aws, clock);
        toClose.add(credentials::close);
        credentials.start();
        return credentials;
    }

    private FakeSecretsManager aws() throws IOException {
        FakeSecretsManager aws = FakeSecretsManager.start();
        toClose.add(aws);
        return aws;
    }

    @Test
    void configuredPasswordsNeedNoAws() {
        var credentials = start(Map.of("sluice.users.app.password", "pw", "sluice.users.other.password", "pw2"),
                () -> { throw new AssertionError("AWS set up without a user needing it"); });

        assertThat(credentials.users()).containsExactly("app", "other");
        assertThat(credentials.clientCredentials("app")).containsExactly(Credential.of("app", "pw"));
        assertThat(credentials.backendLogin("other")).contains(Credential.of("other", "pw2"));
        assertThat(credentials.backendLogin("nobody")).isEmpty();
        assertThat(credentials.usesIamAuth("app")).isFalse();
        assertThat(credentials.targetHint()).isEmpty();
        assertThat(credentials.status()).containsEntry("app", CredentialStatus.configured("config"));
        credentials.loginRejected("app");
        credentials.loginRejected("nobody");
    }

    @Test
    void reportsEveryConfigurationProblemAtOnce() {
        Map<String, String> properties = Map.of(
                "sluice.users.both.password", "pw",
                "sluice.users.both.secret-id", "s",
                "sluice.users.neither.iam-auth", "true",
                "sluice.iam.renew-after", "20m");

        assertThatThrownBy(() -> new CombinedCredentials(TestConfig.of(properties), TEST_AWS, clock))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("""
                        Invalid credentials configuration:
                          - sluice.users."both" has both password and secret-id: set only one
                          - sluice.users."neither" has neither password nor secret-id: set one
                          - sluice.users."neither".iam-auth needs sluice.aws.region: the region is part of the token's signature
                          - sluice.users."neither".iam-auth needs the database host, which the token is signed for: set sluice.backend.host \
                        (or take the user's credentials from a secret-id whose secret names the host)
                          - sluice.iam.renew-after must be more than 0 and less than 15 minutes, the tokens' lifetime; it is PT20M""");
    }

    @Test
    void iamUsersLogInToTheBackendWithATokenAndClientsWithThePassword() {
        var credentials = start(Map.of(
                "sluice.backend.host", "db.example", "sluice.backend.port", "3307", "sluice.aws.region", "us-east-1",
                "sluice.users.app.password", "pw", "sluice.users.app.iam-auth", "true",
                "sluice.users.plain.password", "pw2"), TEST_AWS);

        assertThat(credentials.usesIamAuth("app")).isTrue();
        assertThat(credentials.usesIamAuth("plain")).isFalse();
        assertThat(credentials.clientCredentials("app")).containsExactly(Credential.of("app", "pw"));
        Credential login = credentials.backendLogin("app").orElseThrow();
        assertThat(login.username()).isEqualTo("app");
        assertThat(IamAuthTokensTest.parameters(login.passwordString(), new HostAndPort("db.example", 3307)))
                .containsEntry("DBUser", "app").containsEntry("Action", "connect");
        assertThat(credentials.backendLogin("plain")).contains(Credential.of("plain", "pw2"));
        assertThat(credentials.status()).containsEntry("app", CredentialStatus.configured("config+iam"));
    }

    @Test
    void iamWithoutAwsCredentialsFailsClearlyAndShowsInStatus() {
        var credentials = start(Map.of(
                "sluice.backend.host", "db.example", "sluice.aws.region", "us-east-1",
                "sluice.users.app.password", "pw", "sluice.users.app.iam-auth", "true"),
                () -> () -> { throw SdkClientException.create("Unable to load credentials from any of the providers in the chain"); });

        assertThatThrownBy(() -> credentials.backendLogin("app")).isInstanceOf(IllegalStateException.class)
                .hasMessage("User app: cannot make an IAM authentication token: Unable to load credentials from any of the providers in the chain");
        assertThat(credentials.status().get("app").lastError())
                .isEqualTo("cannot make an IAM authentication token: Unable to load credentials from any of the providers in the chain");
        assertThat(credentials.clientCredentials("app")).containsExactly(Credential.of("app", "pw"));
    }

    @Test
    void secretUsersWithIamTakeTheHostAndUsernameFromTheSecret() throws IOException {
        FakeSecretsManager aws = aws();
        aws.put("prod/app", rdsSecret("app_iam", "pw-secret", "db.cluster-abc.us-east-1.rds.amazonaws.com", 3306));
        aws.put("prod/report", rdsSecret("report_ro", "pw-report", "db.cluster-abc.us-east-1.rds.amazonaws.com", 3306));
        aws.put("prod/nohost", rdsSecret("nohost", "pw-nohost", null, 0));
        var credentials = start(Map.of(
                "sluice.aws.region", "us-east-1", "sluice.aws.endpoint-override", aws.endpoint().toString(),
                "sluice.users.app.secret-id", "prod/app", "sluice.users.app.iam-auth", "true",
                "sluice.users.report.secret-id", FakeSecretsManager.arn("prod/report"),
                "sluice.users.nohost.secret-id", "prod/nohost", "sluice.users.nohost.iam-auth", "true",
                "sluice.users.local.password", "pw-local"), TEST_AWS);

        HostAndPort db = new HostAndPort("db.cluster-abc.us-east-1.rds.amazonaws.com", 3306);
        assertThat(credentials.users()).containsExactly("app", "local", "nohost", "report");
        assertThat(credentials.targetHint()).contains(db);
        assertThat(credentials.clientCredentials("app")).containsExactly(Credential.of("app", "pw-secret"));
        Credential login = credentials.backendLogin("app").orElseThrow();
        assertThat(login.username()).isEqualTo("app_iam");
        assertThat(IamAuthTokensTest.parameters(login.passwordString(), db)).containsEntry("DBUser", "app_iam");
        assertThat(credentials.backendLogin("report")).contains(Credential.of("report_ro", "pw-report"));
        assertThat(credentials.backendLogin("local")).contains(Credential.of("local", "pw-local"));
        assertThatThrownBy(() -> credentials.backendLogin("nohost")).isInstanceOf(IllegalStateException.class)
                .hasMessage("User nohost: cannot make an IAM authentication token: neither sluice.backend.host nor the user's secret"
                        + " names the database host the IAM token is for");

        Map<String, CredentialStatus> status = credentials.status();
        assertThat(status.get("app")).usingRecursiveComparison().ignoringFields("refreshes", "failures")
                .isEqualTo(new CredentialStatus(true, "secrets-manager+iam", clock.instant(), null, 0, 0));
        assertThat(status.get("report").source()).isEqualTo("secrets-manager");
        assertThat(status.get("local").source()).isEqualTo("config");
        assertThat(status.get("nohost").lastError()).contains("neither sluice.backend.host nor the user's secret");
        assertThat(status.toString()).doesNotContain("pw-");
    }

    @Test
    void aConfiguredBackendHostSignsTokensForItself() throws IOException {
        FakeSecretsManager aws = aws();
        aws.put("prod/app", rdsSecret("app_iam", "pw-secret", "db.cluster-abc.us-east-1.rds.amazonaws.com", 3306));
        Map<String, String> properties = new HashMap<>(Map.of(
                "sluice.backend.host", "proxy.example", "sluice.aws.region", "us-east-1",
                "sluice.aws.endpoint-override", aws.endpoint().toString(),
                "sluice.users.app.secret-id", "prod/app", "sluice.users.app.iam-auth", "true"));
        var credentials = start(properties, TEST_AWS);

        assertThat(IamAuthTokensTest.parameters(credentials.backendLogin("app").orElseThrow().passwordString(),
                new HostAndPort("proxy.example", 3306))).containsEntry("DBUser", "app_iam");
    }

    @Test
    void aRefusedLoginReachesTheSecret() throws IOException {
        FakeSecretsManager aws = aws();
        aws.put("prod/app", rdsSecret("app", "pw-one", null, 0));
        var credentials = start(Map.of(
                "sluice.backend.host", "db.example", "sluice.aws.region", "us-east-1",
                "sluice.aws.endpoint-override", aws.endpoint().toString(),
                "sluice.users.app.secret-id", "prod/app"), TEST_AWS);
        aws.put("prod/app", rdsSecret("app", "pw-two", null, 0));

        credentials.loginRejected("app");

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!credentials.backendLogin("app").orElseThrow().passwordString().equals("pw-two")) {
            assertThat(System.nanoTime()).as("refreshed within 10 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(credentials.clientCredentials("app").stream().map(Credential::passwordString)).containsExactly("pw-two", "pw-one");
    }
}
