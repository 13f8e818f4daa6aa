package io.sluice.credentials;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One user's secret as Sluice holds it: the version in use and, for a grace window after it was replaced, the
 * previous password. Changed by {@link SecretsManagerCredentials}' refreshes, read at every client login and new
 * backend connection.
 *
 * <p>Rotation by AWS's functions runs createSecret (a new version labelled AWSPENDING), setSecret (the database
 * now has the new password), testSecret, finishSecret (the new version becomes AWSCURRENT). Between setSecret and
 * finishSecret the database refuses the AWSCURRENT password; a refusal then makes Sluice take the AWSPENDING
 * version ({@link #offerPending}) and keep it while AWSCURRENT still labels the version it replaced.
 */
final class RotatingSecret {
    private final String user;
    private final String secretId;
    private final Duration grace;

    private SecretVersion inUse;
    /** While {@link #inUse} is a version taken from AWSPENDING: the AWSCURRENT version it replaced, or null. */
    private String replacedCurrentVersion;
    private String previousPassword;
    private Instant previousUntil;
    private Instant lastRefresh;
    private String lastError;
    private long refreshes;
    private long failures;
    private Instant lastRejectionRefresh;

    RotatingSecret(String user, String secretId, Duration grace) {
        this.user = user;
        this.secretId = secretId;
        this.grace = grace;
    }

    String secretId() {
        return secretId;
    }

    synchronized boolean loaded() {
        return inUse != null;
    }

    synchronized String versionInUse() {
        return inUse == null ? null : inUse.versionId();
    }

    /**
     * Takes the AWSCURRENT version unless it is the one in use, or, when {@code inUseRefused} is false, the one a
     * pending version in use replaced (the rotation has not finished yet). Once the backend refused the version in
     * use, AWSCURRENT is taken whatever it is: the pending password was wrong after all.
     *
     * @return whether the version in use changed
     */
    synchronized boolean offerCurrent(SecretVersion current, Instant now, boolean inUseRefused) {
        if (inUse == null) {
            inUse = current;
            return true;
        }
        if (current.versionId().equals(inUse.versionId())) {
            replacedCurrentVersion = null; // a rotation whose pending version Sluice took has finished
            return false;
        }
        if (!inUseRefused && current.versionId().equals(replacedCurrentVersion)) {
            return false;
        }
        replaceWith(current, null, now);
        return true;
    }

    /**
     * Takes an AWSPENDING version after the backend refused the version in use.
     *
     * @return whether the version in use changed
     */
    synchronized boolean offerPending(SecretVersion pending, Instant now) {
        if (inUse == null || pending.versionId().equals(inUse.versionId())) {
            return false;
        }
        replaceWith(pending, inUse.versionId(), now);
        return true;
    }

    private void replaceWith(SecretVersion next, String replacedCurrent, Instant now) {
        if (!next.secret().password().equals(inUse.secret().password())) {
            previousPassword = inUse.secret().password();
            previousUntil = now.plus(grace);
        }
        inUse = next;
        replacedCurrentVersion = replacedCurrent;
    }

    /** Records a successful read. @return whether it ends a streak of failures */
    synchronized boolean succeeded(Instant now) {
        boolean wasFailing = lastError != null;
        lastRefresh = now;
        lastError = null;
        refreshes++;
        return wasFailing;
    }

    /** Records a failed read; the version in use stays. @return whether it starts a streak of failures */
    synchronized boolean failed(String error) {
        boolean wasFailing = lastError != null;
        lastError = error;
        failures++;
        return !wasFailing;
    }

    /** Whether a refresh after a refused login is due, i.e. none ran in the last {@code gap}; if so, counts it as run. */
    synchronized boolean claimRejectionRefresh(Instant now, Duration gap) {
        if (lastRejectionRefresh != null && now.isBefore(lastRejectionRefresh.plus(gap))) {
            return false;
        }
        lastRejectionRefresh = now;
        return true;
    }

    /** The passwords a client may prove: the one in use, then the previous one until its grace window ends. */
    synchronized List<Credential> clientCredentials(Instant now) {
        if (inUse == null) {
            return List.of();
        }
        Credential current = Credential.of(user, inUse.secret().password());
        if (previousPassword == null || !now.isBefore(previousUntil)) {
            return List.of(current);
        }
        return List.of(current, Credential.of(user, previousPassword));
    }

    /** The backend login: the secret's username, which may differ from the name clients use. */
    synchronized Optional<Credential> backendLogin() {
        return inUse == null ? Optional.empty() : Optional.of(Credential.of(inUse.secret().username(), inUse.secret().password()));
    }

    synchronized Optional<HostAndPort> endpoint() {
        return inUse == null ? Optional.empty() : inUse.secret().endpoint();
    }

    synchronized CredentialStatus status() {
        return new CredentialStatus(inUse != null, "secrets-manager", lastRefresh, lastError, refreshes, failures);
    }

    @Override
    public synchronized String toString() {
        return "RotatingSecret[" + user + ", " + secretId + ", version " + (inUse == null ? "none" : inUse.versionId()) + "]";
    }
}
