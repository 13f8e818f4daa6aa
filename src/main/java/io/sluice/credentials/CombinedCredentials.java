package io.sluice.credentials;

import io.sluice.config.SluiceConfig;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The {@link CredentialSource} of Sluice: per user, the password from configuration or from a Secrets Manager
 * secret, and the backend login with that password or, for {@code iam-auth} users, with an RDS IAM token.
 * The AWS SDK is only set up when some user needs it; the settings are checked first (see
 * {@link CredentialConfigCheck}).
 */
// A singleton, not application-scoped: no client proxy, whose context lookup ran at every login.
@Singleton
public class CombinedCredentials implements CredentialSource {
    private static final Logger LOG = Logger.getLogger(CombinedCredentials.class);

    /** The source of each user's password. */
    private final Map<String, CredentialSource> sourceByUser = new TreeMap<>();
    private final ConfiguredCredentials configured;
    /** Null when no user has a secret-id. */
    private final SecretsManagerCredentials secrets;
    /** Null when no user has iam-auth. */
    private final IamAuthTokens iamTokens;
    private final Set<String> iamUsers;
    private final Optional<HostAndPort> configuredBackend;
    /** Why the last IAM token of a user could not be made, until one can. */
    private final Map<String, String> iamErrors = new ConcurrentHashMap<>();

    @Inject
    public CombinedCredentials(SluiceConfig config) {
        this(config, () -> DefaultCredentialsProvider.builder().build(), Clock.systemUTC());
    }

    /** @param awsCredentials called only if some user needs AWS; tests pass static credentials */
    CombinedCredentials(SluiceConfig config, Supplier<AwsCredentialsProvider> awsCredentials, Clock clock) {
        CredentialConfigCheck.validate(config);
        configuredBackend = config.backend().host().map(host -> new HostAndPort(host, config.backend().port()));
        configured = new ConfiguredCredentials(config);
        Map<String, String> secretIds = new TreeMap<>();
        config.users().forEach((name, user) -> user.secretId().ifPresent(id -> secretIds.put(name, id)));
        iamUsers = config.users().entrySet().stream().filter(e -> e.getValue().iamAuth()).map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());

        AwsCredentialsProvider aws = secretIds.isEmpty() && iamUsers.isEmpty() ? null : awsCredentials.get();
        secrets = secretIds.isEmpty() ? null : new SecretsManagerCredentials(secretIds,
                new SecretFetcher(AwsClients.secretsManager(config.aws(), aws)), config.secrets().refreshInterval(),
                config.secrets().previousPasswordGrace(), clock);
        iamTokens = iamUsers.isEmpty() ? null : new IamAuthTokens(
                IamAuthTokens.signer(AwsClients.rdsUtilities(config.aws().region().orElseThrow(), aws)), config.iam().renewAfter(), clock);

        configured.users().forEach(user -> sourceByUser.put(user, configured));
        secretIds.keySet().forEach(user -> sourceByUser.put(user, secrets));
    }

    /** Reads the secrets once before Sluice serves anyone, then keeps them fresh in the background. */
    @PostConstruct
    void start() {
        if (secrets != null) {
            secrets.start();
        }
    }

    @PreDestroy
    void close() {
        if (secrets != null) {
            secrets.close();
        }
    }

    @Override
    public List<Credential> clientCredentials(String user) {
        CredentialSource source = sourceByUser.get(user);
        return source == null ? List.of() : source.clientCredentials(user);
    }

    /**
     * For an {@code iam-auth} user, a token for the secret's (or configured) username.
     *
     * @throws IllegalStateException when an IAM token cannot be made: no AWS credentials, or no database host
     */
    @Override
    public Optional<Credential> backendLogin(String user) {
        CredentialSource source = sourceByUser.get(user);
        Optional<Credential> login = source == null ? Optional.empty() : source.backendLogin(user);
        if (login.isEmpty() || !iamUsers.contains(user)) {
            return login;
        }
        return Optional.of(iamLogin(user, login.get().username()));
    }

    private Credential iamLogin(String user, String dbUser) {
        try {
            // The token is signed for the host clients' connections go to: the configured one, else the secret's.
            HostAndPort endpoint = configuredBackend.or(() -> secrets == null ? Optional.empty() : secrets.endpoint(user))
                    .orElseThrow(() -> new IllegalStateException(
                            "neither sluice.backend.host nor the user's secret names the database host the IAM token is for"));
            Credential login = new Credential(dbUser, iamTokens.token(endpoint, dbUser).getBytes(StandardCharsets.UTF_8));
            if (iamErrors.remove(user) != null) {
                LOG.infof("User %s: IAM authentication tokens can be made again", user);
            }
            return login;
        } catch (SdkException | IllegalStateException e) {
            String error = "cannot make an IAM authentication token: " + e.getMessage();
            if (iamErrors.put(user, error) == null) {
                LOG.warnf("User %s: %s", user, error);
            }
            throw new IllegalStateException("User " + user + ": " + error, e);
        }
    }

    @Override
    public void loginRejected(String user) {
        CredentialSource source = sourceByUser.get(user);
        if (source == null) {
            return;
        }
        source.loginRejected(user);
        if (iamUsers.contains(user)) {
            source.backendLogin(user).ifPresent(login -> iamTokens.forget(login.username()));
        }
    }

    @Override
    public Set<String> users() {
        return Collections.unmodifiableSet(sourceByUser.keySet());
    }

    @Override
    public Map<String, CredentialStatus> status() {
        Map<String, CredentialStatus> status = new TreeMap<>(configured.status());
        if (secrets != null) {
            status.putAll(secrets.status());
        }
        iamUsers.forEach(user -> status.computeIfPresent(user, (u, s) -> new CredentialStatus(s.loaded(), s.source() + "+iam",
                s.lastRefresh(), joinErrors(s.lastError(), iamErrors.get(u)), s.refreshes(), s.failures())));
        return status;
    }

    private static String joinErrors(String a, String b) {
        String joined = Stream.of(a, b).filter(Objects::nonNull).collect(Collectors.joining("; "));
        return joined.isEmpty() ? null : joined;
    }

    @Override
    public boolean usesIamAuth(String user) {
        return iamUsers.contains(user);
    }

    @Override
    public Optional<HostAndPort> targetHint() {
        return secrets == null ? Optional.empty() : secrets.targetHint();
    }
}
