package io.sluice.credentials;

/** One version of a secret, identified by Secrets Manager's {@code VersionId}, which rotation never reuses. */
record SecretVersion(String versionId, RdsSecret secret) {
}
