package io.sluice.credentials;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** IAM tokens signed offline by the real SDK with static credentials. */
class IamAuthTokensTest {
    private static final HostAndPort DB = new HostAndPort("db.cluster-abc.us-east-1.rds.amazonaws.com", 3306);
    private static final Duration RENEW_AFTER = Duration.ofMinutes(10);

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger signed = new AtomicInteger();
    private final IamAuthTokens.Signer sdk = IamAuthTokens.signer(AwsClients.rdsUtilities("us-east-1",
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSLUICETEST", "test-secret-key"))));
    private final IamAuthTokens tokens = new IamAuthTokens((endpoint, user) -> {
        signed.incrementAndGet();
        return sdk.sign(endpoint, user);
    }, RENEW_AFTER, clock);

    /** A token is {@code host:port/?query}; the SDK does not fix the order of the query's parameters. */
    static Map<String, String> parameters(String token, HostAndPort endpoint) {
        String prefix = endpoint + "/?";
        assertThat(token).startsWith(prefix);
        Map<String, String> parameters = new HashMap<>();
        for (String pair : token.substring(prefix.length()).split("&")) {
            int eq = pair.indexOf('=');
            parameters.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return parameters;
    }

    @Test
    void aTokenIsAPresignedConnectForTheUserValidFifteenMinutes() {
        Map<String, String> query = parameters(tokens.token(DB, "app_iam"), DB);

        assertThat(query).containsEntry("Action", "connect")
                .containsEntry("DBUser", "app_iam")
                .containsEntry("X-Amz-Expires", "900")
                .containsEntry("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
                .containsEntry("X-Amz-SignedHeaders", "host")
                .containsKeys("X-Amz-Date", "X-Amz-Signature");
        assertThat(query.get("X-Amz-Credential")).startsWith("AKIDSLUICETEST/").endsWith("/us-east-1/rds-db/aws4_request");
        assertThat(Duration.ofSeconds(Long.parseLong(query.get("X-Amz-Expires")))).isEqualTo(CredentialConfigCheck.IAM_TOKEN_LIFETIME);
    }

    @Test
    void aTokenIsReusedUntilRenewAfterThenSignedAgain() {
        String first = tokens.token(DB, "app_iam");
        clock.advance(RENEW_AFTER.minusSeconds(1));
        assertThat(tokens.token(DB, "app_iam")).isSameAs(first);
        assertThat(signed).hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        String renewed = tokens.token(DB, "app_iam");

        assertThat(signed).hasValue(2);
        assertThat(parameters(renewed, DB)).containsEntry("DBUser", "app_iam");
        assertThat(tokens.token(DB, "app_iam")).isSameAs(renewed);
    }

    @Test
    void eachUserAndEndpointHasItsOwnTokenAndForgettingOneSignsItAgain() {
        HostAndPort other = new HostAndPort("replica.example", 3307);
        assertThat(parameters(tokens.token(DB, "a"), DB)).containsEntry("DBUser", "a");
        assertThat(parameters(tokens.token(DB, "b"), DB)).containsEntry("DBUser", "b");
        assertThat(parameters(tokens.token(other, "a"), other)).containsEntry("DBUser", "a");
        assertThat(signed).hasValue(3);

        tokens.forget("a");
        tokens.token(DB, "a");
        tokens.token(DB, "b");
        tokens.token(other, "a");

        assertThat(signed).hasValue(5);
    }
}
