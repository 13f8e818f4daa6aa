package io.sluice.credentials;

import io.sluice.config.SluiceConfig;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.time.Duration;

/**
 * Builds the AWS SDK clients of the credentials package. HTTP goes through the JDK's URL connection (the SDK's
 * Netty and Apache clients are excluded from the build), and calls are bounded, so that an unreachable
 * Secrets Manager delays only the refresh thread while cached secrets keep serving.
 */
final class AwsClients {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    /** Across the SDK's retries of one call. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private AwsClients() {
    }

    static SecretsManagerClient secretsManager(SluiceConfig.Aws aws, AwsCredentialsProvider credentials) {
        var builder = SecretsManagerClient.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT).socketTimeout(READ_TIMEOUT))
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o.apiCallTimeout(CALL_TIMEOUT));
        aws.region().map(Region::of).ifPresent(builder::region);
        aws.endpointOverride().ifPresent(builder::endpointOverride);
        try {
            return builder.build();
        } catch (SdkClientException e) {
            // Typically no region: neither configured nor found in AWS_REGION, a profile or instance metadata.
            throw new IllegalStateException("Cannot create the Secrets Manager client (set sluice.aws.region?): " + e.getMessage(), e);
        }
    }

    static RdsUtilities rdsUtilities(String region, AwsCredentialsProvider credentials) {
        return RdsUtilities.builder().region(Region.of(region)).credentialsProvider(credentials).build();
    }
}
