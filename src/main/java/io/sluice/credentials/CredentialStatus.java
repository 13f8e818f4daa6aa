package io.sluice.credentials;

import java.time.Instant;

/**
 * How a user's credentials stand, safe to show in health output and metrics.
 *
 * @param loaded       a usable credential is held
 * @param source       where the password comes from, {@code config} or {@code secrets-manager}, with {@code +iam}
 *                     appended when the backend login is an IAM token instead
 * @param lastRefresh  when it was last fetched successfully, or null
 * @param lastError    why the last fetch failed (never containing the secret), or null when it succeeded
 * @param refreshes    successful fetches so far
 * @param failures     failed fetches so far
 */
public record CredentialStatus(boolean loaded, String source, Instant lastRefresh, String lastError, long refreshes, long failures) {

    /** Credentials that are never fetched (given in configuration). */
    public static CredentialStatus configured(String source) {
        return new CredentialStatus(true, source, null, null, 0, 0);
    }
}
