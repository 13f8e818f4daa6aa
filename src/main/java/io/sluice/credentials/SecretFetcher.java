package io.sluice.credentials;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

import java.util.Optional;

/** Reads RDS database secrets from AWS Secrets Manager by staging label. Blocking: call it off the event loops. */
final class SecretFetcher implements AutoCloseable {
    /** The label Secrets Manager keeps on the version in use. */
    static final String AWSCURRENT = "AWSCURRENT";
    /**
     * The label a rotation puts on the next version (createSecret) before setting it in the database (setSecret)
     * and making it current (finishSecret).
     */
    static final String AWSPENDING = "AWSPENDING";

    private final SecretsManagerClient client;

    SecretFetcher(SecretsManagerClient client) {
        this.client = client;
    }

    /** The version in use. */
    SecretVersion current(String secretId) throws SecretUnavailableException {
        return fetch(secretId, AWSCURRENT).orElseThrow(() -> new SecretUnavailableException("secret " + secretId + " not found"));
    }

    /** The version a rotation in progress is setting, or empty when no rotation is in progress. */
    Optional<SecretVersion> pending(String secretId) throws SecretUnavailableException {
        return fetch(secretId, AWSPENDING);
    }

    private Optional<SecretVersion> fetch(String secretId, String stage) throws SecretUnavailableException {
        GetSecretValueResponse response;
        try {
            response = client.getSecretValue(b -> b.secretId(secretId).versionStage(stage));
        } catch (ResourceNotFoundException e) {
            // Also what Secrets Manager answers when the secret exists but no version carries the label.
            return Optional.empty();
        } catch (SdkException e) {
            throw new SecretUnavailableException("reading secret " + secretId + " failed: " + describe(e));
        }
        if (response.secretString() == null) {
            throw new SecretUnavailableException("secret " + secretId + " holds binary data, not an RDS database secret");
        }
        try {
            return Optional.of(new SecretVersion(response.versionId(), RdsSecret.parse(response.secretString())));
        } catch (IllegalArgumentException e) {
            throw new SecretUnavailableException("secret " + secretId + " (" + stage + " version " + response.versionId()
                    + ") is not an RDS database secret: " + e.getMessage());
        }
    }

    /** AWS error code and message, or the client-side cause (e.g. connection refused); responses are never quoted. */
    private static String describe(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            return service.awsErrorDetails().errorCode() + " (HTTP " + service.statusCode() + "): " + service.awsErrorDetails().errorMessage();
        }
        return e.getMessage();
    }

    @Override
    public void close() {
        client.close();
    }
}
