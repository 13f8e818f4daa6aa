package io.sluice.credentials;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where Sluice learns users' passwords: the one place the rest of Sluice asks, whether the answer comes from
 * configuration, AWS Secrets Manager or an IAM token generator.
 */
public interface CredentialSource {

    /**
     * The passwords a client may prove to log in as {@code user}: the current one first, then, during a
     * rotation's grace window, the previous one. Empty for a user Sluice does not serve.
     */
    List<Credential> clientCredentials(String user);

    /** The login for a new backend connection of {@code user}: its password, or an IAM authentication token. */
    Optional<Credential> backendLogin(String user);

    /** The backend refused {@code user}'s login (ERR 1045): a source backed by a secret store refreshes at once. */
    default void loginRejected(String user) {
    }

    /** All users Sluice serves. */
    Set<String> users();

    /** Per user, whether its credentials are loaded and fresh, for readiness and metrics; never a secret. */
    default Map<String, CredentialStatus> status() {
        return Map.of();
    }

    /**
     * Whether {@link #backendLogin} gives {@code user} an RDS IAM authentication token rather than a password.
     * RDS accepts a token only over TLS and with the {@code mysql_clear_password} plugin, so the pool must open
     * that user's connections with TLS required (Connector/J {@code sslMode=REQUIRED} or stricter); Connector/J
     * then answers the server's switch to {@code mysql_clear_password}, which it does only over TLS.
     */
    default boolean usesIamAuth(String user) {
        return false;
    }

    /**
     * The database the users' secrets name (the {@code host} and {@code port} of RDS secrets), for when
     * {@code sluice.backend.host} is not configured. Empty when no loaded secret names a host.
     *
     * @throws IllegalStateException when secrets name different databases, since Sluice serves one
     */
    default Optional<HostAndPort> targetHint() {
        return Optional.empty();
    }
}
