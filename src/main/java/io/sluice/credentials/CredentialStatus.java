package io.sluice.credentials;

import java.time.Instant;

/**
 * How a user's credentials stand, safe to show in health output and metrics.
 *
 * @param loaded       a usable credential is held
 * @param source       where it comes from: {@code config}, {@code secrets-manager}, {@code iam}
 * @param lastRefresh  when it was last fetched successfully, or null
 * @param lastError    why the last fetch failed (never containing the secret), or null when it succeeded
 */
public record CredentialStatus(boolean loaded, String source, Instant lastRefresh, String lastError) {
}
