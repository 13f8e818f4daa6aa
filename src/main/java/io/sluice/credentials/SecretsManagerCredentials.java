package io.sluice.credentials;

import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Users whose credentials are AWS Secrets Manager secrets ({@code sluice.users."<name>".secret-id}): each secret
 * is cached, read again every {@code sluice.secrets.refresh-interval}, and at once (at most every
 * {@link #REJECTION_REFRESH_GAP}) when the backend refuses its login. While Secrets Manager cannot be reached the
 * cached value keeps serving and {@link #status()} shows the error.
 *
 * <p>After the first reads, every read runs on one daemon thread of its own, so reads of a secret never overlap
 * and never block an event loop or a client.
 */
final class SecretsManagerCredentials implements CredentialSource, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SecretsManagerCredentials.class);

    /**
     * At most one refresh per user this often after a refused login: a pool opening many connections with a wrong
     * password would otherwise read the secret once per connection, against Secrets Manager's request quota.
     */
    static final Duration REJECTION_REFRESH_GAP = Duration.ofSeconds(5);
    /** A secret never read yet is retried this often (unless the refresh interval is shorter): its users are refused meanwhile. */
    static final Duration UNLOADED_RETRY = Duration.ofSeconds(10);

    private final Map<String, RotatingSecret> secrets = new TreeMap<>();
    private final SecretFetcher fetcher;
    private final Duration refreshInterval;
    private final Duration grace;
    private final Clock clock;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sluice-secrets-refresh").daemon().factory());

    /**
     * @param secretIdByUser  secret name or ARN per client-facing user name
     * @param grace           how long the previous password stays valid for clients after a change
     */
    SecretsManagerCredentials(Map<String, String> secretIdByUser, SecretFetcher fetcher, Duration refreshInterval,
                              Duration grace, Clock clock) {
        secretIdByUser.forEach((user, secretId) -> secrets.put(user, new RotatingSecret(user, secretId, grace)));
        this.fetcher = fetcher;
        this.refreshInterval = refreshInterval;
        this.grace = grace;
        this.clock = clock;
    }

    /**
     * Reads every secret once, waiting for the reads so that clients can log in as soon as Sluice listens, then
     * keeps them fresh in the background. A secret that cannot be read is retried; its users are refused until then.
     * The first reads run side by side: with Secrets Manager unreachable each can take the SDK's whole call timeout.
     */
    void start() {
        try (var firstReads = Executors.newVirtualThreadPerTaskExecutor()) {
            secrets.keySet().forEach(user -> firstReads.submit(() -> refresh(user)));
        }
        secrets.keySet().forEach(this::scheduleRefresh);
    }

    private void scheduleRefresh(String user) {
        Duration delay = secrets.get(user).loaded() || refreshInterval.compareTo(UNLOADED_RETRY) < 0 ? refreshInterval : UNLOADED_RETRY;
        try {
            refresher.schedule(() -> {
                try {
                    refresh(user);
                } finally {
                    scheduleRefresh(user);
                }
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // close() was called: no more refreshes.
        }
    }

    /** Reads {@code user}'s secret now, on the refresh thread. */
    CompletableFuture<Void> refreshNow(String user) {
        return CompletableFuture.runAsync(() -> refresh(user), refresher);
    }

    @Override
    public void loginRejected(String user) {
        refreshAfterRejection(user);
    }

    /**
     * The backend refused {@code user}'s login: reads AWSCURRENT, and if that is already in use, AWSPENDING, since
     * during a rotation the database has the pending password before Secrets Manager calls it current.
     * Completes at once, without reading, if a refresh for a refusal ran less than {@link #REJECTION_REFRESH_GAP} ago.
     */
    CompletableFuture<Void> refreshAfterRejection(String user) {
        RotatingSecret secret = secrets.get(user);
        if (secret == null || !secret.claimRejectionRefresh(clock.instant(), REJECTION_REFRESH_GAP)) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return CompletableFuture.runAsync(() -> read(user, secret, true), refresher);
        } catch (RejectedExecutionException closing) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private void refresh(String user) {
        read(user, secrets.get(user), false);
    }

    /**
     * Reads AWSCURRENT and takes it if it is new. When the backend refused the version in use, it reads AWSPENDING too
     * if AWSCURRENT is that version; otherwise it keeps the version in use while AWSCURRENT still labels the version a
     * pending one replaced (the rotation has not finished).
     */
    private void read(String user, RotatingSecret secret, boolean inUseRefused) {
        try {
            SecretVersion current = fetcher.current(secret.secretId());
            Instant now = clock.instant();
            recovered(user, secret, now);
            String before = secret.versionInUse();
            if (secret.offerCurrent(current, now, inUseRefused)) {
                changed(user, secret, before, "AWSCURRENT");
                return;
            }
            if (!inUseRefused) {
                return;
            }
            Optional<SecretVersion> pending = fetcher.pending(secret.secretId());
            if (pending.isPresent() && secret.offerPending(pending.get(), now)) {
                changed(user, secret, before, "AWSPENDING, rotation in progress");
                return;
            }
            LOG.warnf("User %s: the backend refused the login from secret %s (version %s), which is its latest", user,
                    secret.secretId(), before);
        } catch (SecretUnavailableException e) {
            failed(user, secret, e);
        } catch (RuntimeException e) {
            // A bug rather than an outage, said loudly since an executor would swallow it; the cached secret stays.
            LOG.errorf(e, "User %s: reading secret %s failed", user, secret.secretId());
        }
    }

    private void changed(String user, RotatingSecret secret, String before, String label) {
        if (before == null) {
            LOG.infof("User %s: loaded secret %s (version %s)", user, secret.secretId(), secret.versionInUse());
        } else {
            LOG.infof("User %s: secret %s changed to version %s (%s), replacing %s; a changed password's predecessor stays valid for clients for %s",
                    user, secret.secretId(), secret.versionInUse(), label, before, grace);
        }
    }

    private static void recovered(String user, RotatingSecret secret, Instant now) {
        if (secret.succeeded(now)) {
            LOG.infof("User %s: secret %s is readable again", user, secret.secretId());
        }
    }

    /** Warns once per streak of failures: a Secrets Manager outage would otherwise log at every refresh. */
    private static void failed(String user, RotatingSecret secret, SecretUnavailableException e) {
        if (secret.failed(e.getMessage())) {
            LOG.warnf("User %s: %s; %s", user, e.getMessage(),
                    secret.loaded() ? "the cached credentials keep serving" : "its clients are refused until it can be read");
        }
    }

    @Override
    public List<Credential> clientCredentials(String user) {
        RotatingSecret secret = secrets.get(user);
        return secret == null ? List.of() : secret.clientCredentials(clock.instant());
    }

    @Override
    public Optional<Credential> backendLogin(String user) {
        RotatingSecret secret = secrets.get(user);
        return secret == null ? Optional.empty() : secret.backendLogin();
    }

    @Override
    public Set<String> users() {
        return Collections.unmodifiableSet(secrets.keySet());
    }

    @Override
    public Map<String, CredentialStatus> status() {
        Map<String, CredentialStatus> status = new TreeMap<>();
        secrets.forEach((user, secret) -> status.put(user, secret.status()));
        return status;
    }

    /** The database {@code user}'s secret names, if it is loaded and has a host. */
    Optional<HostAndPort> endpoint(String user) {
        RotatingSecret secret = secrets.get(user);
        return secret == null ? Optional.empty() : secret.endpoint();
    }

    @Override
    public Optional<HostAndPort> targetHint() {
        Map<HostAndPort, List<String>> usersByEndpoint = new TreeMap<>(Comparator.comparing(HostAndPort::toString));
        secrets.forEach((user, secret) -> secret.endpoint().ifPresent(e -> usersByEndpoint.computeIfAbsent(e, k -> new ArrayList<>()).add(user)));
        if (usersByEndpoint.size() > 1) {
            throw new IllegalStateException("The users' secrets name different databases ("
                    + usersByEndpoint.entrySet().stream().map(e -> e.getKey() + " for " + String.join(", ", e.getValue()))
                            .collect(Collectors.joining("; "))
                    + "), but Sluice serves one: set sluice.backend.host");
        }
        return usersByEndpoint.keySet().stream().findFirst();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        fetcher.close();
    }
}
